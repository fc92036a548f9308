package compare // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/compare"

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"
)

// queryRun accumulates one backend's answers to one kind of query.
type queryRun struct {
	rep       *report.QueryReport
	durations []time.Duration
}

// record counts one answer; warm-up answers are not counted.
func (a *queryRun) record(d time.Duration, got, expected int, err error, describe func(got int) string) {
	a.rep.Queries++
	a.rep.ExpectedResults += expected
	switch {
	case err != nil:
		a.rep.Errors++
		if a.rep.FirstError == "" {
			a.rep.FirstError = err.Error()
		}
	case got != expected:
		a.rep.WrongAnswers++
		a.durations = append(a.durations, d)
		if a.rep.FirstWrong == "" {
			a.rep.FirstWrong = describe(got)
		}
	default:
		a.durations = append(a.durations, d)
	}
}

var queryDescriptions = map[string]string{
	report.QueryTraceByID: "fetch one whole trace by its id",
	report.QuerySearch:    "traces of a service in a time window with customer.tier = value, fetched whole",
}

// readyBackends are the backends that hold all the data; the others are
// noted and left out of the query phase.
func (c *comparison) readyBackends() map[int]backend.Backend {
	ready := map[int]backend.Backend{}
	for i, b := range c.live {
		if c.report.Backends[i].Ingest.SecondsToQueryable != nil {
			ready[i] = b
		} else {
			c.report.Backends[i].Notes = append(c.report.Backends[i].Notes, "queries skipped: the backend does not hold all the data")
		}
	}
	return ready
}

// runQueries runs the plan on every backend that holds all the data,
// interleaved so that machine noise hits every backend alike.
func (c *comparison) runQueries(ctx context.Context) {
	ready := c.readyBackends()
	if len(ready) == 0 {
		return
	}
	p := c.plan()
	traces, _, _ := c.work.Snapshot()
	runs := map[int]map[string]*queryRun{}
	for i := range ready {
		runs[i] = map[string]*queryRun{}
		for _, kind := range report.QueryKinds {
			runs[i][kind] = &queryRun{rep: &report.QueryReport{Description: queryDescriptions[kind], Skipped: c.cfg.Backends[i].SkipQueries[kind]}}
		}
	}
	order := slices.Sorted(maps.Keys(ready))
	var doneCount int64
	var mu sync.Mutex
	bar := startProgress(c.out, c.tty, "queries", int64(len(p.traces)+len(p.searches))*int64(len(order)), func() int64 {
		mu.Lock()
		defer mu.Unlock()
		return doneCount
	}, nil)
	measure := func(i int, kind string, warmup bool, run func(context.Context) (int, error), expected int, describe func(got int) string) {
		a := runs[i][kind]
		if a.rep.Skipped == "" {
			qctx, cancel := context.WithTimeout(ctx, c.cfg.Queries.Timeout)
			start := time.Now()
			got, err := run(qctx)
			d := time.Since(start)
			cancel()
			if !warmup {
				a.record(d, got, expected, err, describe)
			}
		}
		mu.Lock()
		doneCount++
		mu.Unlock()
	}
	for n, ti := range p.traces {
		t := traces[ti]
		for _, i := range order {
			measure(i, report.QueryTraceByID, n == 0, func(ctx context.Context) (int, error) {
				return ready[i].TraceByID(ctx, t.ID, t.Start, t.End)
			}, t.Spans, func(got int) string {
				return fmt.Sprintf("trace %s: %d spans, want %d", t.ID, got, t.Spans)
			})
		}
	}
	for n, s := range p.searches {
		for _, i := range order {
			measure(i, report.QuerySearch, n == 0, func(ctx context.Context) (int, error) {
				return ready[i].SearchTraces(ctx, s.q)
			}, s.expected, func(got int) string {
				return fmt.Sprintf("service %s, %s=%s, %s..%s: %d traces, want %d", s.q.Service, s.q.AttrKey, s.q.AttrValue,
					s.q.Start.Format(time.RFC3339Nano), s.q.End.Format(time.RFC3339Nano), got, s.expected)
			})
		}
	}
	bar.finish()
	for _, i := range order {
		c.queryFigures(c.report.Backends[i], runs[i])
	}
}

// queryFigures moves a backend's query results into the report; failed or
// wrong answers are problems, skipped kinds a note.
func (c *comparison) queryFigures(br *report.BackendReport, runs map[string]*queryRun) {
	for _, kind := range report.QueryKinds {
		a := runs[kind]
		a.rep.LatencySummary(a.durations)
		br.Queries[kind] = a.rep
		if a.rep.Skipped != "" {
			br.Notes = append(br.Notes, fmt.Sprintf("%s queries not run: %s", kind, a.rep.Skipped))
		}
		if a.rep.Errors > 0 {
			backendProblem(c.out, br, fmt.Sprintf("%d of %d %s queries failed; first: %s", a.rep.Errors, a.rep.Queries, kind, a.rep.FirstError))
		}
		if a.rep.WrongAnswers > 0 {
			backendProblem(c.out, br, fmt.Sprintf("%d of %d %s queries answered wrong; first: %s", a.rep.WrongAnswers, a.rep.Queries, kind, a.rep.FirstWrong))
		}
	}
}
