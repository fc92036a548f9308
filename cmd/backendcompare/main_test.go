package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"
)

func writeConfig(t *testing.T, yaml string) string {
	path := filepath.Join(t.TempDir(), "compare.yaml")
	require.NoError(t, os.WriteFile(path, []byte(yaml), 0o600))
	return path
}

func readReport(t *testing.T, dir string) report.Report {
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	var r report.Report
	require.NoError(t, json.Unmarshal(data, &r))
	return r
}

func closedURL(t *testing.T) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

func TestRunRejectsBadConfig(t *testing.T) {
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"-config", writeConfig(t, "backends: []\n")}, io.Discard, &stderr, false)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr.String(), "configure at least one backend")

	code = run(context.Background(), []string{"-no-such-flag"}, io.Discard, &stderr, false)
	assert.Equal(t, exitUsage, code)
}

func TestRunUnreachableBackendWritesIncompleteReport(t *testing.T) {
	out := t.TempDir()
	cfg := writeConfig(t, `
workload: {traces: 10}
collector: {otlp_endpoint: `+closedURL(t)+`}
backends:
  - name: clickhouse
    type: clickhouse
    clickhouse: {endpoint: `+closedURL(t)+`}
`)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-config", cfg, "-out", out}, &stdout, &stderr, false)
	assert.Equal(t, exitIncomplete, code)
	assert.Contains(t, stderr.String(), "INCOMPLETE")
	assert.Contains(t, stderr.String(), "cannot reach ClickHouse at http://127.0.0.1:")
	assert.Contains(t, stderr.String(), "connection refused")

	r := readReport(t, out)
	assert.False(t, r.Complete)
	require.Len(t, r.Backends, 1)
	assert.False(t, r.Backends[0].Complete)
	assert.Contains(t, r.Problems, "no backend is reachable; nothing was sent")
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "**INCOMPLETE**")
}

// fakeCollector accepts OTLP/HTTP and drops it, counting spans: the
// "collector that loses data" case.
func fakeCollector(t *testing.T, spans *atomic.Int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := ptraceotlp.NewExportRequest()
		if r.URL.Path != "/v1/traces" || req.UnmarshalProto(body) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		spans.Add(int64(req.Traces().SpanCount()))
		resp, _ := ptraceotlp.NewExportResponse().MarshalProto()
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(resp)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// emptyJaeger is a Jaeger query API that has no trace at all, with the
// answers recorded from the real one.
func emptyJaeger(t *testing.T) *httptest.Server {
	fixtures := "internal/backend/jaeger/testdata/jaeger-2.13.0/"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/api/services":
			http.ServeFile(w, r, fixtures+"services.json")
		case strings.HasPrefix(r.URL.Path, "/api/traces/"):
			w.WriteHeader(http.StatusNotFound)
			data, _ := os.ReadFile(fixtures + "trace-not-found.json")
			_, _ = w.Write(data)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRunCollectorDroppingDataTimesOut(t *testing.T) {
	var received atomic.Int64
	col := fakeCollector(t, &received)
	q := emptyJaeger(t)
	out := t.TempDir()
	cfg := writeConfig(t, `
run: {ingest_timeout: 1s, poll_interval: 100ms}
workload: {traces: 40, traces_per_request: 10}
collector: {otlp_endpoint: `+col.URL+`}
collectors:
  - name: gone
    metrics_url: `+closedURL(t)+`/metrics
backends:
  - name: jaeger
    type: jaeger
    jaeger: {query: {endpoint: `+q.URL+`}, storage: badger, badger: {directory: `+t.TempDir()+`}}
`)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-config", cfg, "-out", out}, &stdout, &stderr, false)
	assert.Equal(t, exitIncomplete, code)
	sent := received.Load()
	require.Positive(t, sent, "the workload reached the collector")

	r := readReport(t, out)
	assert.False(t, r.Complete)
	assert.Equal(t, sent, r.Send.SpansAccepted, "the collector acknowledged everything it received")
	b := r.Backends[0]
	assert.Contains(t, b.Version, "Jaeger v2 on Badger")
	assert.False(t, b.Complete)
	assert.Nil(t, b.Ingest.SecondsToQueryable, "never queryable: missing, not zero")
	require.NotEmpty(t, b.Problems)
	assert.Contains(t, b.Problems[0], "holds 0 of")
	assert.Contains(t, stderr.String(), "holds 0 of")
	assert.Contains(t, b.Notes, "queries skipped: the backend does not hold all the data")
	require.NotNil(t, b.Storage, "partial figures are still measured")
	assert.Contains(t, strings.Join(r.Problems, "\n"), "collector gone")
	assert.NotContains(t, stdout.String(), "\r", "non-terminal output: plain progress lines")
	assert.Contains(t, stdout.String(), "sending: ")
}

func TestRunReportsCollectorRefusals(t *testing.T) {
	col := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "memory limiter refused the data", http.StatusBadRequest)
	}))
	t.Cleanup(col.Close)
	q := emptyJaeger(t)
	out := t.TempDir()
	cfg := writeConfig(t, `
run: {ingest_timeout: 1s, poll_interval: 100ms}
workload: {traces: 5}
collector: {otlp_endpoint: `+col.URL+`}
backends:
  - {name: jaeger, type: jaeger, jaeger: {query: {endpoint: `+q.URL+`}, storage: badger, badger: {directory: `+t.TempDir()+`}}}
`)
	code := run(context.Background(), []string{"-config", cfg, "-out", out}, io.Discard, io.Discard, false)
	assert.Equal(t, exitIncomplete, code)
	r := readReport(t, out)
	assert.Zero(t, r.Send.SpansAccepted)
	assert.Equal(t, r.Workload.Spans, r.Send.SpansRejected)
	assert.Contains(t, strings.Join(r.Problems, "\n"), "collector refused traces: HTTP 400 memory limiter refused the data")
	assert.Contains(t, r.Problems, "the collector accepted no spans: nothing to wait for or query")
	assert.Contains(t, r.Backends[0].Problems, "not measured: the collector accepted no spans")
}
