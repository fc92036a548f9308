package compare // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/compare"

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync/atomic"
	"time"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"
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
	round := c.newQueryRound(ready)
	bar := startProgress(c.out, c.tty, "queries", int64(len(p.traces)+len(p.searches))*int64(len(round.order)), round.done.Load, nil)
	for n, ti := range p.traces {
		round.traceByID(ctx, traces[ti], n == 0)
	}
	for n, s := range p.searches {
		round.search(ctx, s, n == 0)
	}
	bar.finish()
	for _, i := range round.order {
		c.queryFigures(c.report.Backends[i], round.runs[i])
	}
}

// queryRound asks every ready backend each query of the plan in turn, and
// keeps each backend's answers per kind of query.
type queryRound struct {
	ready   map[int]backend.Backend
	order   []int // the ready backends' indexes, in the order they are asked
	runs    map[int]map[string]*queryRun
	timeout time.Duration
	done    atomic.Int64 // queries asked so far, skipped ones included, for the progress bar
}

func (c *comparison) newQueryRound(ready map[int]backend.Backend) *queryRound {
	round := &queryRound{ready: ready, order: slices.Sorted(maps.Keys(ready)), runs: map[int]map[string]*queryRun{}, timeout: c.cfg.Queries.Timeout}
	for i := range ready {
		round.runs[i] = map[string]*queryRun{}
		for _, kind := range report.QueryKinds {
			round.runs[i][kind] = &queryRun{rep: &report.QueryReport{Description: queryDescriptions[kind], Skipped: c.cfg.Backends[i].SkipQueries[kind]}}
		}
	}
	return round
}

// traceByID asks every backend for one whole trace.
func (q *queryRound) traceByID(ctx context.Context, t workload.Trace, warmup bool) {
	for _, i := range q.order {
		q.measure(ctx, i, report.QueryTraceByID, warmup, func(ctx context.Context) (int, error) {
			return q.ready[i].TraceByID(ctx, t.ID, t.Start, t.End)
		}, t.Spans, func(got int) string {
			return fmt.Sprintf("trace %s: %d spans, want %d", t.ID, got, t.Spans)
		})
	}
}

// search asks every backend one planned search.
func (q *queryRound) search(ctx context.Context, s plannedSearch, warmup bool) {
	for _, i := range q.order {
		q.measure(ctx, i, report.QuerySearch, warmup, func(ctx context.Context) (int, error) {
			return q.ready[i].SearchTraces(ctx, s.q)
		}, s.expected, func(got int) string {
			return fmt.Sprintf("service %s, %s=%s, %s..%s: %d traces, want %d", s.q.Service, s.q.AttrKey, s.q.AttrValue,
				s.q.Start.Format(time.RFC3339Nano), s.q.End.Format(time.RFC3339Nano), got, s.expected)
		})
	}
}

// measure times one query of backend i, unless its kind is skipped for
// that backend; a warm-up query is asked but not counted.
func (q *queryRound) measure(ctx context.Context, i int, kind string, warmup bool, run func(context.Context) (int, error), expected int, describe func(got int) string) {
	defer q.done.Add(1)
	a := q.runs[i][kind]
	if a.rep.Skipped != "" {
		return
	}
	qctx, cancel := context.WithTimeout(ctx, q.timeout)
	start := time.Now()
	got, err := run(qctx)
	d := time.Since(start)
	cancel()
	if !warmup {
		a.record(d, got, expected, err, describe)
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
