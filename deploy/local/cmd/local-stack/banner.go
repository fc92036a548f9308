package main

import "fmt"

func printBanner(o options) {
	addr := o.addr // the banner names many addresses
	secondJaeger := ""
	if o.jaegerClickHouse {
		secondJaeger = fmt.Sprintf("  Jaeger v2    (ClickHouse storage) OTLP/gRPC %s   query API http://%s\n",
			addr(o.jaegerCH.OTLPGRPC), addr(o.jaegerCH.Query))
	}
	fmt.Printf(`
otelcol-events local stack is up (data in %s)

  ClickHouse   native tcp://%s   HTTP http://%s
  Kafka        %s
  Jaeger v2    OTLP/gRPC %s   query API http://%s (no web UI here: its assets are not in the Go module)
%s  Collector    OTLP/gRPC %s   OTLP/HTTP http://%s   events http://%s/v1/events
               Zipkin http://%s/api/v2/spans   Jaeger gRPC %s   Jaeger Thrift HTTP http://%s/api/traces
               health http://%s/   internal metrics http://%s/metrics

Send data:
  traces from any OTLP SDK or, for a quick test:
    go run github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@v0.161.0 \
      traces --otlp-insecure --otlp-endpoint %s --traces 10

Look at it in ClickHouse:
  curl http://%s/ --data-binary "SELECT ServiceName, SpanName, count() FROM otel.otel_traces GROUP BY ALL ORDER BY ALL"
and in Jaeger:
  curl http://%s/api/services
  curl http://%s/api/traces/<trace id>

Ctrl-C stops everything.
`,
		o.dataDir,
		addr(o.chTCP), addr(o.chHTTP),
		addr(o.kafkaPort),
		addr(o.jaeger.OTLPGRPC), addr(o.jaeger.Query),
		secondJaeger,
		addr(o.otlpGRPC), addr(o.otlpHTTP), addr(o.events),
		addr(o.zipkin), addr(o.jaegerGRPC), addr(o.jaegerHTTP),
		addr(o.health), addr(o.metrics),
		addr(o.otlpGRPC),
		addr(o.chHTTP),
		addr(o.jaeger.Query), addr(o.jaeger.Query),
	)
}
