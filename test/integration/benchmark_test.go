//go:build integration

package integration

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkEndToEnd measures events per second through the whole local
// stack: uploads to the agent's eventsplit receiver -> ipgeo -> Kafka
// (kfake) -> gateway (kafkalink, batch) -> ClickHouse (libchdb), from the
// first upload until ClickHouse holds every event. b.N is the number of
// uploads of 100 events, sent by 4 concurrent clients.
//
//	make build chdb && OTELCOL_EVENTS_BIN_DIR=$PWD/bin \
//	  go test -tags integration -run '^$' -bench BenchmarkEndToEnd -benchtime 300x ./test/integration/
func BenchmarkEndToEnd(b *testing.B) {
	const perUpload = 100
	s := startLinkedStack(b)
	// Warm up: topics, consumer group, ClickHouse tables.
	code, _ := uploadEvents(b, s.agent.Endpoints.Events, eventsBody("bench", "warmup", perUpload), nil)
	require.Equal(b, http.StatusOK, code)
	waitForCount(b, fmt.Sprintf("SELECT count() FROM %s.otel_logs WHERE ServiceName = 'it-app'", s.db), perUpload, 120*time.Second)

	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = eventsBody("bench", fmt.Sprintf("u%d", i), perUpload)
	}
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < 4; w++ {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				code, a := uploadEvents(b, s.agent.Endpoints.Events, bodies[i], nil)
				if code != http.StatusOK || a.Accepted != perUpload {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	uploaded := time.Since(start)
	total := perUpload * (b.N + 1)
	waitForCountQuiet(b, fmt.Sprintf("SELECT count() FROM %s.otel_logs WHERE ServiceName = 'it-app'", s.db), total, 10*time.Minute)
	stored := time.Since(start)
	b.StopTimer()
	require.Zero(b, failed.Load(), "failed uploads")
	b.ReportMetric(float64(perUpload*b.N)/stored.Seconds(), "events/s_stored")
	b.ReportMetric(float64(perUpload*b.N)/uploaded.Seconds(), "events/s_accepted")
	b.ReportMetric(0, "ns/op")
}

// waitForCountQuiet polls a count until it reaches want, without the
// settling check of waitForCount (which would add to the measured time).
func waitForCountQuiet(tb testing.TB, query string, want int, timeout time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got, err := chCount(tb, query)
		require.NoError(tb, err)
		if got >= want {
			require.Equal(tb, want, got, query)
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%d of %d after %s: %s", got, want, timeout, query)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
