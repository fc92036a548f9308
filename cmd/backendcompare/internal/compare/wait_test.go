package compare

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"
)

// A backend's final counts become its ingest figures: more than was
// accepted is a note (at least once allows it, and the reader should know),
// less is a problem that makes the run incomplete.
func TestIngestFigures(t *testing.T) {
	sendStart := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	sendEnd := sendStart.Add(time.Second)
	held := sendStart.Add(3 * time.Second)
	for _, tc := range []struct {
		name         string
		state        ingestState
		wantComplete bool
		wantNotes    []string
		wantProblem  string
	}{
		{
			name:         "exact",
			state:        ingestState{spans: 100, events: 20, spansAt: held, eventsAt: held, wantEvents: true},
			wantComplete: true,
		},
		{
			name:         "duplicated spans and events",
			state:        ingestState{spans: 103, events: 25, spansAt: held, eventsAt: held, wantEvents: true},
			wantComplete: true,
			wantNotes: []string{
				"holds 103 spans for 100 accepted: duplicates (redelivery after a retry)",
				"holds 25 events for 20 accepted: duplicates (redelivery after a retry)",
			},
		},
		{
			name:        "events missing",
			state:       ingestState{spans: 100, events: 19, spansAt: held, wantEvents: true},
			wantProblem: "holds 19 of 20 events after the ingest timeout",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &comparison{cfg: config.Default(), out: io.Discard}
			br := &report.BackendReport{Name: "clickhouse", Complete: true}
			c.ingestFigures(br, &tc.state, 100, 20, sendStart, sendEnd)
			assert.Equal(t, tc.wantComplete, br.Complete)
			assert.Equal(t, tc.wantNotes, br.Notes)
			if tc.wantProblem != "" {
				require.Len(t, br.Problems, 1)
				assert.Equal(t, tc.wantProblem, br.Problems[0])
				return
			}
			assert.Empty(t, br.Problems)
			require.NotNil(t, br.Ingest.SecondsToQueryable)
			assert.InDelta(t, 3.0, *br.Ingest.SecondsToQueryable, 1e-9)
			assert.InDelta(t, 2.0, *br.Ingest.LagAfterSendSeconds, 1e-9)
			require.NotNil(t, br.Ingest.StoredEvents)
			assert.Equal(t, tc.state.events, *br.Ingest.StoredEvents)
		})
	}
}

// stagedBackend holds every event from the first count on and its spans
// only from the third: the order the gateway's flushes give (events every
// 300 ms, spans every 2 s).
type stagedBackend struct {
	answeringBackend
	spans       []int64
	spanCounts  int
	events      int64
	eventCounts int
}

func (b *stagedBackend) CountSpans(context.Context, backend.Run) (int64, error) {
	n := b.spans[min(b.spanCounts, len(b.spans)-1)]
	b.spanCounts++
	return n, nil
}

func (b *stagedBackend) CountEvents(context.Context, string) (int64, error) {
	b.eventCounts++
	return b.events, nil
}

// Events all held before the spans: the polls that count only the spans
// keep the events' count (they once reset it to 0, and a complete run
// reported "0 of 200" events).
func TestWaitKeepsEventsHeldBeforeSpans(t *testing.T) {
	cfg := config.Default()
	cfg.Workload.Traces, cfg.Workload.Events = 20, 20
	cfg.Run.PollInterval = time.Millisecond
	cfg.Backends = []config.BackendConfig{{Name: "clickhouse", Type: config.BackendClickHouse}}
	b := &stagedBackend{spans: []int64{40, 80, 100}, events: 20}
	c := &comparison{cfg: cfg, out: io.Discard, work: workload.New(cfg.Workload, "run-1"),
		live: map[int]backend.Backend{0: b},
		report: &report.Report{RunID: "run-1", Send: report.SendReport{SpansAccepted: 100, EventsAccepted: 20},
			Backends: []*report.BackendReport{{Name: "clickhouse", Complete: true}}}}
	start := time.Now()
	c.waitForBackends(context.Background(), start, start)

	br := c.report.Backends[0]
	assert.True(t, br.Complete, br.Problems)
	assert.Equal(t, int64(100), br.Ingest.StoredSpans)
	require.NotNil(t, br.Ingest.StoredEvents)
	assert.Equal(t, int64(20), *br.Ingest.StoredEvents)
	assert.Equal(t, 3, b.spanCounts, "the spans are counted until all are held")
	assert.Equal(t, 1, b.eventCounts, "the events are not counted again once all are held")
}

// blockedBackend's first count waits until released (a Jaeger asked trace
// by trace can take seconds), then holds everything.
type blockedBackend struct {
	answeringBackend
	release  <-chan struct{}
	released bool
}

func (b *blockedBackend) CountSpans(context.Context, backend.Run) (int64, error) {
	select {
	case <-b.release:
		b.released = true
	case <-time.After(10 * time.Second): // a guard, should the wait be shared again
	}
	return 100, nil
}

// twoPollBackend holds half the spans at its first count and all at its
// second, and says when it was asked the second time.
type twoPollBackend struct {
	answeringBackend
	counts int
	second chan struct{}
}

func (b *twoPollBackend) CountSpans(context.Context, backend.Run) (int64, error) {
	b.counts++
	if b.counts == 1 {
		return 50, nil
	}
	if b.counts == 2 {
		close(b.second)
	}
	return 100, nil
}

// Each backend is polled on its own: one whose count is slow does not hold
// back another's next count, whose time to queryable would otherwise be
// the slow one's count time.
func TestWaitPollsEachBackendOnItsOwn(t *testing.T) {
	cfg := config.Default()
	cfg.Run.PollInterval = time.Millisecond
	cfg.Backends = []config.BackendConfig{{Name: "slow"}, {Name: "fast"}}
	fast := &twoPollBackend{second: make(chan struct{})}
	slow := &blockedBackend{release: fast.second}
	c := &comparison{cfg: cfg, out: io.Discard, work: workload.New(cfg.Workload, "run-1"),
		live: map[int]backend.Backend{0: slow, 1: fast},
		report: &report.Report{RunID: "run-1", Send: report.SendReport{SpansAccepted: 100},
			Backends: []*report.BackendReport{{Name: "slow", Complete: true}, {Name: "fast", Complete: true}}}}
	start := time.Now()
	c.waitForBackends(context.Background(), start, start)

	assert.True(t, slow.released, "the fast backend was counted again while the slow one's count was running")
	assert.Equal(t, 2, fast.counts)
	for _, br := range c.report.Backends {
		assert.True(t, br.Complete, "%s: %v", br.Name, br.Problems)
		assert.Equal(t, int64(100), br.Ingest.StoredSpans, br.Name)
	}
}
