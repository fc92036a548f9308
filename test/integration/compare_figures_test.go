//go:build integration

package integration

import (
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

// assertEventsHeldOnce checks a compare run's events: the tool counted
// every one of want accepted events, and, since it counts rows (a duplicate
// could stand in for a missing event), ClickHouse asked by event id holds
// each exactly once, no fault being injected.
func assertEventsHeldOnce(t *testing.T, want int, expected, stored *int64, db, runID string) {
	t.Helper()
	require.NotNil(t, expected)
	assert.Equal(t, int64(want), *expected, "every event accepted")
	require.NotNil(t, stored)
	assert.Equal(t, *expected, *stored, "the tool's count of the stored events")
	run := fmt.Sprintf(" FROM %s.otel_logs WHERE LogAttributes['benchmark.run_id'] = '%s'", db, runID)
	waitForAtLeast(t, "SELECT uniqExact(LogAttributes['event.id'])"+run, want, time.Minute)
	held := chQuery(t, "SELECT count(), uniqExact(LogAttributes['event.id'])"+run)
	wantText := strconv.Itoa(want)
	assert.Equal(t, [][]string{{wantText, wantText}}, held, "rows and distinct event ids of the run in ClickHouse: each event once")
}
