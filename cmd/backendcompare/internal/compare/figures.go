package compare // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/compare"

import (
	"context"
	"fmt"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/measure"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"
	"github.com/otelcol-events/otelcol-events/internal/proctree"
)

func (c *comparison) storage(ctx context.Context, when string) map[int]backend.StorageStats {
	out := map[int]backend.StorageStats{}
	for i, b := range c.live {
		qctx, cancel := context.WithTimeout(ctx, c.cfg.Queries.Timeout)
		st, err := b.Storage(qctx)
		cancel()
		if err != nil {
			backendProblem(c.out, c.report.Backends[i], fmt.Sprintf("storage size %s the run: %v", when, err))
			continue
		}
		out[i] = st
	}
	return out
}

func (c *comparison) storageFigures(before, after map[int]backend.StorageStats) {
	for i := range c.live {
		b, okB := before[i]
		a, okA := after[i]
		if !okB || !okA {
			continue
		}
		br := c.report.Backends[i]
		sr := &report.StorageReport{Before: b, After: a}
		if grown := a.Bytes - b.Bytes; grown > 0 && br.Ingest.StoredSpans > 0 {
			sr.BytesPerSpan = report.Ptr(float64(grown) / float64(min(br.Ingest.StoredSpans, br.Ingest.ExpectedSpans)))
		} else {
			br.Notes = append(br.Notes, fmt.Sprintf("storage did not grow during the run (%d → %d bytes): a background merge or compaction shrank it; bytes per span not measured", b.Bytes, a.Bytes))
		}
		br.Storage = sr
	}
}

// costFigures fills the collectors', the processes' and every backend's
// cost, and each backend's exporter results.
func (c *comparison) costFigures() {
	collectors := map[string]measure.CollectorFigures{}
	for _, col := range c.cfg.Collectors {
		f := c.collectors[col.Name].Figures()
		collectors[col.Name] = f
		c.report.Collectors = append(c.report.Collectors, report.CollectorReport{
			Name: col.Name, MetricsURL: col.MetricsURL, CPUSeconds: f.CPUSeconds, PeakRSSBytes: f.PeakRSSBytes,
			Scrapes: f.Scrapes, FailedScrapes: f.Failures, ReceiverAcceptedSpans: f.ReceiverAcceptedSpans,
			ReceiverRefusedSpans: f.ReceiverRefusedSpans, Problems: f.Problems,
		})
		if f.Scrapes == 0 {
			c.problem(fmt.Sprintf("collector %s: no metrics could be read from %s", col.Name, col.MetricsURL))
		}
	}
	processes := map[string]proctree.Figures{}
	for _, p := range c.cfg.Processes {
		f := c.processes[p.Name].Figures()
		processes[p.Name] = f
		c.report.Processes = append(c.report.Processes, report.ProcessReport{
			Name: p.Name, PIDFile: p.PIDFile, CPUSeconds: f.CPUSeconds, PeakRSSBytes: f.PeakRSSBytes,
			Samples: f.Samples, Problems: f.Problems,
		})
		if f.Samples == 0 {
			c.problem(fmt.Sprintf("process %s: could not be measured (%v)", p.Name, f.Problems))
		}
	}
	for i, bc := range c.cfg.Backends {
		br := c.report.Backends[i]
		if pf, ok := processes[bc.Process]; ok {
			br.Cost = &report.CostReport{Process: bc.Process, CPUSeconds: pf.CPUSeconds, PeakRSSBytes: pf.PeakRSSBytes}
		} else if cf, ok := collectors[bc.Process]; ok {
			br.Cost = &report.CostReport{Process: bc.Process, CPUSeconds: cf.CPUSeconds, PeakRSSBytes: cf.PeakRSSBytes}
		}
		if bc.Exporter.Name != "" {
			br.Writes = c.writes(br, bc.Exporter.Collector, bc.Exporter.Name, collectors[bc.Exporter.Collector].Scrapes > 0)
		}
	}
}

// writes is what the exporter writing to a backend said it did.
func (c *comparison) writes(br *report.BackendReport, collector, exporter string, scraped bool) *report.WritesReport {
	s := c.collectors[collector]
	labels := map[string]string{"exporter": exporter}
	wr := &report.WritesReport{Collector: collector, Exporter: exporter}
	if v, ok := s.Delta(measure.MetricExporterSent, labels); ok {
		wr.SentSpans = report.Ptr(v)
	} else if scraped {
		br.Notes = append(br.Notes, fmt.Sprintf("collector %s has no %s for exporter %q: check the exporter name", collector, measure.MetricExporterSent, exporter))
	}
	// The collector only exposes failure counters once something failed:
	// absent means zero once the exporter is known to have sent.
	failed, _ := s.Delta(measure.MetricExporterFailed, labels)
	enqueue, _ := s.Delta(measure.MetricExporterEnqueue, labels)
	if wr.SentSpans != nil {
		wr.FailedSpans, wr.EnqueueFailedSpans = report.Ptr(failed), report.Ptr(enqueue)
		if failed > 0 || enqueue > 0 {
			br.Notes = append(br.Notes, fmt.Sprintf("exporter %s failed to send %.0f spans and could not queue %.0f during the run", exporter, failed, enqueue))
		}
	}
	return wr
}
