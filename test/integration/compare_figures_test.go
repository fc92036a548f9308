//go:build integration

package integration

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// figures is every figure TestBackendCompareOnLocalStack asserts on, a few
// lines long: printed last when it fails, they are what a CI log's tail
// shows (the tool's output and report.md are far longer).
func (r compareReport) figures() string {
	var b strings.Builder
	fmt.Fprintf(&b, "---- the figures asserted on ----\ncomplete %v, problems %q\n", r.Complete, r.Problems)
	fmt.Fprintf(&b, "workload %d spans; sent: spans %d accepted %d rejected, events %d accepted %d rejected\n",
		r.Workload.Spans, r.Send.SpansAccepted, r.Send.SpansRejected, r.Send.EventsAccepted, r.Send.EventsRejected)
	for _, be := range r.Backends {
		fmt.Fprintf(&b, "backend %s (%s): complete %v, spans %d of %d, events %s of %s", be.Name, be.Version, be.Complete,
			be.Ingest.StoredSpans, be.Ingest.ExpectedSpans, pointed(be.Ingest.StoredEvents), pointed(be.Ingest.ExpectedEvents))
		if be.Writes != nil {
			fmt.Fprintf(&b, ", exporter sent %s failed %s", pointed(be.Writes.SentSpans), pointed(be.Writes.FailedSpans))
		}
		fmt.Fprintf(&b, ", problems %q, notes %q\n", be.Problems, be.Notes)
	}
	for _, c := range r.Collectors {
		fmt.Fprintf(&b, "collector %s: CPU s %s, peak RSS %s\n", c.Name, pointed(c.CPUSeconds), pointed(c.PeakRSSBytes))
	}
	return b.String()
}

// pointed is *v as text, or "none" for a figure the report left out.
func pointed[T any](v *T) string {
	if v == nil {
		return "none"
	}
	return fmt.Sprint(*v)
}

// heldEvents is what ClickHouse holds of one compare run's events.
type heldEvents struct {
	checked        bool
	rows, distinct int
	err            error
}

func (h heldEvents) String() string {
	if !h.checked {
		return ""
	}
	return fmt.Sprintf("ClickHouse holds %d rows, %d distinct event ids of the run (last query error: %v)\n", h.rows, h.distinct, h.err)
}

// assertEventsHeldOnce checks a compare run's events in ClickHouse: the
// tool counted every one of want accepted events, and, since it counts rows
// (a duplicate could stand in for a missing event), the store asked by
// event id holds each exactly once, no fault being injected.
func assertEventsHeldOnce(t *testing.T, held *heldEvents, want int, expected, stored *int64, db, runID string) {
	t.Helper()
	require.NotNil(t, expected)
	assert.Equal(t, int64(want), *expected, "every event accepted")
	require.NotNil(t, stored)
	assert.Equal(t, *expected, *stored, "the tool's count of the stored events")
	waitForHeldEvents(t, held, db, runID, want)
	assert.Equal(t, want, held.distinct, "distinct events of the run in ClickHouse")
	assert.Equal(t, held.distinct, held.rows, "rows of the run's events in ClickHouse: none stored twice")
}

// waitForHeldEvents asks ClickHouse for the run's events by id until it
// holds want distinct ones or a minute passes, keeping the last answer in
// held (which a failure's explanation prints).
func waitForHeldEvents(t *testing.T, held *heldEvents, db, runID string, want int) {
	t.Helper()
	query := fmt.Sprintf("SELECT count(), uniqExact(LogAttributes['event.id']) FROM %s.otel_logs WHERE LogAttributes['benchmark.run_id'] = '%s' FORMAT TSV", db, runID)
	require.Eventually(t, func() bool {
		*held = countHeldEvents(query)
		return held.err == nil && held.distinct >= want
	}, time.Minute, 200*time.Millisecond, "ClickHouse never held the run's %d events: %s", want, query)
}

func countHeldEvents(query string) heldEvents {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	held := heldEvents{checked: true}
	out, err := suite.ch.Query(ctx, query)
	if err != nil {
		held.err = err
		return held
	}
	rows, distinct, ok := strings.Cut(strings.TrimSpace(out), "\t")
	if !ok {
		held.err = fmt.Errorf("unexpected answer %q", out)
		return held
	}
	held.rows, _ = strconv.Atoi(rows)
	held.distinct, _ = strconv.Atoi(distinct)
	return held
}
