//go:build integration

package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// probeAck is a probe the agent acknowledged, and when.
type probeAck struct {
	id          string
	newCategory bool
	at          time.Time
}

// probes send one-event uploads of the probe app beside the load.
type probes struct {
	mu   sync.Mutex
	acks []probeAck
	quit chan struct{}
	done chan struct{}
}

func startProbes(client *http.Client, p *benchPipeline, round int, every time.Duration) *probes {
	pr := &probes{quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(pr.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-pr.quit:
				return
			case <-tick.C:
			}
			newCategory := i%2 == 0
			category := benchCategory
			if newCategory {
				// Never seen before by this pipeline: no topic, no row.
				category = fmt.Sprintf("new_r%d_%d", round, i)
			}
			prefix := fmt.Sprintf("probe-r%d-%d", round, i)
			if n, err := p.send(client, p.body(probeApp, category, prefix, 1), 1); err == nil && n == 1 {
				pr.mu.Lock()
				pr.acks = append(pr.acks, probeAck{id: prefix + "-0", newCategory: newCategory, at: time.Now()})
				pr.mu.Unlock()
			}
		}
	}()
	return pr
}

func (pr *probes) stop() []probeAck {
	close(pr.quit)
	<-pr.done
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.acks
}

// probeWatch polls ClickHouse for the probe events. It starts a query
// every interval whether or not the last one has answered (up to
// maxPolls in flight), so a slow query does not widen the gaps between
// polls. A query returns what was committed before it began, so the start
// of the first query that returned an event bounds when it became
// queryable, to within one interval; the end of that query, the measure
// before, adds the watcher's own query time, which grows with the load.
type probeWatch struct {
	db       string
	every    time.Duration
	mu       sync.Mutex
	first    map[string]probeSeen
	quit     chan struct{}
	done     chan struct{}
	inFlight sync.WaitGroup
}

// probeSeen is when the first query that returned a probe began and when
// the first one answered.
type probeSeen struct {
	queryable, returned time.Time
}

// maxPolls bounds the watcher's queries in flight, so a stalled ClickHouse
// is not sent ever more of them.
const maxPolls = 4

func startProbeWatch(db string, every time.Duration) *probeWatch {
	w := &probeWatch{db: db, every: every, first: map[string]probeSeen{}, quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		slots := make(chan struct{}, maxPolls)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case slots <- struct{}{}:
				w.inFlight.Go(func() {
					w.poll()
					<-slots
				})
			default: // maxPolls in flight: skip this tick
			}
			select {
			case <-w.quit:
				w.inFlight.Wait()
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

func (w *probeWatch) poll() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	began := time.Now()
	out, err := suite.ch.Query(ctx, fmt.Sprintf(
		"SELECT LogAttributes['event.id'] FROM %s.otel_logs WHERE ServiceName = '%s' FORMAT TSV", w.db, probeApp))
	if err != nil {
		return // the table may not be there yet; the next poll tries again
	}
	w.record(strings.Fields(out), began, time.Now())
}

// record notes the probes one query returned, the query having begun and
// answered at the times given.
func (w *probeWatch) record(ids []string, began, answered time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, id := range ids {
		// Queries answer out of order: keep the earliest of each.
		seen, ok := w.first[id]
		if !ok || began.Before(seen.queryable) {
			seen.queryable = began
		}
		if !ok || answered.Before(seen.returned) {
			seen.returned = answered
		}
		w.first[id] = seen
	}
}

// probeLatencies are the acknowledged probes' latencies by kind: to when
// they were queryable, and to the answer of the first query that returned
// them; lost were never seen.
type probeLatencies struct {
	newCategory, existing         []time.Duration
	newReturned, existingReturned []time.Duration
	lost                          int
}

// add appends o's latencies and lost probes to l's.
func (l *probeLatencies) add(o probeLatencies) {
	l.newCategory = append(l.newCategory, o.newCategory...)
	l.existing = append(l.existing, o.existing...)
	l.newReturned = append(l.newReturned, o.newReturned...)
	l.existingReturned = append(l.existingReturned, o.existingReturned...)
	l.lost += o.lost
}

// latencies waits up to grace for every acknowledged probe to show, stops
// watching and returns the probes' latencies.
func (w *probeWatch) latencies(acks []probeAck, grace time.Duration) probeLatencies {
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) && w.missing(acks) > 0 {
		time.Sleep(w.every)
	}
	close(w.quit)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	var l probeLatencies
	for _, a := range acks {
		seen, ok := w.first[a.id]
		switch {
		case !ok:
			l.lost++
		case a.newCategory:
			l.newCategory = append(l.newCategory, seen.queryable.Sub(a.at))
			l.newReturned = append(l.newReturned, seen.returned.Sub(a.at))
		default:
			l.existing = append(l.existing, seen.queryable.Sub(a.at))
			l.existingReturned = append(l.existingReturned, seen.returned.Sub(a.at))
		}
	}
	return l
}

func (w *probeWatch) missing(acks []probeAck) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, a := range acks {
		if _, ok := w.first[a.id]; !ok {
			n++
		}
	}
	return n
}

// The watcher's bookkeeping, on query times made up for it: queries that
// answer out of order keep each probe's earliest start and earliest
// answer, and latencies sort the probes by kind. It runs before any
// process starts.
func TestProbeWatchKeepsTheEarliestQuery(t *testing.T) {
	at := func(ms int) time.Time { return time.Unix(1000, 0).Add(time.Duration(ms) * time.Millisecond) }
	w := &probeWatch{first: map[string]probeSeen{}, quit: make(chan struct{}), done: make(chan struct{})}
	close(w.done) // no polling goroutine: the test records the queries itself

	w.record([]string{"new-0", "old-1"}, at(150), at(400)) // began second, answered first
	w.record([]string{"new-0"}, at(100), at(500))          // began first, answered last
	w.record([]string{"new-0", "old-1"}, at(200), at(250)) // began last, answered earliest

	l := w.latencies([]probeAck{
		{id: "new-0", newCategory: true, at: at(0)},
		{id: "old-1", at: at(50)},
		{id: "lost-2", at: at(60)},
	}, 0)
	assert.Equal(t, []time.Duration{100 * time.Millisecond}, l.newCategory, "earliest start of a query that returned it")
	assert.Equal(t, []time.Duration{250 * time.Millisecond}, l.newReturned, "earliest answer")
	assert.Equal(t, []time.Duration{100 * time.Millisecond}, l.existing)
	assert.Equal(t, []time.Duration{200 * time.Millisecond}, l.existingReturned)
	assert.Equal(t, 1, l.lost)
}
