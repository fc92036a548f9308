package report // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"

import "fmt"

// resultRows are the side-by-side table's lines, in order: ingest, writes
// and storage, each query kind, and the backend's cost.
func resultRows(r *Report) []resultRow {
	rows := ingestRows(r)
	rows = append(rows, storageRows()...)
	for _, kind := range QueryKinds {
		rows = append(rows, queryRows(kind)...)
	}
	return append(rows, costRows()...)
}

// ingestRows say what was stored and how fast; the event rows only when
// the workload sent events.
func ingestRows(r *Report) []resultRow {
	rows := []resultRow{
		{"backend", func(b *BackendReport) figure { return text(b.Version) }},
		{"status", func(b *BackendReport) figure {
			if b.Complete {
				return text("complete")
			}
			return text("**incomplete**")
		}},
		{"spans stored / expected", func(b *BackendReport) figure {
			return text(fmt.Sprintf("%d / %d", b.Ingest.StoredSpans, b.Ingest.ExpectedSpans))
		}},
		{"time to queryable (s)", func(b *BackendReport) figure { return number(b.Ingest.SecondsToQueryable, "%.2f") }},
		{"lag after last send (s)", func(b *BackendReport) figure { return number(b.Ingest.LagAfterSendSeconds, "%.2f") }},
		{"ingest (spans/s)", func(b *BackendReport) figure { return number(b.Ingest.SpansPerSecond, "%.0f") }},
	}
	if r.Workload.Events == 0 {
		return rows
	}
	return append(rows,
		resultRow{"events stored / expected", func(b *BackendReport) figure {
			if b.Ingest.ExpectedEvents == nil {
				return text("not stored here")
			}
			return text(fmt.Sprintf("%s / %s", intText(b.Ingest.StoredEvents), intText(b.Ingest.ExpectedEvents)))
		}},
		resultRow{"events time to queryable (s)", func(b *BackendReport) figure { return number(b.Ingest.EventsSecondsToQueryable, "%.2f") }},
	)
}

// storageRows are the exporter's results and what the spans cost on disk.
func storageRows() []resultRow {
	return []resultRow{
		{"exporter sent / failed spans", func(b *BackendReport) figure {
			if b.Writes == nil {
				return missing()
			}
			return text(number(b.Writes.SentSpans, "%.0f").text + " / " + number(b.Writes.FailedSpans, "%.0f").text)
		}},
		{"bytes on disk per span", func(b *BackendReport) figure {
			if b.Storage == nil {
				return missing()
			}
			return number(b.Storage.BytesPerSpan, "%.1f")
		}},
		{"storage growth", func(b *BackendReport) figure {
			if b.Storage == nil {
				return missing()
			}
			return mib(Ptr(float64(b.Storage.After.Bytes - b.Storage.Before.Bytes)))
		}},
	}
}

// queryRows are one query kind's latency percentiles and its errors.
func queryRows(kind string) []resultRow {
	var rows []resultRow
	for _, pct := range []struct {
		name string
		of   func(*QueryReport) *float64
	}{
		{"p50", func(q *QueryReport) *float64 { return q.P50Ms }},
		{"p95", func(q *QueryReport) *float64 { return q.P95Ms }},
		{"p99", func(q *QueryReport) *float64 { return q.P99Ms }},
	} {
		rows = append(rows, resultRow{fmt.Sprintf("%s %s (ms)", kind, pct.name), func(b *BackendReport) figure {
			if q := b.Queries[kind]; q != nil {
				return number(pct.of(q), "%.1f")
			}
			return missing()
		}})
	}
	return append(rows, resultRow{kind + " errors / wrong answers", func(b *BackendReport) figure {
		return queryErrors(kind, b.Queries[kind])
	}})
}

// queryErrors is a query kind's errors and wrong answers out of its
// queries, with how many results an answer held on average.
func queryErrors(kind string, q *QueryReport) figure {
	if q == nil {
		return missing()
	}
	if q.Skipped != "" {
		return text("not run: " + q.Skipped)
	}
	per := "spans"
	if kind == QuerySearch {
		per = "traces"
	}
	avg := 0.0
	if q.Queries > 0 {
		avg = float64(q.ExpectedResults) / float64(q.Queries)
	}
	return text(fmt.Sprintf("%d / %d of %d (%.1f %s per answer)", q.Errors, q.WrongAnswers, q.Queries, avg, per))
}

// costRows are the backend processes' CPU and peak memory.
func costRows() []resultRow {
	return []resultRow{
		{"backend CPU (s)", func(b *BackendReport) figure {
			if b.Cost == nil {
				return missing()
			}
			return number(b.Cost.CPUSeconds, "%.2f")
		}},
		{"backend peak memory", func(b *BackendReport) figure {
			if b.Cost == nil {
				return missing()
			}
			return mib(b.Cost.PeakRSSBytes)
		}},
	}
}
