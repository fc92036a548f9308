-- Finds trace ids as Jaeger does (one span matching service, attribute and
-- window), then reads those traces whole, as Jaeger's answer holds them.
SELECT TraceId, SpanId, ParentSpanId, SpanName, ServiceName, Timestamp, Duration, StatusCode, SpanAttributes, ResourceAttributes
FROM `{{.Traces}}`
WHERE Timestamp >= fromUnixTimestamp64Micro({wide_start:Int64}) AND Timestamp <= fromUnixTimestamp64Micro({wide_end:Int64})
  AND TraceId IN (
    SELECT DISTINCT TraceId FROM `{{.Traces}}`
    WHERE ServiceName = {service:String}
      AND Timestamp >= fromUnixTimestamp64Micro({start:Int64}) AND Timestamp <= fromUnixTimestamp64Micro({end:Int64})
      AND SpanAttributes[{key:String}] = {value:String}
      AND ResourceAttributes['{{.RunIDKey}}'] = {run:String}
    LIMIT {limit:UInt32})
FORMAT JSONEachRow
