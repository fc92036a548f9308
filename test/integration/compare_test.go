//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// compareReport is the part of backendcompare's report.json these tests
// read (the tool is a separate command; its types are not importable).
type compareReport struct {
	// markdown is the tool's report.md, written whatever happened.
	markdown string

	RunID    string   `json:"run_id"`
	Complete bool     `json:"complete"`
	Problems []string `json:"problems"`
	Workload struct {
		Spans int64 `json:"spans"`
	} `json:"workload"`
	Send struct {
		SpansAccepted  int64 `json:"spans_accepted"`
		SpansRejected  int64 `json:"spans_rejected"`
		EventsAccepted int64 `json:"events_accepted"`
		EventsRejected int64 `json:"events_rejected"`
	} `json:"send"`
	Backends []struct {
		Name     string   `json:"name"`
		Version  string   `json:"version"`
		Complete bool     `json:"complete"`
		Problems []string `json:"problems"`
		Notes    []string `json:"notes"`
		Ingest   struct {
			ExpectedSpans      int64    `json:"expected_spans"`
			StoredSpans        int64    `json:"stored_spans"`
			SecondsToQueryable *float64 `json:"seconds_to_queryable"`
			SpansPerSecond     *float64 `json:"spans_per_second"`
			ExpectedEvents     *int64   `json:"expected_events"`
			StoredEvents       *int64   `json:"stored_events"`
		} `json:"ingest"`
		Writes *struct {
			SentSpans   *float64 `json:"sent_spans"`
			FailedSpans *float64 `json:"failed_spans"`
		} `json:"writes"`
		Storage *struct {
			BytesPerSpan *float64 `json:"bytes_per_span"`
		} `json:"storage"`
		Queries map[string]struct {
			Queries         int      `json:"queries"`
			Errors          int      `json:"errors"`
			WrongAnswers    int      `json:"wrong_answers"`
			ExpectedResults int      `json:"expected_results"`
			P50Ms           *float64 `json:"p50_ms"`
			P99Ms           *float64 `json:"p99_ms"`
			Skipped         string   `json:"skipped"`
		} `json:"queries"`
		Cost *struct {
			CPUSeconds   *float64 `json:"cpu_seconds"`
			PeakRSSBytes *float64 `json:"peak_rss_bytes"`
		} `json:"cost"`
	} `json:"backends"`
	Collectors []struct {
		Name         string   `json:"name"`
		CPUSeconds   *float64 `json:"cpu_seconds"`
		PeakRSSBytes *float64 `json:"peak_rss_bytes"`
	} `json:"collectors"`
}

// runCompare runs bin/backendcompare with deploy/local/compare.yaml and the
// environment that points it at this test's stack.
func runCompare(t *testing.T, env map[string]string, args ...string) (int, string, compareReport) {
	t.Helper()
	bin := filepath.Join(suite.binDir, "backendcompare")
	_, err := os.Stat(bin)
	require.NoError(t, err, "run `make build` first: it builds bin/backendcompare")
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-config", filepath.Join(suite.repoRoot, "deploy", "local", "compare.yaml"), "-out", out}, args...)...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	output, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err, string(output))
	}
	var r compareReport
	data, err := os.ReadFile(filepath.Join(out, "report.json"))
	require.NoError(t, err, "report.json is written whatever happened:\n%s", output)
	require.NoError(t, json.Unmarshal(data, &r))
	if md, err := os.ReadFile(filepath.Join(out, "report.md")); err == nil {
		r.markdown = string(md)
	}
	if code == 0 {
		for _, chart := range []string{"ingest_time_to_queryable.png", "storage_bytes_per_span.png", "query_trace_by_id.png", "query_search.png", "collector_cpu_seconds.png"} {
			_, err := os.Stat(filepath.Join(out, "charts", chart))
			require.NoError(t, err, chart)
		}
		assert.Contains(t, r.markdown, "Status: complete", "report.md")
	}
	return code, string(output), r
}

// startCompareTarget starts Kafka, both Jaegers and the all-in-one
// collector with the comparison overlay, writing to databases of the test's
// own, and returns the environment that points deploy/local/compare.yaml at
// them, pid files included.
func startCompareTarget(t *testing.T) map[string]string {
	t.Helper()
	kafka := startKafka(t, pipelineTopics...)
	db, jaegerDB := newDatabase(t), newDatabase(t)+"_jaeger"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = suite.ch.Query(ctx, "DROP DATABASE IF EXISTS "+jaegerDB)
	})
	badger := startJaeger(t)
	jch := startJaegerClickHouse(t, jaegerDB)
	col := startCollectorConfigs(t, "collector", []string{"gateway.yaml", "agent.yaml", "../deploy/local/compare-collector.yaml"}, map[string]string{
		"KAFKA_BROKERS":                   kafka.Addr,
		"CLICKHOUSE_ENDPOINT":             suite.ch.TCPEndpoint(),
		"CLICKHOUSE_DATABASE":             db,
		"JAEGER_OTLP_ENDPOINT":            badger.OTLPGRPCEndpoint(),
		"JAEGER_CLICKHOUSE_OTLP_ENDPOINT": jch.OTLPGRPCEndpoint(),
	})
	// What local-stack keeps for -exec: a data dir with the pid files and
	// Badger's directory.
	dataDir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dataDir, "pids"), 0o755))
	for name, pid := range map[string]int{"clickhouse": suite.ch.Pid(), "jaeger": badger.Pid(), "jaeger-clickhouse": jch.Pid()} {
		require.NoError(t, os.WriteFile(filepath.Join(dataDir, "pids", name+".pid"), []byte(fmt.Sprintln(pid)), 0o600))
	}
	require.NoError(t, os.Symlink(badger.DataDir(), filepath.Join(dataDir, "jaeger")))
	return map[string]string{
		"LOCAL_STACK_DATA_DIR":               dataDir,
		"COMPARE_OTLP_ENDPOINT":              "http://" + col.Endpoints.OTLPHTTP,
		"COMPARE_EVENTS_ENDPOINT":            "http://" + col.Endpoints.Events,
		"COMPARE_COLLECTOR_METRICS":          "http://" + col.Endpoints.Metrics + "/metrics",
		"COMPARE_CLICKHOUSE_HTTP":            "http://" + suite.ch.HTTPAddr(),
		"COMPARE_CLICKHOUSE_DATABASE":        db,
		"COMPARE_JAEGER_QUERY":               badger.QueryURL(),
		"COMPARE_JAEGER_CLICKHOUSE_QUERY":    jch.QueryURL(),
		"COMPARE_JAEGER_CLICKHOUSE_DATABASE": jaegerDB,
	}
}

// The comparison against the local stack's real ClickHouse, through the
// all-in-one collector (OTLP -> Kafka -> ClickHouse): every figure present
// and every query answered right.
func TestBackendCompareOnLocalStack(t *testing.T) {
	var output string
	var r compareReport
	explainFailure(t, func() string { return output + "\n" + r.markdown + "\n" + r.figures() })
	env := startCompareTarget(t)
	var code int
	code, output, r = runCompare(t, env, "-traces", "300", "-events", "200", "-queries", "10", "-ingest-timeout", "2m")
	require.Equal(t, 0, code, output)
	require.True(t, r.Complete, output)
	require.Len(t, r.Backends, 3)
	assert.Equal(t, r.Workload.Spans, r.Send.SpansAccepted)
	for _, b := range r.Backends {
		t.Run(b.Name, func(t *testing.T) {
			assert.Equal(t, r.Send.SpansAccepted, b.Ingest.ExpectedSpans)
			assert.Equal(t, b.Ingest.ExpectedSpans, b.Ingest.StoredSpans)
			require.NotNil(t, b.Ingest.SecondsToQueryable)
			assert.Positive(t, *b.Ingest.SpansPerSecond)

			// Exporter figures come from the collector's own metrics: at
			// least the workload (plus the collector's own ingest and
			// consumer spans), and nothing else (Jaeger's self-tracing is
			// off: it would land in our collector).
			require.NotNil(t, b.Writes)
			require.NotNil(t, b.Writes.SentSpans)
			assert.GreaterOrEqual(t, *b.Writes.SentSpans, float64(r.Send.SpansAccepted))
			assert.Less(t, *b.Writes.SentSpans, float64(r.Send.SpansAccepted)*1.05)
			assert.Zero(t, *b.Writes.FailedSpans)

			require.NotNil(t, b.Storage)
			require.NotNil(t, b.Storage.BytesPerSpan)
			assert.Greater(t, *b.Storage.BytesPerSpan, 10.0)
			assert.Less(t, *b.Storage.BytesPerSpan, 50000.0)
			require.NotNil(t, b.Cost, "measured from /proc through the pid files")
			assert.Positive(t, *b.Cost.PeakRSSBytes)

			for _, kind := range []string{"trace_by_id", "search"} {
				q := b.Queries[kind]
				if b.Name == "jaeger-clickhouse" && kind == "search" {
					assert.Contains(t, q.Skipped, "does not implement trace search")
					assert.Zero(t, q.Queries)
					continue
				}
				assert.Equal(t, 10, q.Queries, kind)
				assert.Zero(t, q.Errors, kind)
				assert.Zero(t, q.WrongAnswers, kind)
				assert.Positive(t, q.ExpectedResults, "%s: the plan asks for data that exists", kind)
				require.NotNil(t, q.P50Ms, kind)
				assert.GreaterOrEqual(t, *q.P99Ms, *q.P50Ms)
			}
		})
	}
	ch := r.Backends[0]
	assert.True(t, strings.HasPrefix(ch.Version, "ClickHouse 26."), ch.Version)
	assertEventsHeldOnce(t, 200, ch.Ingest.ExpectedEvents, ch.Ingest.StoredEvents, env["COMPARE_CLICKHOUSE_DATABASE"], r.RunID)
	assert.Contains(t, r.Backends[1].Version, "Jaeger v2 on Badger")
	assert.Contains(t, r.Backends[2].Version, "Jaeger v2 on ClickHouse 26.")
	require.Len(t, r.Collectors, 1)
	assert.Positive(t, *r.Collectors[0].CPUSeconds)
	assert.Positive(t, *r.Collectors[0].PeakRSSBytes)
}

// Failures end the run with a clear message, exit 1 and a report marked
// incomplete.
func TestBackendCompareFailures(t *testing.T) {
	// A collector that acknowledges spans and drops them.
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer sink.Close()
	// A real collector and ClickHouse database (with the exporter's tables),
	// each case changing one setting.
	base := startCompareTarget(t)
	with := func(k, v string) map[string]string {
		env := maps.Clone(base)
		env[k] = v
		return env
	}
	small := []string{"-traces", "20", "-events", "0", "-queries", "2", "-ingest-timeout", "3s"}

	t.Run("collector drops data", func(t *testing.T) {
		code, output, r := runCompare(t, with("COMPARE_OTLP_ENDPOINT", sink.URL), small...)
		assert.Equal(t, 1, code, output)
		assert.False(t, r.Complete)
		assert.Contains(t, output, "INCOMPLETE")
		assert.Contains(t, output, "holds 0 of")
		require.Len(t, r.Backends, 3)
		for _, b := range r.Backends {
			assert.Nil(t, b.Ingest.SecondsToQueryable, b.Name)
		}
	})
	t.Run("wrong credentials", func(t *testing.T) {
		code, output, r := runCompare(t, with("CLICKHOUSE_USERNAME", "nobody"), small...)
		assert.Equal(t, 1, code, output)
		assert.False(t, r.Complete)
		assert.Contains(t, output, "ClickHouse refused the credentials (HTTP 403)")
		assert.Contains(t, output, "AUTHENTICATION_FAILED")
	})
	t.Run("unreachable backend", func(t *testing.T) {
		code, output, _ := runCompare(t, with("COMPARE_CLICKHOUSE_HTTP", "http://"+addr(freePort(t))), small...)
		assert.Equal(t, 1, code, output)
		assert.Contains(t, output, "cannot reach ClickHouse at http://127.0.0.1:")
	})
	t.Run("no such database", func(t *testing.T) {
		code, output, _ := runCompare(t, with("COMPARE_CLICKHOUSE_DATABASE", "no_such_db"), small...)
		assert.Equal(t, 1, code, output)
		assert.Contains(t, output, "Database no_such_db does not exist")
	})
	t.Run("no trace tables", func(t *testing.T) {
		empty := newDatabase(t)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := suite.ch.Query(ctx, "CREATE DATABASE "+empty)
		require.NoError(t, err)
		code, output, _ := runCompare(t, with("COMPARE_CLICKHOUSE_DATABASE", empty), small...)
		assert.Equal(t, 1, code, output)
		assert.Contains(t, output, "ClickHouse has no table "+empty+".otel_traces")
	})
}

// `make compare` in miniature: local-stack starts ClickHouse, Kafka, both
// Jaegers and the collector with the comparison overlay, runs backendcompare
// with -exec, stops everything (cleanly: no service reported as failed) and
// exits with the tool's status.
func TestLocalStackExecRunsBackendCompare(t *testing.T) {
	ports := map[string]int{}
	names := []string{"clickhouse-tcp-port", "clickhouse-http-port", "kafka-port", "otlp-grpc-port", "otlp-http-port", "events-port", "health-port", "metrics-port", "zpages-port", "pprof-port", "zipkin-port", "jaeger-receiver-grpc-port", "jaeger-receiver-thrift-http-port", "jaeger-receiver-thrift-compact-port"}
	for _, jaeger := range []string{"jaeger", "jaeger-clickhouse"} {
		for _, p := range []string{"otlp-grpc-port", "otlp-http-port", "query-port", "query-grpc-port", "health-port", "metrics-port"} {
			names = append(names, jaeger+"-"+p)
		}
	}
	for _, name := range names {
		ports[name] = freePort(t)
	}
	dataDir := t.TempDir()
	args := []string{"-bin-dir", suite.binDir, "-data-dir", dataDir, "-geoip-dir", filepath.Dir(suite.geoIPv4),
		"-config", "config/gateway.yaml", "-config", "config/agent.yaml", "-config", "deploy/local/compare-collector.yaml", "-jaeger-clickhouse"}
	for name, port := range ports {
		args = append(args, "-"+name, fmt.Sprint(port))
	}
	out := t.TempDir()
	args = append(args, "-exec", filepath.Join(suite.binDir, "backendcompare")+
		" -config deploy/local/compare.yaml -traces 100 -events 50 -queries 3 -ingest-timeout 2m -out "+out)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(suite.binDir, "local-stack"), args...)
	cmd.Dir = suite.repoRoot
	url := func(port string) string { return fmt.Sprintf("http://127.0.0.1:%d", ports[port]) }
	cmd.Env = append(os.Environ(),
		"COMPARE_OTLP_ENDPOINT="+url("otlp-http-port"),
		"COMPARE_EVENTS_ENDPOINT="+url("events-port"),
		"COMPARE_COLLECTOR_METRICS="+url("metrics-port")+"/metrics",
		"COMPARE_CLICKHOUSE_HTTP="+url("clickhouse-http-port"),
		"COMPARE_JAEGER_QUERY="+url("jaeger-query-port"),
		"COMPARE_JAEGER_CLICKHOUSE_QUERY="+url("jaeger-clickhouse-query-port"),
	)
	output, err := cmd.CombinedOutput()
	require.NoError(t, err, string(output))
	text := string(output)
	assert.Contains(t, text, "complete in")
	assert.NotContains(t, text, "exit status", "every service stopped cleanly")
	_, err = os.Stat(filepath.Join(out, "report.md"))
	require.NoError(t, err)
	for _, service := range []string{"clickhouse", "kafka", "jaeger", "jaeger-clickhouse", "collector"} {
		_, err := os.Stat(filepath.Join(dataDir, "pids", service+".pid"))
		require.NoError(t, err, "local-stack keeps a pid file per service")
	}
}
