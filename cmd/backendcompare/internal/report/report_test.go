package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"
)

func twoBackendReport() *Report {
	start := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	return &Report{
		Tool: "backendcompare", Complete: false, RunID: "bc-1-test",
		StartedAt: start, FinishedAt: start.Add(42 * time.Second),
		Problems: []string{"example problem"},
		Workload: WorkloadReport{Config: workload.DefaultConfig(), Traces: 2000, Spans: 12000, ErrorSpans: 240, Requests: 40},
		Send:     SendReport{Seconds: 1.5, SpansSent: 12000, SpansAccepted: 12000, SpansPerSecond: 8000},
		Backends: []*BackendReport{
			{
				Name: "clickhouse", Type: "clickhouse", Version: "ClickHouse 26.7.2.1", Complete: true,
				Ingest:  IngestReport{ExpectedSpans: 12000, StoredSpans: 12000, SecondsToQueryable: Ptr(2.5), LagAfterSendSeconds: Ptr(1.0), SpansPerSecond: Ptr(4800.0)},
				Writes:  &WritesReport{Collector: "gateway", Exporter: "clickhouse", SentSpans: Ptr(12000.0), FailedSpans: Ptr(0.0)},
				Cost:    &CostReport{Process: "clickhouse", CPUSeconds: Ptr(4.0), PeakRSSBytes: Ptr(400.0 * (1 << 20))},
				Storage: &StorageReport{Before: backend.StorageStats{Bytes: 0}, After: backend.StorageStats{Bytes: 1200000}, BytesPerSpan: Ptr(100.0)},
				Queries: map[string]*QueryReport{
					QueryTraceByID: {Queries: 50, P50Ms: Ptr(12.0), P95Ms: Ptr(30.0), P99Ms: Ptr(45.0)},
					QuerySearch:    {Queries: 50, P50Ms: Ptr(20.0), P95Ms: Ptr(40.0), P99Ms: Ptr(60.0)},
				},
			},
			{
				Name: "jaeger-elasticsearch", Type: "jaeger", Complete: false,
				Problems: []string{"holds 0 of 12000 spans 2m0s after the last one was sent (run.ingest_timeout)"},
				Ingest:   IngestReport{ExpectedSpans: 12000},
				Cost:     &CostReport{Process: "jaeger", CPUSeconds: Ptr(6.0)},
				Notes:    []string{"queries skipped: the backend does not hold all the data"},
				Queries:  map[string]*QueryReport{},
			},
		},
		Collectors: []CollectorReport{
			{Name: "agent", CPUSeconds: Ptr(3.2), PeakRSSBytes: Ptr(150.0 * (1 << 20)), ReceiverAcceptedSpans: map[string]float64{"otlp": 12000}},
			{Name: "jaeger", Problems: []string{"collector jaeger: cannot read metrics"}},
		},
	}
}

func TestReportWritesMarkdownJSONAndCharts(t *testing.T) {
	dir := t.TempDir()
	r := twoBackendReport()
	require.NoError(t, r.Write(dir))

	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	require.NoError(t, err)
	text := string(md)
	assert.Contains(t, text, "**INCOMPLETE**")
	assert.Contains(t, text, "| | clickhouse | jaeger-elasticsearch | jaeger-elasticsearch ÷ clickhouse |")
	assert.Contains(t, text, "| backend CPU (s) | 4.00 | 6.00 | ×1.50 |", "figures on both sides get a ratio")
	assert.Contains(t, text, "| time to queryable (s) | 2.50 | – |  |", "a missing figure is shown as missing, not zero, and has no ratio")
	assert.Contains(t, text, "| bytes on disk per span | 100.0 | – |  |")
	assert.Contains(t, text, "| search p99 (ms) | 60.0 | – |  |")
	assert.Contains(t, text, "- problem: holds 0 of 12000 spans")
	assert.Contains(t, text, "| collector agent | 3.20 | 150.0 MiB | otlp 12000 |")
	assert.Contains(t, text, "| collector jaeger | – | – |")

	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	var back Report
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, "bc-1-test", back.RunID)
	assert.Nil(t, back.Backends[1].Ingest.SecondsToQueryable)
	assert.Equal(t, 2.5, *back.Backends[0].Ingest.SecondsToQueryable)

	// One PNG per measure that has any figure; each linked from the report.
	charts, err := filepath.Glob(filepath.Join(dir, "charts", "*.png"))
	require.NoError(t, err)
	names := make([]string, len(charts))
	for i, c := range charts {
		names[i] = filepath.Base(c)
		data, err := os.ReadFile(c)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(string(data), "\x89PNG"), c)
		assert.Contains(t, text, "charts/"+names[i])
	}
	assert.ElementsMatch(t, []string{
		"ingest_time_to_queryable.png", "ingest_spans_per_second.png", "writes.png", "storage_bytes_per_span.png",
		"query_trace_by_id.png", "query_search.png", "backend_cpu_seconds.png", "backend_peak_rss.png",
		"collector_cpu_seconds.png", "collector_peak_rss.png",
	}, names)
}

func TestChartsSkipMeasuresWithoutFigures(t *testing.T) {
	r := twoBackendReport()
	r.Collectors = nil
	for _, b := range r.Backends {
		b.Queries = map[string]*QueryReport{}
	}
	files, err := writeCharts(r, t.TempDir())
	require.NoError(t, err)
	for _, f := range files {
		assert.NotContains(t, f.file, "query_")
		assert.NotContains(t, f.file, "collector_")
	}
}

func TestLatencySummaryNearestRank(t *testing.T) {
	var q QueryReport
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	q.LatencySummary(ds)
	assert.Equal(t, 50.0, *q.P50Ms)
	assert.Equal(t, 95.0, *q.P95Ms)
	assert.Equal(t, 99.0, *q.P99Ms)
	assert.Equal(t, 100.0, *q.MaxMs)
	assert.InDelta(t, 50.5, *q.MeanMs, 1e-9)

	var empty QueryReport
	empty.LatencySummary(nil)
	assert.Nil(t, empty.P50Ms)
}
