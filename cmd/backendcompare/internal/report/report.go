// Package report holds every figure of a comparison run and writes it as
// report.json, report.md and PNG charts.
package report // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/otelcol-events/otelcol-events/internal/percentile"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"
)

// Report is every figure of one run; report.json is this struct, report.md
// renders it. Pointers are figures that may be missing (null in JSON, "–"
// in Markdown): a failed measure is shown as missing, never as zero.
type Report struct {
	Tool       string            `json:"tool"`
	Complete   bool              `json:"complete"`
	Problems   []string          `json:"problems,omitempty"`
	RunID      string            `json:"run_id"`
	StartedAt  time.Time         `json:"started_at"`
	FinishedAt time.Time         `json:"finished_at"`
	Workload   WorkloadReport    `json:"workload"`
	Send       SendReport        `json:"send"`
	Backends   []*BackendReport  `json:"backends"`
	Collectors []CollectorReport `json:"collectors"`
	Processes  []ProcessReport   `json:"processes,omitempty"`
}

type WorkloadReport struct {
	Config     workload.Config `json:"config"`
	Traces     int             `json:"traces"`
	Spans      int64           `json:"spans"`
	ErrorSpans int64           `json:"error_spans"`
	Requests   int             `json:"requests"`
	Events     int             `json:"events"`
}

type SendReport struct {
	Seconds        float64 `json:"seconds"`
	SpansSent      int64   `json:"spans_sent"`
	SpansAccepted  int64   `json:"spans_accepted"`
	SpansRejected  int64   `json:"spans_rejected"`
	RequestsFailed int64   `json:"requests_failed"`
	SpansPerSecond float64 `json:"spans_per_second"`
	EventsAccepted int64   `json:"events_accepted"`
	EventsRejected int64   `json:"events_rejected"`
}

type BackendReport struct {
	Name     string                  `json:"name"`
	Type     string                  `json:"type"`
	Version  string                  `json:"version,omitempty"`
	Complete bool                    `json:"complete"`
	Problems []string                `json:"problems,omitempty"`
	Notes    []string                `json:"notes,omitempty"`
	Ingest   IngestReport            `json:"ingest"`
	Writes   *WritesReport           `json:"writes,omitempty"`
	Storage  *StorageReport          `json:"storage,omitempty"`
	Queries  map[string]*QueryReport `json:"queries,omitempty"`
	// Cost is what the backend's own process (or Jaeger's collector)
	// spent during the run.
	Cost *CostReport `json:"cost,omitempty"`
}

// CostReport is the CPU and memory of the process serving a backend.
type CostReport struct {
	// Process names the processes or collectors entry measured.
	Process      string   `json:"process"`
	CPUSeconds   *float64 `json:"cpu_seconds"`
	PeakRSSBytes *float64 `json:"peak_rss_bytes"`
}

type IngestReport struct {
	ExpectedSpans int64 `json:"expected_spans"`
	StoredSpans   int64 `json:"stored_spans"`
	// SecondsToQueryable runs from the first span sent until the backend
	// counted all of them.
	SecondsToQueryable *float64 `json:"seconds_to_queryable"`
	// LagAfterSendSeconds runs from the last span sent to the same moment.
	LagAfterSendSeconds *float64 `json:"lag_after_send_seconds"`
	// SpansPerSecond is expected spans / SecondsToQueryable: the rate at
	// which the data became queryable end to end.
	SpansPerSecond           *float64 `json:"spans_per_second"`
	ExpectedEvents           *int64   `json:"expected_events,omitempty"`
	StoredEvents             *int64   `json:"stored_events,omitempty"`
	EventsSecondsToQueryable *float64 `json:"events_seconds_to_queryable,omitempty"`
}

// WritesReport is what the collector's exporter for this backend says it
// did during the run (counter deltas).
type WritesReport struct {
	Collector          string   `json:"collector"`
	Exporter           string   `json:"exporter"`
	SentSpans          *float64 `json:"sent_spans"`
	FailedSpans        *float64 `json:"failed_spans"`
	EnqueueFailedSpans *float64 `json:"enqueue_failed_spans"`
}

type StorageReport struct {
	Before       backend.StorageStats `json:"before"`
	After        backend.StorageStats `json:"after"`
	BytesPerSpan *float64             `json:"bytes_per_span"`
}

type QueryReport struct {
	Description string `json:"description"`
	Queries     int    `json:"queries"`
	// ExpectedResults is the sum of the expected answers (spans per trace,
	// traces per search): a plan of empty answers would prove little.
	ExpectedResults int      `json:"expected_results"`
	Errors          int      `json:"errors"`
	WrongAnswers    int      `json:"wrong_answers"`
	P50Ms           *float64 `json:"p50_ms"`
	P95Ms           *float64 `json:"p95_ms"`
	P99Ms           *float64 `json:"p99_ms"`
	MeanMs          *float64 `json:"mean_ms"`
	MaxMs           *float64 `json:"max_ms"`
	FirstError      string   `json:"first_error,omitempty"`
	FirstWrong      string   `json:"first_wrong_answer,omitempty"`
	// Skipped is why these queries were not run (the backend's
	// skip_queries): the figures are missing, not failed.
	Skipped string `json:"skipped,omitempty"`
}

type CollectorReport struct {
	Name                  string             `json:"name"`
	MetricsURL            string             `json:"metrics_url"`
	CPUSeconds            *float64           `json:"cpu_seconds"`
	PeakRSSBytes          *float64           `json:"peak_rss_bytes"`
	Scrapes               int                `json:"scrapes"`
	FailedScrapes         int                `json:"failed_scrapes"`
	ReceiverAcceptedSpans map[string]float64 `json:"receiver_accepted_spans,omitempty"`
	ReceiverRefusedSpans  map[string]float64 `json:"receiver_refused_spans,omitempty"`
	Problems              []string           `json:"problems,omitempty"`
}

// ProcessReport is a process tree measured from /proc.
type ProcessReport struct {
	Name         string   `json:"name"`
	PIDFile      string   `json:"pid_file"`
	CPUSeconds   *float64 `json:"cpu_seconds"`
	PeakRSSBytes *float64 `json:"peak_rss_bytes"`
	Samples      int      `json:"samples"`
	Problems     []string `json:"problems,omitempty"`
}

// Query kinds, as the config's skip_queries names them.
const (
	QueryTraceByID = config.QueryTraceByID
	QuerySearch    = config.QuerySearch
)

// QueryKinds in report order.
var QueryKinds = []string{QueryTraceByID, QuerySearch}

// LatencySummary fills the percentiles of durations (nearest rank).
func (q *QueryReport) LatencySummary(durations []time.Duration) {
	if len(durations) == 0 {
		return
	}
	ms := make([]float64, len(durations))
	sum := 0.0
	for i, d := range durations {
		ms[i] = float64(d) / float64(time.Millisecond)
		sum += ms[i]
	}
	slices.Sort(ms)
	rank := func(p float64) *float64 { return Ptr(percentile.NearestRank(ms, p)) }
	q.P50Ms, q.P95Ms, q.P99Ms = rank(0.50), rank(0.95), rank(0.99)
	q.MeanMs = Ptr(sum / float64(len(ms)))
	q.MaxMs = Ptr(ms[len(ms)-1])
}

// Write saves the charts, report.json and report.md into dir. A chart that
// cannot be drawn makes the report incomplete, and both files say so.
func (r *Report) Write(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "charts"), 0o750); err != nil {
		return err
	}
	charts, chartErr := writeCharts(r, filepath.Join(dir, "charts"))
	if chartErr != nil {
		r.Problems = append(r.Problems, chartErr.Error())
		r.Complete = false
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "report.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "report.md"))
	if err != nil {
		return err
	}
	writeMarkdown(f, r, charts)
	if err := f.Close(); err != nil {
		return err
	}
	return chartErr
}

// BackendNames lists the backends in report order.
func (r *Report) BackendNames() []string {
	names := make([]string, len(r.Backends))
	for i, b := range r.Backends {
		names[i] = b.Name
	}
	return names
}

// Ptr is v's address, for the figures that may be missing.
func Ptr[T any](v T) *T { return &v }
