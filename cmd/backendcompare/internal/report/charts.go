package report // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"

import (
	"errors"
	"fmt"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

type chartFile struct{ title, file string }

// series is one set of bars (one color): a value per x category, nil where
// the figure is missing.
type series struct {
	name   string
	values []*float64
}

// writeCharts draws one PNG per measure, backends (or collectors) side by
// side. A measure nobody has a figure for is skipped, not drawn empty.
func writeCharts(r *Report, dir string) ([]chartFile, error) {
	names := r.BackendNames()
	perBackend := func(f func(*BackendReport) *float64) []*float64 {
		out := make([]*float64, len(r.Backends))
		for i, b := range r.Backends {
			out[i] = f(b)
		}
		return out
	}
	query := func(kind string, pick func(*QueryReport) *float64) func(*BackendReport) *float64 {
		return func(b *BackendReport) *float64 {
			if q := b.Queries[kind]; q != nil {
				return pick(q)
			}
			return nil
		}
	}
	var collectorNames []string
	var cpu, rss []*float64
	for _, pr := range r.Processes {
		collectorNames = append(collectorNames, pr.Name)
		cpu = append(cpu, pr.CPUSeconds)
		if pr.PeakRSSBytes != nil {
			rss = append(rss, Ptr(*pr.PeakRSSBytes/(1<<20)))
		} else {
			rss = append(rss, nil)
		}
	}
	for _, c := range r.Collectors {
		collectorNames = append(collectorNames, c.Name)
		cpu = append(cpu, c.CPUSeconds)
		if c.PeakRSSBytes != nil {
			rss = append(rss, Ptr(*c.PeakRSSBytes/(1<<20)))
		} else {
			rss = append(rss, nil)
		}
	}
	writes := func(pick func(*WritesReport) *float64) func(*BackendReport) *float64 {
		return func(b *BackendReport) *float64 {
			if b.Writes == nil {
				return nil
			}
			return pick(b.Writes)
		}
	}
	specs := []struct {
		file, title, unit string
		x                 []string
		series            []series
	}{
		{"ingest_time_to_queryable.png", "Time until all spans are queryable", "seconds (lower is better)", names,
			[]series{{"", perBackend(func(b *BackendReport) *float64 { return b.Ingest.SecondsToQueryable })}}},
		{"ingest_spans_per_second.png", "Ingest rate until queryable", "spans per second (higher is better)", names,
			[]series{{"", perBackend(func(b *BackendReport) *float64 { return b.Ingest.SpansPerSecond })}}},
		{"writes.png", "Collector exporter results", "spans", names, []series{
			{"sent", perBackend(writes(func(w *WritesReport) *float64 { return w.SentSpans }))},
			{"failed", perBackend(writes(func(w *WritesReport) *float64 { return w.FailedSpans }))},
		}},
		{"storage_bytes_per_span.png", "Bytes on disk per span", "bytes (lower is better)", names,
			[]series{{"", perBackend(func(b *BackendReport) *float64 {
				if b.Storage == nil {
					return nil
				}
				return b.Storage.BytesPerSpan
			})}}},
		{"query_trace_by_id.png", "Trace by id: latency", "milliseconds (lower is better)", names, []series{
			{"p50", perBackend(query(QueryTraceByID, func(q *QueryReport) *float64 { return q.P50Ms }))},
			{"p95", perBackend(query(QueryTraceByID, func(q *QueryReport) *float64 { return q.P95Ms }))},
			{"p99", perBackend(query(QueryTraceByID, func(q *QueryReport) *float64 { return q.P99Ms }))},
		}},
		{"query_search.png", "Search (service, window, attribute): latency", "milliseconds (lower is better)", names, []series{
			{"p50", perBackend(query(QuerySearch, func(q *QueryReport) *float64 { return q.P50Ms }))},
			{"p95", perBackend(query(QuerySearch, func(q *QueryReport) *float64 { return q.P95Ms }))},
			{"p99", perBackend(query(QuerySearch, func(q *QueryReport) *float64 { return q.P99Ms }))},
		}},
		{"backend_cpu_seconds.png", "Backend CPU during the run", "CPU seconds (lower is better)", names,
			[]series{{"", perBackend(func(b *BackendReport) *float64 {
				if b.Cost == nil {
					return nil
				}
				return b.Cost.CPUSeconds
			})}}},
		{"backend_peak_rss.png", "Backend peak resident memory", "MiB (lower is better)", names,
			[]series{{"", perBackend(func(b *BackendReport) *float64 {
				if b.Cost == nil || b.Cost.PeakRSSBytes == nil {
					return nil
				}
				return Ptr(*b.Cost.PeakRSSBytes / (1 << 20))
			})}}},
		{"collector_cpu_seconds.png", "Collectors and processes: CPU during the run", "CPU seconds (lower is better)", collectorNames, []series{{"", cpu}}},
		{"collector_peak_rss.png", "Collectors and processes: peak resident memory", "MiB (lower is better)", collectorNames, []series{{"", rss}}},
	}
	var files []chartFile
	var errs []error
	for _, s := range specs {
		if !anyValue(s.series) {
			continue
		}
		if err := barChart(filepath.Join(dir, s.file), s.title, s.unit, s.x, s.series); err != nil {
			errs = append(errs, fmt.Errorf("chart %s: %w", s.file, err))
			continue
		}
		files = append(files, chartFile{title: s.title, file: s.file})
	}
	return files, errors.Join(errs...)
}

func anyValue(ss []series) bool {
	for _, s := range ss {
		for _, v := range s.values {
			if v != nil {
				return true
			}
		}
	}
	return false
}

// barChart draws one bar per (series, x) pair, grouped by series and
// colored by x (the backend or collector), with each figure written over
// its bar. Missing figures are marked "n/a" under their bar.
func barChart(path, title, unit string, x []string, ss []series) error {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = unit
	p.Add(plotter.NewGrid())
	n := len(ss) * len(x)
	categories := make([]string, n)
	top := 0.0
	var figures plotter.XYLabels
	for bi, name := range x {
		vals := make(plotter.Values, n)
		for si, s := range ss {
			c := si*len(x) + bi
			// The legend names the colors; a bar's own label only needs
			// its series when there are several of each.
			switch {
			case s.name == "":
				categories[c] = name
			case len(x) > 1:
				categories[c] = s.name
			default:
				categories[c] = s.name + "\n" + name
			}
			v := s.values[bi]
			if v == nil {
				categories[c] += "\n(n/a)"
				continue
			}
			vals[c] = *v
			top = max(top, *v)
			figures.XYs = append(figures.XYs, plotter.XY{X: float64(c), Y: *v})
			figures.Labels = append(figures.Labels, formatFigure(*v))
		}
		bars, err := plotter.NewBarChart(vals, vg.Points(36))
		if err != nil {
			return err
		}
		bars.Color = plotutil.Color(bi)
		bars.LineStyle.Width = 0
		p.Add(bars)
		if len(x) > 1 {
			p.Legend.Add(name, bars)
		}
	}
	p.Y.Min = 0
	p.Y.Max = max(top*1.2, 1e-9) // room for the figures and the legend
	if len(figures.XYs) > 0 {
		l, err := plotter.NewLabels(figures)
		if err != nil {
			return err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].XAlign = -0.5 // centered over the bar
		}
		p.Add(l)
	}
	p.Legend.Top = true
	p.NominalX(categories...)
	return p.Save(vg.Length(max(4, 0.9*float64(n)))*vg.Inch, 3.5*vg.Inch, path)
}

func formatFigure(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}
