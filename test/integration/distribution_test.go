//go:build integration

package integration

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
)

// Every config in config/ must validate with the built binary.
func TestConfigsValidate(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(suite.repoRoot, "config", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			out, err := runBinary(t, "validate", "--config", f)
			require.NoError(t, err, out)
		})
	}
	t.Run("local stack: gateway.yaml + agent.yaml", func(t *testing.T) {
		args := []string{"validate"}
		for _, c := range localConfigs() {
			args = append(args, "--config", filepath.Join(suite.repoRoot, "config", c))
		}
		out, err := runBinary(t, args...)
		require.NoError(t, err, out)
	})
	// KAFKA_OWN_SPANS_BY_TRACE is a bool: true validates, anything else is
	// refused at start, naming the setting it would go to.
	t.Run("KAFKA_OWN_SPANS_BY_TRACE", func(t *testing.T) {
		for _, c := range localConfigs() {
			f := filepath.Join(suite.repoRoot, "config", c)
			out, err := runBinaryEnv(t, map[string]string{"KAFKA_OWN_SPANS_BY_TRACE": "true"}, "validate", "--config", f)
			require.NoError(t, err, out)
			out, err = runBinaryEnv(t, map[string]string{"KAFKA_OWN_SPANS_BY_TRACE": "sometimes"}, "validate", "--config", f)
			require.Error(t, err, "%s validated with KAFKA_OWN_SPANS_BY_TRACE=sometimes", c)
			assert.Contains(t, out, "partition_traces_by_id", c)
		}
	})
	// The merge keeps one of two same-named entries silently: a pipeline
	// both files name would lose one side's (as the gateway's events did
	// when it named one logs/events, as the agent does).
	t.Run("local stack: no pipeline named in both", func(t *testing.T) {
		seen := map[string]string{}
		for _, c := range localConfigs() {
			cm, err := confmaptest.LoadConf(filepath.Join(suite.repoRoot, "config", c))
			require.NoError(t, err)
			pipelines, err := cm.Sub("service::pipelines")
			require.NoError(t, err)
			for name := range pipelines.ToStringMap() {
				require.NotContainsf(t, seen, name, "pipeline %s is in %s and %s", name, seen[name], c)
				seen[name] = c
			}
		}
	})
}

// Every variant of the end-to-end benchmark validates merged over the
// shipped config it changes, so a renamed key fails here and not an hour
// into `make bench-e2e`.
func TestBenchVariantsValidate(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(benchVariantsDir, "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		side := filepath.Ext(strings.TrimSuffix(filepath.Base(f), ".yaml")) // ".agent" or ".gateway"
		require.Contains(t, []string{".agent", ".gateway"}, side, "%s: name it <variant>.agent.yaml or <variant>.gateway.yaml", f)
		overlay, err := filepath.Abs(f)
		require.NoError(t, err)
		t.Run(filepath.Base(f), func(t *testing.T) {
			shipped := filepath.Join(suite.repoRoot, "config", side[1:]+".yaml")
			out, err := runBinary(t, "validate", "--config", shipped, "--config", overlay)
			require.NoError(t, err, out)
		})
	}
}

// Every overlay in config/overlays validates merged over the config it is
// written for.
func TestOverlaysValidate(t *testing.T) {
	bases := map[string]string{
		"legacy-trace-headers.yaml":     "agent.yaml",
		"address-on-resource.yaml":      "agent.yaml",
		"intake-auth.yaml":              "agent.yaml",
		"intake-tls.yaml":               "agent.yaml",
		"gateway-sampling-privacy.yaml": "gateway.yaml",
	}
	files, err := filepath.Glob(filepath.Join(suite.repoRoot, "config", "overlays", "*.yaml"))
	require.NoError(t, err)
	require.Len(t, files, len(bases), "every overlay has its base config in this table")
	t.Setenv("INTAKE_TOKEN", "token")
	t.Setenv("REDACTION_HMAC_KEY", "0123456789abcdef0123456789abcdef")
	certFile, keyFile, _ := selfSignedCert(t)
	t.Setenv("INTAKE_TLS_CERT_FILE", certFile)
	t.Setenv("INTAKE_TLS_KEY_FILE", keyFile)
	for _, f := range files {
		base, ok := bases[filepath.Base(f)]
		require.True(t, ok, "%s: which config is it for?", f)
		t.Run(filepath.Base(f), func(t *testing.T) {
			out, err := runBinary(t, "validate", "--config", filepath.Join(suite.repoRoot, "config", base), "--config", f)
			require.NoError(t, err, out)
		})
	}
}

// The binary lists every component the distribution promises.
func TestComponentsListed(t *testing.T) {
	out, err := runBinary(t, "components")
	require.NoError(t, err, out)
	for _, name := range []string{
		// receivers
		"otlp", "kafka", "eventsplit", "jaeger", "zipkin",
		// connectors
		"kafkalink",
		// processors
		"batch", "memory_limiter", "ipgeo", "probabilistic_sampler", "redaction",
		// exporters (core names the OTLP exporters otlp_grpc and otlp_http;
		// otlp and otlphttp are deprecated aliases)
		"otlp_grpc", "otlp_http", "debug", "kafka", "clickhouse",
		// extensions
		"health_check", "zpages", "pprof", "file_storage", "bearertokenauth", "otlplogs",
	} {
		assert.Contains(t, out, "- name: "+name+"\n", "component %q missing from `components`", name)
	}
}

// The real Go SDK sends trace trees to the all-in-one local config; the spans
// cross Kafka and land in ClickHouse exactly once with their parent ids.
func TestLocalConfigSDKTracesReachClickHouse(t *testing.T) {
	kafka := startKafka(t, pipelineTopics...)
	db := newDatabase(t)
	col := startCollectorConfigs(t, "collector", localConfigs(), map[string]string{
		"KAFKA_BROKERS":       kafka.Addr,
		"CLICKHOUSE_ENDPOINT": suite.ch.TCPEndpoint(),
		"CLICKHOUSE_DATABASE": db,
	})

	sent := sendTraceTrees(t, col.Endpoints.OTLPGRPC, "local-sdk", 8, 3, 3) // 8 traces x 13 spans
	require.Len(t, sent, 8*13)

	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_traces WHERE ServiceName = 'local-sdk'", db), len(sent), 90*time.Second)
	assert.Equal(t, sent, storedSpans(t, db, "local-sdk"), "stored spans differ from sent spans (ids or parents)")
}

// Agent and gateway as two collector processes: SDK -> agent -> Kafka ->
// gateway -> ClickHouse and Jaeger (here an OTLP sink standing in for Jaeger's
// OTLP endpoint). N spans in, N out on both legs, parents intact.
func TestAgentGatewayThroughKafka(t *testing.T) {
	kafka := startKafka(t, pipelineTopics...)
	db := newDatabase(t)
	jaeger := startOTLPSink(t)

	startCollector(t, "gateway", "gateway.yaml", map[string]string{
		"KAFKA_BROKERS":        kafka.Addr,
		"CLICKHOUSE_ENDPOINT":  suite.ch.TCPEndpoint(),
		"CLICKHOUSE_DATABASE":  db,
		"JAEGER_OTLP_ENDPOINT": jaeger.addr,
	})
	agent := startCollector(t, "agent", "agent.yaml", map[string]string{
		"KAFKA_BROKERS": kafka.Addr,
	})

	sent := sendTraceTrees(t, agent.Endpoints.OTLPGRPC, "agent-sdk", 10, 3, 2) // 10 traces x 7 spans
	require.Len(t, sent, 70)

	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_traces WHERE ServiceName = 'agent-sdk'", db), len(sent), 90*time.Second)
	assert.Equal(t, sent, storedSpans(t, db, "agent-sdk"))
	require.Eventually(t, func() bool { return jaeger.spans.get() >= len(sent) }, 30*time.Second, 100*time.Millisecond)
	assert.Equal(t, len(sent), jaeger.spans.get(), "spans at the Jaeger OTLP endpoint")
}

// A port that is taken is named in the error, before anything starts.
func TestLocalStackNamesTakenPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port

	_, err = stack.StartKafka(context.Background(), stack.KafkaConfig{BinDir: suite.binDir, Port: taken})
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("port %d", taken))
	assert.Contains(t, err.Error(), "Kafka broker")

	out, err := runLocalStack(t, "-kafka-port", fmt.Sprint(taken))
	require.Error(t, err, out)
	assert.Contains(t, out, fmt.Sprintf("port %d on 127.0.0.1 (Kafka broker) is already in use", taken))
}

func runLocalStack(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer // written only until the process is reaped, read after
	p, err := stack.StartProcess(stack.ProcessSpec{
		Name: "local-stack", Path: filepath.Join(suite.binDir, "local-stack"),
		Args: append([]string{"-bin-dir", suite.binDir, "-data-dir", t.TempDir()}, args...),
		Dir:  suite.repoRoot, Output: &out,
	})
	require.NoError(t, err)
	select {
	case <-p.Done():
	case <-time.After(30 * time.Second):
		_ = p.Stop()
		t.Fatal("local-stack did not exit on a taken port")
	}
	return out.String(), p.ExitErr()
}

// otlpSink is an OTLP/gRPC trace endpoint that counts spans, standing in for
// a backend that cannot run here (Jaeger).
type otlpSink struct {
	ptraceotlp.UnimplementedGRPCServer
	addr  string
	spans counter
}

func (s *otlpSink) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	s.spans.add(req.Traces().SpanCount())
	return ptraceotlp.NewExportResponse(), nil
}

func startOTLPSink(t testing.TB) *otlpSink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &otlpSink{addr: l.Addr().String()}
	srv := grpc.NewServer()
	ptraceotlp.RegisterGRPCServer(srv, s)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(srv.Stop)
	return s
}
