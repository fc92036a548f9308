//go:build integration

package integration

import (
	"testing"
	"time"
)

// storedWindow is what ClickHouse stored of a run's load during a window
// of the load itself: from a quarter of the load in (the pipeline full,
// its first inserts behind it) to the last answer. Its rate is the steady
// state's stored rate. The run's other stored rate, the acknowledged
// events over the load plus the drain, also holds the drain: a pipeline
// whose agent accepts more than its gateway turns over on the shared cores
// stores that backlog after the load, at a rate the steady state never
// had, and a shorter or longer load weighs the drain differently.
type storedWindow struct {
	rows int           // stored in the window
	over time.Duration // the window's length
}

func (w storedWindow) perSecond() float64 {
	if w.over <= 0 {
		return 0
	}
	return float64(w.rows) / w.over.Seconds()
}

// storedCount is a count of stored rows and when the query that read it
// began: a ClickHouse query sees what was committed before it began.
type storedCount struct {
	at   time.Time
	rows int
	err  error
}

func countStored(t testing.TB, query string) storedCount {
	c := storedCount{at: time.Now()}
	c.rows, c.err = chCount(t, query)
	return c
}

// countStoredAt reads query's count at the moment at, in the background.
// It uses no testing failure call: a failed count is an error in the
// result, which the test's own goroutine checks.
func countStoredAt(t testing.TB, query string, at time.Time) <-chan storedCount {
	out := make(chan storedCount, 1)
	time.AfterFunc(time.Until(at), func() { out <- countStored(t, query) })
	return out
}

// storedBetween is the window from the first count to the last.
func storedBetween(first, last storedCount) storedWindow {
	return storedWindow{rows: last.rows - first.rows, over: last.at.Sub(first.at)}
}

func TestStoredWindow(t *testing.T) {
	start := time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)
	w := storedBetween(storedCount{at: start, rows: 300_000}, storedCount{at: start.Add(15 * time.Second), rows: 1_500_000})
	if got := w.perSecond(); got != 80_000 {
		t.Errorf("1,200,000 rows over 15 s: %v per second, want 80,000", got)
	}
	if got := (storedWindow{rows: 5}).perSecond(); got != 0 {
		t.Errorf("an empty window: %v per second, want 0", got)
	}
}
