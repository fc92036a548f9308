// Package compare runs one comparison: it connects to every backend, sends
// the workload through the collector, waits until every backend serves it,
// measures storage and cost, runs the seeded queries, and fills the report.
// Each phase is a file of its own.
package compare // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/compare"

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend/clickhouse"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend/jaeger"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/measure"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/sender"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"
	"github.com/otelcol-events/otelcol-events/internal/proctree"
)

// comparison is one run: the workload, the samplers and the backends, and
// the report they fill.
type comparison struct {
	cfg        config.Config
	out        io.Writer
	tty        bool
	report     *report.Report
	work       *workload.Workload
	send       *sender.Sender
	collectors map[string]*measure.Collector
	processes  map[string]*proctree.Tree
	// live are the backends that passed their check, by report index.
	live map[int]backend.Backend
}

// Run runs every phase and always returns the report, complete or not.
func Run(ctx context.Context, cfg config.Config, out io.Writer, tty bool) *report.Report {
	c := &comparison{cfg: cfg, out: out, tty: tty, collectors: map[string]*measure.Collector{},
		processes: map[string]*proctree.Tree{}, live: map[int]backend.Backend{}}
	runID := cfg.Run.RunID
	if runID == "" {
		runID = fmt.Sprintf("bc-%d-%s", cfg.Workload.Seed, time.Now().UTC().Format("20060102t150405"))
	}
	c.report = &report.Report{Tool: "backendcompare", RunID: runID, StartedAt: time.Now().UTC()}
	c.report.Workload.Config = cfg.Workload
	c.work = workload.New(cfg.Workload, runID)
	defer c.finish()

	fmt.Fprintf(out, "backendcompare: run %s, %d traces to %s\n", runID, cfg.Workload.Traces, cfg.Collector.OTLPEndpoint)
	if !c.connect(ctx) {
		return c.report
	}
	var err error
	if c.send, err = sender.New(ctx, cfg.Collector); err != nil {
		c.problem(err.Error())
		return c.report
	}

	before := c.storage(ctx, "before")
	stopSampling := c.startSampling(ctx)
	sendStart := time.Now()
	c.sendWorkload(ctx)
	sendEnd := time.Now()
	if c.report.Send.SpansAccepted > 0 {
		c.waitForBackends(ctx, sendStart, sendEnd)
	} else {
		c.problem("the collector accepted no spans: nothing to wait for or query")
		for i := range c.live {
			backendProblem(c.out, c.report.Backends[i], "not measured: the collector accepted no spans")
		}
	}
	after := c.storage(ctx, "after")
	c.storageFigures(before, after)
	c.runQueries(ctx)
	stopSampling()
	c.costFigures()
	return c.report
}

func (c *comparison) finish() {
	r := c.report
	r.FinishedAt = time.Now().UTC()
	r.Complete = len(r.Problems) == 0
	for _, b := range r.Backends {
		r.Complete = r.Complete && b.Complete
	}
}

func (c *comparison) problem(msg string) {
	fmt.Fprintln(c.out, "problem:", msg)
	c.report.Problems = append(c.report.Problems, msg)
}

func backendProblem(out io.Writer, b *report.BackendReport, msg string) {
	fmt.Fprintf(out, "problem: %s: %s\n", b.Name, msg)
	b.Problems = append(b.Problems, msg)
	b.Complete = false
}

// newBackend builds the adapter a backend's type names.
func newBackend(ctx context.Context, cfg config.BackendConfig, timeout time.Duration, recordDir string) (backend.Backend, error) {
	if recordDir != "" {
		recordDir = recordDir + "/" + cfg.Name
	}
	switch cfg.Type {
	case config.BackendClickHouse:
		return clickhouse.New(ctx, cfg.ClickHouse, timeout, recordDir)
	case config.BackendJaeger:
		return jaeger.New(ctx, cfg.Jaeger, timeout, recordDir)
	}
	return nil, fmt.Errorf("unknown backend type %q", cfg.Type)
}

// connect builds and checks every backend. A backend that fails its check
// stays in the report (marked incomplete) and is left out of the run; with
// none left there is nothing to measure.
func (c *comparison) connect(ctx context.Context) bool {
	for _, col := range c.cfg.Collectors {
		c.collectors[col.Name] = measure.NewCollector(col, c.cfg.Queries.Timeout)
	}
	for _, p := range c.cfg.Processes {
		c.processes[p.Name] = proctree.New(p.Name, proctree.PIDFile(p.PIDFile))
	}
	for i, bc := range c.cfg.Backends {
		br := &report.BackendReport{Name: bc.Name, Type: bc.Type, Complete: true, Queries: map[string]*report.QueryReport{}}
		c.report.Backends = append(c.report.Backends, br)
		b, err := newBackend(ctx, bc, c.cfg.Queries.Timeout, c.cfg.Run.RecordDir)
		if err != nil {
			backendProblem(c.out, br, err.Error())
			continue
		}
		checkCtx, cancel := context.WithTimeout(ctx, c.cfg.Queries.Timeout)
		version, err := b.Check(checkCtx)
		cancel()
		if err != nil {
			backendProblem(c.out, br, err.Error())
			continue
		}
		br.Version = version
		fmt.Fprintf(c.out, "backend %s: %s\n", bc.Name, version)
		c.live[i] = b
	}
	if len(c.live) == 0 {
		c.problem("no backend is reachable; nothing was sent")
		return false
	}
	return true
}

// startSampling reads every collector's metrics and every process once,
// then every poll interval until the returned stop is called (after the
// queries), which also takes the final readings.
func (c *comparison) startSampling(ctx context.Context) (stop func()) {
	sample := func() {
		for _, col := range c.collectors {
			_ = col.Scrape(ctx)
		}
		_ = proctree.SampleAll(slices.Collect(maps.Values(c.processes))) // failures are counted per process
	}
	sample()
	samplerCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(c.cfg.Run.PollInterval)
		defer t.Stop()
		for {
			select {
			case <-samplerCtx.Done():
				return
			case <-t.C:
				sample()
			}
		}
	})
	return func() {
		cancel()
		wg.Wait()
		sample()
	}
}
