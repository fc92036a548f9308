package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
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
}

type WorkloadReport struct {
	Config     WorkloadConfig `json:"config"`
	Traces     int            `json:"traces"`
	Spans      int64          `json:"spans"`
	ErrorSpans int64          `json:"error_spans"`
	Requests   int            `json:"requests"`
	Events     int            `json:"events"`
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
	Before       storageStats `json:"before"`
	After        storageStats `json:"after"`
	BytesPerSpan *float64     `json:"bytes_per_span"`
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

const (
	queryTraceByID = "trace_by_id"
	querySearch    = "search"
)

// queryKinds in report order.
var queryKinds = []string{queryTraceByID, querySearch}

// latencySummary fills the percentiles of durations (nearest rank).
func (q *QueryReport) latencySummary(durations []time.Duration) {
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
	rank := func(p float64) *float64 {
		i := int(p*float64(len(ms))+0.999999) - 1
		return ptr(ms[min(max(i, 0), len(ms)-1)])
	}
	q.P50Ms, q.P95Ms, q.P99Ms = rank(0.50), rank(0.95), rank(0.99)
	q.MeanMs = ptr(sum / float64(len(ms)))
	q.MaxMs = ptr(ms[len(ms)-1])
}

// write saves the charts, report.json and report.md into dir. A chart that
// cannot be drawn makes the report incomplete, and both files say so.
func (r *Report) write(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "charts"), 0o755); err != nil {
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
	r.markdown(f, charts)
	if err := f.Close(); err != nil {
		return err
	}
	return chartErr
}

func fmtFloat(v *float64, format string) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf(format, *v)
}

func fmtInt(v *int64) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf("%d", *v)
}

func fmtMiB(v *float64) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf("%.1f MiB", *v/(1<<20))
}

func (r *Report) markdown(w io.Writer, charts []chartFile) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	status := "complete"
	if !r.Complete {
		status = "**INCOMPLETE** — some figures are missing or wrong; see Problems"
	}
	p("# Backend comparison %s\n\n", r.RunID)
	p("Status: %s. Started %s, took %s.\n\n", status, r.StartedAt.Format(time.RFC3339), r.FinishedAt.Sub(r.StartedAt).Round(time.Second))
	if len(r.Problems) > 0 {
		p("## Problems\n\n")
		for _, pr := range r.Problems {
			p("- %s\n", pr)
		}
		p("\n")
	}
	wc := r.Workload.Config
	p("## Workload\n\n")
	p("Seed %d: %d traces, %d spans (%d with error status), %d OTLP requests; %d services, depth ≤ %d, fan-out ≤ %d, %d extra attributes per span, %d client addresses; %d client events.\n",
		wc.Seed, r.Workload.Traces, r.Workload.Spans, r.Workload.ErrorSpans, r.Workload.Requests, wc.Services, wc.Depth, wc.FanOut, wc.Attributes, wc.ClientAddresses, r.Workload.Events)
	rate := "as fast as the collector accepts"
	if wc.Rate > 0 {
		rate = fmt.Sprintf("target %.0f spans/s", wc.Rate)
	}
	p("Sent in %.2f s (%s): %.0f spans/s; the collector accepted %d spans, rejected %d",
		r.Send.Seconds, rate, r.Send.SpansPerSecond, r.Send.SpansAccepted, r.Send.SpansRejected)
	if r.Workload.Events > 0 {
		p("; events accepted %d, rejected %d", r.Send.EventsAccepted, r.Send.EventsRejected)
	}
	p(".\n\n")

	p("## Results\n\n")
	p("| | %s |\n|---|%s\n", strings.Join(backendNames(r), " | "), strings.Repeat("---|", len(r.Backends)))
	row := func(label string, f func(b *BackendReport) string) {
		cells := make([]string, len(r.Backends))
		for i, b := range r.Backends {
			cells[i] = f(b)
		}
		p("| %s | %s |\n", label, strings.Join(cells, " | "))
	}
	row("backend", func(b *BackendReport) string { return b.Version })
	row("status", func(b *BackendReport) string {
		if b.Complete {
			return "complete"
		}
		return "**incomplete**"
	})
	row("spans stored / expected", func(b *BackendReport) string {
		return fmt.Sprintf("%d / %d", b.Ingest.StoredSpans, b.Ingest.ExpectedSpans)
	})
	row("time to queryable (s)", func(b *BackendReport) string { return fmtFloat(b.Ingest.SecondsToQueryable, "%.2f") })
	row("lag after last send (s)", func(b *BackendReport) string { return fmtFloat(b.Ingest.LagAfterSendSeconds, "%.2f") })
	row("ingest (spans/s)", func(b *BackendReport) string { return fmtFloat(b.Ingest.SpansPerSecond, "%.0f") })
	if r.Workload.Events > 0 {
		row("events stored / expected", func(b *BackendReport) string {
			if b.Ingest.ExpectedEvents == nil {
				return "not stored here"
			}
			return fmtInt(b.Ingest.StoredEvents) + " / " + fmtInt(b.Ingest.ExpectedEvents)
		})
		row("events time to queryable (s)", func(b *BackendReport) string { return fmtFloat(b.Ingest.EventsSecondsToQueryable, "%.2f") })
	}
	row("exporter sent / failed spans", func(b *BackendReport) string {
		if b.Writes == nil {
			return "–"
		}
		return fmtFloat(b.Writes.SentSpans, "%.0f") + " / " + fmtFloat(b.Writes.FailedSpans, "%.0f")
	})
	row("bytes on disk per span", func(b *BackendReport) string {
		if b.Storage == nil {
			return "–"
		}
		return fmtFloat(b.Storage.BytesPerSpan, "%.1f")
	})
	row("storage growth", func(b *BackendReport) string {
		if b.Storage == nil {
			return "–"
		}
		return fmt.Sprintf("%.2f MiB", float64(b.Storage.After.Bytes-b.Storage.Before.Bytes)/(1<<20))
	})
	for _, kind := range queryKinds {
		for _, pct := range []struct {
			name string
			of   func(*QueryReport) *float64
		}{
			{"p50", func(q *QueryReport) *float64 { return q.P50Ms }},
			{"p95", func(q *QueryReport) *float64 { return q.P95Ms }},
			{"p99", func(q *QueryReport) *float64 { return q.P99Ms }},
		} {
			row(fmt.Sprintf("%s %s (ms)", kind, pct.name), func(b *BackendReport) string {
				if q := b.Queries[kind]; q != nil {
					return fmtFloat(pct.of(q), "%.1f")
				}
				return "–"
			})
		}
		row(kind+" errors / wrong answers", func(b *BackendReport) string {
			q := b.Queries[kind]
			if q == nil {
				return "–"
			}
			per := "spans"
			if kind == querySearch {
				per = "traces"
			}
			avg := 0.0
			if q.Queries > 0 {
				avg = float64(q.ExpectedResults) / float64(q.Queries)
			}
			return fmt.Sprintf("%d / %d of %d (%.1f %s per answer)", q.Errors, q.WrongAnswers, q.Queries, avg, per)
		})
	}
	p("\n")
	for _, b := range r.Backends {
		if len(b.Problems) == 0 && len(b.Notes) == 0 {
			continue
		}
		p("**%s**:\n", b.Name)
		for _, pr := range b.Problems {
			p("- problem: %s\n", pr)
		}
		for _, n := range b.Notes {
			p("- note: %s\n", n)
		}
		p("\n")
	}

	p("## Collectors\n\n| collector | CPU seconds | peak RSS | spans accepted by receivers | problems |\n|---|---|---|---|---|\n")
	for _, c := range r.Collectors {
		var acc []string
		for _, name := range slices.Sorted(maps.Keys(c.ReceiverAcceptedSpans)) {
			acc = append(acc, fmt.Sprintf("%s %.0f", name, c.ReceiverAcceptedSpans[name]))
		}
		p("| %s | %s | %s | %s | %s |\n", c.Name, fmtFloat(c.CPUSeconds, "%.2f"), fmtMiB(c.PeakRSSBytes), strings.Join(acc, ", "), strings.Join(c.Problems, "; "))
	}
	p("\nCPU seconds and receiver counts are deltas over sending and the wait for every backend; peak RSS is the highest value seen while polling.\n\n")

	if len(charts) > 0 {
		p("## Charts\n\n")
		for _, c := range charts {
			p("![%s](charts/%s)\n\n", c.title, c.file)
		}
	}
	p("## How these figures are measured\n\n%s", methodNotes)
}

const methodNotes = `- **time to queryable**: from the first span sent until the backend's own count of this run's spans
  (resource attribute ` + "`benchmark.run_id`" + `) reaches what the collector accepted, polled every poll interval.
  ClickHouse: ` + "`count()`" + ` on the traces table. Jaeger: Elasticsearch ` + "`_count`" + ` on the span indices
  (Jaeger has no count API; what Elasticsearch counts after its refresh is what Jaeger's query can read).
- **ingest (spans/s)**: spans ÷ time to queryable.
- **exporter sent / failed**: the collector's ` + "`otelcol_exporter_sent_spans`" + ` and
  ` + "`otelcol_exporter_send_failed_spans`" + ` for the exporter that writes to the backend, as deltas over the run.
- **bytes on disk per span**: growth of the backend's trace storage during the run ÷ spans. ClickHouse: active
  parts in ` + "`system.parts`" + ` of the traces table and its index tables (` + "`*_trace_id_ts`" + `).
  Elasticsearch: primary store size (` + "`_stats/store`" + `) of the span and service indices after a refresh.
  Background merges keep changing both, so treat small differences as noise.
- **queries**: each query kind runs the same seeded plan against every backend, interleaved, each query for a
  different trace or window (no cache answers twice), after one unmeasured warm-up. *trace_by_id* fetches a whole
  trace (ClickHouse: the exporter's ` + "`trace_id_ts`" + ` table narrows the time range, then the spans;
  Jaeger: ` + "`GET /api/traces/{id}`" + `). *search* finds traces of a service in a time window with a span
  attribute (` + "`customer.tier`" + `) and reads them whole (ClickHouse: SQL; Jaeger: ` + "`GET /api/traces?service=&tags=&start=&end=`" + `).
  Latency is client-side wall time including transfer and decoding of the answer. Every answer is checked against
  the workload: a wrong span or trace count is a *wrong answer*.
- **collector CPU and RSS**: from each collector's own metrics (` + "`otelcol_process_cpu_seconds`" + `,
  ` + "`otelcol_process_memory_rss`" + `); Jaeger v2 is a collector too, so its cost is measured the same way.
`

func backendNames(r *Report) []string {
	names := make([]string, len(r.Backends))
	for i, b := range r.Backends {
		names[i] = b.Name
	}
	return names
}
