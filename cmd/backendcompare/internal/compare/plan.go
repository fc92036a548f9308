package compare

import (
	"math/rand/v2"
	"time"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"
)

// queryPlan is the seeded list of queries every backend answers: the same
// traces and the same searches, so the latencies compare like with like.
type queryPlan struct {
	traces   []int // indexes into the workload's traces
	searches []plannedSearch
}

type plannedSearch struct {
	q        backend.TraceSearch
	expected int
}

func (c *comparison) plan() queryPlan {
	traces, _, _ := c.work.Snapshot()
	rng := rand.New(rand.NewPCG(c.cfg.Workload.Seed, 0x9E4E5))
	var p queryPlan
	// Only traces the collector accepted: a cancelled or refused request
	// never reached the backends.
	var sent []int
	for i, t := range traces {
		if t.Accepted {
			sent = append(sent, i)
		}
	}
	if len(sent) == 0 {
		return p
	}
	perm := rng.Perm(len(sent))
	for i := range c.cfg.Queries.Repeat + 1 { // +1: the warm-up
		p.traces = append(p.traces, sent[perm[i%len(perm)]])
	}
	first, last := traces[sent[0]].Start, traces[sent[0]].End
	for _, i := range sent {
		first = minTime(first, traces[i].Start)
		last = maxTime(last, traces[i].End)
	}
	keys := c.work.SearchKeys()
	for range c.cfg.Queries.Repeat + 1 {
		k := keys[rng.IntN(len(keys))]
		span := last.Sub(first)
		width := max(span/10, time.Millisecond)
		var ps plannedSearch
		for range 12 {
			offset := time.Duration(rng.Int64N(int64(max(span-width, 0)) + 1))
			from := first.Add(offset).Truncate(time.Microsecond)
			to := from.Add(width)
			ps = plannedSearch{
				q: backend.TraceSearch{Service: k.Service, AttrKey: workload.SearchAttrKey, AttrValue: k.Tier, RunID: c.report.RunID,
					Start: from, End: to, Limit: c.cfg.Queries.SearchLimit},
				expected: c.work.ExpectedSearch(k.Service, k.Tier, from.UnixMicro(), to.UnixMicro()),
			}
			if ps.expected <= c.cfg.Queries.SearchLimit {
				break
			}
			width /= 2
		}
		ps.expected = min(ps.expected, c.cfg.Queries.SearchLimit)
		p.searches = append(p.searches, ps)
	}
	return p
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
