//go:build integration

// The children a test starts of its own: a Kafka broker, Jaegers, the
// collector (from the repository's configs), and one-shot runs of the binary.

package integration

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
)

// kafkaRun is a broker of the test's own and how to start it again on the
// same port and data.
type kafkaRun struct {
	*stack.Kafka
	cfg stack.KafkaConfig
}

// startKafka starts a broker of its own for the test.
func startKafka(t testing.TB, topics ...string) *kafkaRun {
	t.Helper()
	k := &kafkaRun{cfg: stack.KafkaConfig{
		BinDir: suite.binDir, Port: freePort(t), Topics: topics, Partitions: 3,
		DataDir: filepath.Join(t.TempDir(), "kafka"), Output: testLog(t, "kafka"),
	}}
	k.start(t)
	t.Cleanup(func() { _ = k.Stop() })
	return k
}

func (k *kafkaRun) start(t testing.TB) {
	t.Helper()
	started, err := stack.StartKafka(context.Background(), k.cfg)
	require.NoError(t, err)
	k.Kafka = started
}

// startJaeger starts Jaeger v2 with Badger storage (deploy/local/jaeger.yaml,
// the local stack's) on free ports, for the test alone.
func startJaeger(t testing.TB) *stack.Jaeger {
	t.Helper()
	return startJaegerWith(t, "jaeger", "jaeger.yaml", func(cfg *stack.JaegerConfig) {
		cfg.DataDir = filepath.Join(t.TempDir(), "jaeger")
	})
}

// startJaegerClickHouse starts Jaeger v2 storing in database db of the
// shared ClickHouse (deploy/local/jaeger-clickhouse.yaml).
func startJaegerClickHouse(t testing.TB, db string) *stack.Jaeger {
	t.Helper()
	return startJaegerWith(t, "jaeger-clickhouse", "jaeger-clickhouse.yaml", func(cfg *stack.JaegerConfig) {
		cfg.ClickHouse = &stack.JaegerClickHouse{
			TCPAddr: strings.TrimPrefix(suite.ch.TCPEndpoint(), "tcp://"), HTTPAddr: suite.ch.HTTPAddr(), Database: db,
		}
	})
}

func startJaegerWith(t testing.TB, name, configFile string, storage func(*stack.JaegerConfig)) *stack.Jaeger {
	t.Helper()
	cfg := stack.JaegerConfig{
		Name:       name,
		ConfigFile: filepath.Join(suite.repoRoot, "deploy", "local", configFile),
		Ports: stack.JaegerPorts{
			OTLPGRPC: freePort(t), OTLPHTTP: freePort(t), Query: freePort(t),
			QueryGRPC: freePort(t), Health: freePort(t), Metrics: freePort(t),
		},
		Output: testLog(t, name),
	}
	storage(&cfg)
	j, err := stack.StartJaeger(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = j.Stop() })
	return j
}

// collectorEndpoints are the listening addresses a collector config reads
// from its environment.
type collectorEndpoints struct {
	OTLPGRPC, OTLPHTTP, Events, Health, Metrics, Pprof string
	// Zipkin and Jaeger span intake (agent and local configs).
	Zipkin, JaegerGRPC, JaegerThriftHTTP string
}

// collectorRun is one collector process and how to start it again.
type collectorRun struct {
	*stack.Collector
	cfg       stack.CollectorConfig
	Endpoints collectorEndpoints
}

// startCollector runs bin/otelcol-events with config/<configName> and the
// given environment, on free ports, and stops it when the test ends.
func startCollector(t testing.TB, name, configName string, env map[string]string) *collectorRun {
	t.Helper()
	return startCollectorConfigs(t, name, []string{configName}, env)
}

// localConfigs is the local stack's collector (`make run`): both halves of
// the pipeline, merged in one process.
func localConfigs() []string { return []string{"gateway.yaml", "agent.yaml"} }

// startCollectorConfigs is startCollector with several config files under
// config/, merged in order (overlays).
func startCollectorConfigs(t testing.TB, name string, configNames []string, env map[string]string) *collectorRun {
	t.Helper()
	return startCollectorFrom(t, suite.binDir, name, configNames, env)
}

// startCollectorFrom is startCollectorConfigs with the otelcol-events of
// binDir, for the benchmark's baseline build.
func startCollectorFrom(t testing.TB, binDir, name string, configNames []string, env map[string]string) *collectorRun {
	t.Helper()
	ep := collectorEndpoints{
		OTLPGRPC: addr(freePort(t)), OTLPHTTP: addr(freePort(t)),
		Events: addr(freePort(t)), Health: addr(freePort(t)), Metrics: addr(freePort(t)), Pprof: addr(freePort(t)),
		Zipkin: addr(freePort(t)), JaegerGRPC: addr(freePort(t)), JaegerThriftHTTP: addr(freePort(t)),
	}
	vars := map[string]string{
		"OTLP_GRPC_ENDPOINT":   ep.OTLPGRPC,
		"OTLP_HTTP_ENDPOINT":   ep.OTLPHTTP,
		"EVENTS_ENDPOINT":      ep.Events,
		"ZIPKIN_ENDPOINT":      ep.Zipkin,
		"JAEGER_GRPC_ENDPOINT": ep.JaegerGRPC,
		// UDP: a port the picker found free for TCP is free enough here.
		"JAEGER_THRIFT_COMPACT_ENDPOINT": addr(freePort(t)),
		"JAEGER_THRIFT_HTTP_ENDPOINT":    ep.JaegerThriftHTTP,
		"HEALTH_ENDPOINT":                ep.Health,
		"ZPAGES_ENDPOINT":                addr(freePort(t)),
		"PPROF_ENDPOINT":                 ep.Pprof,
		"METRICS_HOST":                   "127.0.0.1",
		"METRICS_PORT":                   strings.TrimPrefix(ep.Metrics, "127.0.0.1:"),
		"STORAGE_DIR":                    filepath.Join(t.TempDir(), name+"-storage"),
		"GEOIP_CITY_IPV4_MMDB":           suite.geoIPv4,
		"GEOIP_CITY_IPV6_MMDB":           suite.geoIPv6,
	}
	for k, v := range env {
		vars[k] = v
	}
	configs := make([]string, len(configNames))
	for i, c := range configNames {
		configs[i] = c
		if !filepath.IsAbs(c) {
			configs[i] = filepath.Join(suite.repoRoot, "config", filepath.FromSlash(c))
		}
	}
	cfg := stack.CollectorConfig{
		Name:           name,
		BinDir:         binDir,
		Configs:        configs,
		Env:            envList(vars),
		HealthEndpoint: ep.Health,
		Output:         testLog(t, name),
	}
	run := &collectorRun{cfg: cfg, Endpoints: ep}
	run.start(t)
	t.Cleanup(func() { _ = run.Stop() })
	return run
}

func (r *collectorRun) start(t testing.TB) {
	t.Helper()
	c, err := stack.StartCollector(context.Background(), r.cfg)
	require.NoError(t, err)
	r.Collector = c
}

// restart stops the collector (gracefully) and starts it again with the same
// configuration, ports and storage.
func (r *collectorRun) restart(t testing.TB) {
	t.Helper()
	require.NoError(t, r.Stop())
	r.start(t)
}

func envList(vars map[string]string) []string {
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

// runBinary runs the collector binary with args and returns its output.
func runBinary(t testing.TB, args ...string) (string, error) {
	t.Helper()
	return runBinaryEnv(t, nil, args...)
}

// runBinaryEnv is runBinary with exactly the given environment (plus PATH
// and HOME), so a check sees only what a container would set.
func runBinaryEnv(t testing.TB, env map[string]string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(suite.binDir, stack.CollectorBinary), args...)
	if env != nil {
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// counter is a concurrency-safe tally for test sinks.
