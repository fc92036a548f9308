package compare // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/compare"

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"
)

// ingestState is one backend's progress toward holding the whole run.
type ingestState struct {
	spans, events     int64
	spansAt, eventsAt time.Time // when it held all; zero: not yet
	lastErr           error
	wantEvents        bool
}

func (st *ingestState) done() bool {
	return !st.spansAt.IsZero() && (!st.wantEvents || !st.eventsAt.IsZero())
}

// waitForBackends polls every live backend until it serves all accepted
// spans (and events), or the ingest timeout passes. It polls at a fixed
// interval, not with a backoff: the moment a backend is complete is the
// measured figure, and its resolution is the poll interval. Each backend is
// polled on its own: a backend slow to count (Jaeger asked trace by trace)
// must not hold back the next count of another, or that one's figure would
// be the slow one's count time.
func (c *comparison) waitForBackends(ctx context.Context, sendStart, sendEnd time.Time) {
	expected, expectedEvents := c.report.Send.SpansAccepted, c.report.Send.EventsAccepted
	run := backend.Run{ID: c.report.RunID, Traces: c.acceptedTraces()}
	states := map[int]*ingestState{}
	var mu sync.Mutex
	for i := range c.live {
		st := &ingestState{}
		c.report.Backends[i].Ingest.ExpectedSpans = expected
		if c.work.Config().Events > 0 && c.cfg.Backends[i].Type == config.BackendClickHouse {
			st.wantEvents = true
			c.report.Backends[i].Ingest.ExpectedEvents = report.Ptr(expectedEvents)
		}
		states[i] = st
	}
	bar := c.ingestProgress(states, &mu)
	deadline := sendEnd.Add(c.cfg.Run.IngestTimeout)
	var wg sync.WaitGroup
	for i, b := range c.live {
		wg.Go(func() { c.pollBackend(ctx, b, run, states[i], &mu, deadline) })
	}
	wg.Wait()
	bar.finish()
	for i, st := range states {
		c.ingestFigures(c.report.Backends[i], st, expected, expectedEvents, sendStart, sendEnd)
	}
}

// ingestProgress shows the stored spans of every backend (and events where
// they are counted) while the backends are polled.
func (c *comparison) ingestProgress(states map[int]*ingestState, mu *sync.Mutex) *progress {
	expected, expectedEvents := c.report.Send.SpansAccepted, c.report.Send.EventsAccepted
	return startProgress(c.out, c.tty, "stored", expected*int64(len(c.live)), func() int64 {
		mu.Lock()
		defer mu.Unlock()
		var total int64
		for _, st := range states {
			total += min(st.spans, expected)
		}
		return total
	}, func() string {
		mu.Lock()
		defer mu.Unlock()
		var parts []string
		for _, i := range slices.Sorted(maps.Keys(c.live)) {
			part := fmt.Sprintf("%s %d spans", c.report.Backends[i].Name, states[i].spans)
			if states[i].wantEvents {
				part += fmt.Sprintf(" %d/%d events", states[i].events, expectedEvents)
			}
			parts = append(parts, part)
		}
		return strings.Join(parts, ", ")
	})
}

// pollBackend counts one backend's data every poll interval until it holds
// all of it, the deadline passes or ctx ends.
func (c *comparison) pollBackend(ctx context.Context, b backend.Backend, run backend.Run, st *ingestState, mu *sync.Mutex, deadline time.Time) {
	ticker := time.NewTicker(c.cfg.Run.PollInterval)
	defer ticker.Stop()
	for {
		c.countOnce(ctx, b, run, st, mu)
		mu.Lock()
		done := st.done()
		mu.Unlock()
		if done || time.Now().After(deadline) || ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
		case <-ticker.C:
		}
	}
}

// acceptedTraces are the traces the backends must hold.
func (c *comparison) acceptedTraces() []workload.Trace {
	traces, _, _ := c.work.Snapshot()
	var out []workload.Trace
	for _, t := range traces {
		if t.Accepted {
			out = append(out, t)
		}
	}
	return out
}

// countOnce asks one backend for its counts.
func (c *comparison) countOnce(ctx context.Context, b backend.Backend, run backend.Run, st *ingestState, mu *sync.Mutex) {
	expected, expectedEvents := c.report.Send.SpansAccepted, c.report.Send.EventsAccepted
	qctx, cancel := context.WithTimeout(ctx, c.cfg.Queries.Timeout)
	defer cancel()
	n, err := b.CountSpans(qctx, run)
	now := time.Now()
	// Events are counted until they are all held; the spans may take
	// longer, and a poll that did not count the events must leave their
	// last count alone. Only this backend's poller writes st; mu guards
	// what the progress bar reads.
	countEvents := err == nil && st.wantEvents && st.eventsAt.IsZero()
	var ev int64
	var evErr error
	if countEvents {
		ev, evErr = b.CountEvents(qctx, run.ID)
	}
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		st.lastErr = err
		return
	}
	st.lastErr = evErr
	st.spans = n
	if n >= expected && st.spansAt.IsZero() {
		st.spansAt = now
	}
	if countEvents && evErr == nil {
		st.events = ev
		if ev >= expectedEvents {
			st.eventsAt = now
		}
	}
}

// ingestFigures turns a backend's final state into its report.
func (c *comparison) ingestFigures(br *report.BackendReport, st *ingestState, expected, expectedEvents int64, sendStart, sendEnd time.Time) {
	br.Ingest.StoredSpans = st.spans
	if st.wantEvents {
		br.Ingest.StoredEvents = report.Ptr(st.events)
	}
	if !st.spansAt.IsZero() {
		secs := st.spansAt.Sub(sendStart).Seconds()
		br.Ingest.SecondsToQueryable = report.Ptr(secs)
		br.Ingest.LagAfterSendSeconds = report.Ptr(max(st.spansAt.Sub(sendEnd).Seconds(), 0))
		if secs > 0 {
			br.Ingest.SpansPerSecond = report.Ptr(float64(expected) / secs)
		}
		noteDuplicates(br, "spans", st.spans, expected)
	} else {
		msg := fmt.Sprintf("holds %d of %d spans %s after the last one was sent (run.ingest_timeout)", st.spans, expected, c.cfg.Run.IngestTimeout)
		if st.lastErr != nil {
			msg += "; last count failed: " + st.lastErr.Error()
		}
		backendProblem(c.out, br, msg)
	}
	if st.wantEvents {
		if !st.eventsAt.IsZero() {
			br.Ingest.EventsSecondsToQueryable = report.Ptr(st.eventsAt.Sub(sendStart).Seconds())
			noteDuplicates(br, "events", st.events, expectedEvents)
		} else {
			backendProblem(c.out, br, fmt.Sprintf("holds %d of %d events after the ingest timeout", st.events, expectedEvents))
		}
	}
}

// noteDuplicates notes a backend that holds more than was accepted: at
// least once allows it, and the reader of the figures should know.
func noteDuplicates(br *report.BackendReport, what string, held, accepted int64) {
	if held > accepted {
		br.Notes = append(br.Notes, fmt.Sprintf("holds %d %s for %d accepted: duplicates (redelivery after a retry)", held, what, accepted))
	}
}
