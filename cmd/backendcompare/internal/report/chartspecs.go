package report // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"

// chartSpec is one chart to draw: its file, its titles, the categories on
// its x axis and its series of bars.
type chartSpec struct {
	file, title, unit string
	x                 []string
	series            []series
}

// backendCharts are the charts with a bar per backend: ingest, writes,
// storage, query latency and the backend processes' cost.
func backendCharts(r *Report) []chartSpec {
	names := r.BackendNames()
	return []chartSpec{
		{"ingest_time_to_queryable.png", "Time until all spans are queryable", "seconds (lower is better)", names,
			[]series{{"", perBackend(r, func(b *BackendReport) *float64 { return b.Ingest.SecondsToQueryable })}}},
		{"ingest_spans_per_second.png", "Ingest rate until queryable", "spans per second (higher is better)", names,
			[]series{{"", perBackend(r, func(b *BackendReport) *float64 { return b.Ingest.SpansPerSecond })}}},
		{"writes.png", "Collector exporter results", "spans", names, []series{
			{"sent", perBackend(r, writes(func(w *WritesReport) *float64 { return w.SentSpans }))},
			{"failed", perBackend(r, writes(func(w *WritesReport) *float64 { return w.FailedSpans }))},
		}},
		{"storage_bytes_per_span.png", "Bytes on disk per span", "bytes (lower is better)", names,
			[]series{{"", perBackend(r, bytesPerSpan)}}},
		{"query_trace_by_id.png", "Trace by id: latency", "milliseconds (lower is better)", names, latencySeries(r, QueryTraceByID)},
		{"query_search.png", "Search (service, window, attribute): latency", "milliseconds (lower is better)", names, latencySeries(r, QuerySearch)},
		{"backend_cpu_seconds.png", "Backend CPU during the run", "CPU seconds (lower is better)", names,
			[]series{{"", perBackend(r, backendCPUSeconds)}}},
		{"backend_peak_rss.png", "Backend peak resident memory", "MiB (lower is better)", names,
			[]series{{"", perBackend(r, backendPeakRSSMiB)}}},
	}
}

// processCharts are the charts with a bar per measured process that is not
// a backend: the collectors and the stack's other processes.
func processCharts(r *Report) []chartSpec {
	var names []string
	var cpu, rss []*float64
	add := func(name string, cpuSeconds, peakRSSBytes *float64) {
		names = append(names, name)
		cpu = append(cpu, cpuSeconds)
		rss = append(rss, mebibytes(peakRSSBytes))
	}
	for _, p := range r.Processes {
		add(p.Name, p.CPUSeconds, p.PeakRSSBytes)
	}
	for _, c := range r.Collectors {
		add(c.Name, c.CPUSeconds, c.PeakRSSBytes)
	}
	return []chartSpec{
		{"collector_cpu_seconds.png", "Collectors and processes: CPU during the run", "CPU seconds (lower is better)", names, []series{{"", cpu}}},
		{"collector_peak_rss.png", "Collectors and processes: peak resident memory", "MiB (lower is better)", names, []series{{"", rss}}},
	}
}

// perBackend is pick's figure of every backend, in the report's order.
func perBackend(r *Report, pick func(*BackendReport) *float64) []*float64 {
	out := make([]*float64, len(r.Backends))
	for i, b := range r.Backends {
		out[i] = pick(b)
	}
	return out
}

// latencySeries are the p50, p95 and p99 bars of one query kind.
func latencySeries(r *Report, kind string) []series {
	query := func(pick func(*QueryReport) *float64) func(*BackendReport) *float64 {
		return func(b *BackendReport) *float64 {
			if q := b.Queries[kind]; q != nil {
				return pick(q)
			}
			return nil
		}
	}
	return []series{
		{"p50", perBackend(r, query(func(q *QueryReport) *float64 { return q.P50Ms }))},
		{"p95", perBackend(r, query(func(q *QueryReport) *float64 { return q.P95Ms }))},
		{"p99", perBackend(r, query(func(q *QueryReport) *float64 { return q.P99Ms }))},
	}
}

func writes(pick func(*WritesReport) *float64) func(*BackendReport) *float64 {
	return func(b *BackendReport) *float64 {
		if b.Writes == nil {
			return nil
		}
		return pick(b.Writes)
	}
}

func bytesPerSpan(b *BackendReport) *float64 {
	if b.Storage == nil {
		return nil
	}
	return b.Storage.BytesPerSpan
}

func backendCPUSeconds(b *BackendReport) *float64 {
	if b.Cost == nil {
		return nil
	}
	return b.Cost.CPUSeconds
}

func backendPeakRSSMiB(b *BackendReport) *float64 {
	if b.Cost == nil {
		return nil
	}
	return mebibytes(b.Cost.PeakRSSBytes)
}

func mebibytes(bytes *float64) *float64 {
	if bytes == nil {
		return nil
	}
	return Ptr(*bytes / (1 << 20))
}
