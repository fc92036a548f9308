//go:build integration

package integration

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// stallLimit is how long a count may stay put before the rows it waits
// for count as lost rather than late.
const stallLimit = time.Minute

// waitForAtLeast polls a count query until it reaches want and returns
// when. A failing query (ClickHouse restarting in a fault test) is tried
// again; the wait gives up at timeout, or sooner once the count has not
// moved for stallLimit.
func waitForAtLeast(t testing.TB, query string, want int, timeout time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last, lastMoved := -1, time.Now()
	for {
		got, err := chCount(t, query)
		if err == nil && got >= want {
			return time.Now()
		}
		if err == nil && got != last {
			last, lastMoved = got, time.Now()
		}
		require.False(t, time.Now().After(deadline), "%d of %d after %s (last error: %v): %s", last, want, timeout, err, query)
		require.Less(t, time.Since(lastMoved), stallLimit, "%d of %d, and no more for %s (last error: %v): %s", last, want, stallLimit, err, query)
		time.Sleep(100 * time.Millisecond)
	}
}

// waitForCount waits until a count query reaches want, then checks for a
// while that it stays there: exactly want, no duplicates arriving late.
func waitForCount(t testing.TB, query string, want int, timeout time.Duration) {
	t.Helper()
	waitForAtLeast(t, query, want, timeout)
	got, err := chCount(t, query)
	require.NoError(t, err, query)
	require.Equal(t, want, got, "count when reached: %s", query)
	time.Sleep(2 * time.Second) // a late duplicate has this long to show
	got, err = chCount(t, query)
	require.NoError(t, err)
	require.Equal(t, want, got, "count changed after it was reached (duplicates?): %s", query)
}
