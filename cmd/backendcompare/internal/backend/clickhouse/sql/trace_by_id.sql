-- The lookup the exporter's schema is built for: the trace_id_ts table
-- narrows the time range, then the spans are read.
WITH
  (SELECT min(Start) FROM `{{.IDsTs}}` WHERE TraceId = {trace:String}) AS trace_start,
  (SELECT max(End) + 1 FROM `{{.IDsTs}}` WHERE TraceId = {trace:String}) AS trace_end
SELECT * FROM `{{.Traces}}`
WHERE TraceId = {trace:String} AND Timestamp >= trace_start AND Timestamp <= trace_end
FORMAT JSONEachRow
