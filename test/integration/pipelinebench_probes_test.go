//go:build integration

package integration

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
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

// startProbes sends a probe every interval, telling w of each before it
// is sent.
func startProbes(client *http.Client, p *benchPipeline, round int, every time.Duration, w *probeWatch) *probes {
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
			id := prefix + "-0"
			at := w.expect(id, time.Now())
			if n, err := p.send(client, p.body(probeApp, category, prefix, 1, at), 1); err != nil || n != 1 {
				w.drop(at) // not acknowledged: nothing to wait for
				continue
			}
			pr.mu.Lock()
			pr.acks = append(pr.acks, probeAck{id: id, newCategory: newCategory, at: time.Now()})
			pr.mu.Unlock()
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
//
// The watcher's queries run in the ClickHouse the run measures, so they
// are kept cheap: each probe event carries a timestamp of its own (see
// expect), a query reads only the Timestamp column of the probe rows from
// the oldest probe in flight on (see since), and none is sent while no
// probe is in flight. Reading every probe's event id from the whole table
// twenty times a second made them 43 % of ours' measured ClickHouse CPU at
// 20k events/s, and 23 % of stock's (BENCHMARKS.md).
type probeWatch struct {
	db    string
	every time.Duration
	mu    sync.Mutex
	first map[string]probeSeen
	// byStamp finds a probe by its event's timestamp (Unix milliseconds);
	// pending holds the stamps of the probes not seen yet; lastStamp is
	// the latest stamp given.
	byStamp   map[int64]string
	pending   map[int64]bool
	lastStamp int64
	quit      chan struct{}
	done      chan struct{}
	inFlight  sync.WaitGroup
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
	w := newProbeWatch(db, every)
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

func newProbeWatch(db string, every time.Duration) *probeWatch {
	return &probeWatch{
		db: db, every: every, first: map[string]probeSeen{}, byStamp: map[int64]string{}, pending: map[int64]bool{},
		quit: make(chan struct{}), done: make(chan struct{}),
	}
}

// expect notes a probe about to be sent and returns the timestamp its
// event must carry: now, to the millisecond (the precision of the upload
// format), and later than every stamp before, so that a stored Timestamp
// names one probe.
func (w *probeWatch) expect(id string, now time.Time) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	stamp := max(now.UnixMilli(), w.lastStamp+1)
	w.lastStamp = stamp
	w.byStamp[stamp] = id
	w.pending[stamp] = true
	return time.UnixMilli(stamp)
}

// drop stops waiting for the probe expect stamped at: it was not
// acknowledged.
func (w *probeWatch) drop(at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.pending, at.UnixMilli())
}

// since is the lower bound on the Timestamp of the probes still to be
// seen, in Unix milliseconds: the oldest one in flight. ok is false when
// none is in flight. The partition key keeps each part's Timestamp range,
// so ClickHouse skips every part written before the bound.
func (w *probeWatch) since() (from int64, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for stamp := range w.pending {
		if !ok || stamp < from {
			from, ok = stamp, true
		}
	}
	return from, ok
}

func (w *probeWatch) poll() {
	from, ok := w.since()
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	began := time.Now()
	out, err := suite.ch.Query(ctx, fmt.Sprintf(
		"SELECT toUnixTimestamp64Milli(Timestamp) FROM %s.otel_logs WHERE ServiceName = '%s' "+
			"AND Timestamp >= fromUnixTimestamp64Milli(%d) FORMAT TSV", w.db, probeApp, from))
	if err != nil {
		return // the table may not be there yet; the next poll tries again
	}
	var stamps []int64
	for _, field := range strings.Fields(out) {
		if stamp, err := strconv.ParseInt(field, 10, 64); err == nil {
			stamps = append(stamps, stamp)
		}
	}
	w.record(stamps, began, time.Now())
}

// record notes the probes one query returned, by their events'
// timestamps, the query having begun and answered at the times given.
func (w *probeWatch) record(stamps []int64, began, answered time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, stamp := range stamps {
		id, ok := w.byStamp[stamp]
		if !ok {
			continue // not a probe of this watcher's
		}
		delete(w.pending, stamp)
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
	w := newProbeWatch("", 0)
	close(w.done) // no polling goroutine: the test records the queries itself
	fresh := w.expect("new-0", at(0)).UnixMilli()
	old := w.expect("old-1", at(50)).UnixMilli()
	w.expect("lost-2", at(60))

	w.record([]int64{fresh, old}, at(150), at(400)) // began second, answered first
	w.record([]int64{fresh}, at(100), at(500))      // began first, answered last
	w.record([]int64{fresh, old}, at(200), at(250)) // began last, answered earliest

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

// Each probe gets a stamp of its own, and the watcher reads from the
// oldest probe in flight on: a probe seen or dropped no longer holds the
// bound back, and with none in flight there is nothing to poll.
func TestProbeWatchPollsFromTheOldestProbeInFlight(t *testing.T) {
	at := func(ms int) time.Time { return time.Unix(1000, 0).Add(time.Duration(ms) * time.Millisecond) }
	w := newProbeWatch("", 0)
	_, ok := w.since()
	assert.False(t, ok, "no probe sent")

	a := w.expect("a-0", at(100)).UnixMilli()
	bStamp := w.expect("b-0", at(100))
	b := bStamp.UnixMilli()
	c := w.expect("c-0", at(900)).UnixMilli()
	assert.Equal(t, []int64{1000100, 1000101, 1000900}, []int64{a, b, c}, "a stamp names one probe")
	from, ok := w.since()
	assert.True(t, ok)
	assert.Equal(t, a, from, "the oldest in flight")

	w.record([]int64{a}, at(600), at(650))
	from, _ = w.since()
	assert.Equal(t, b, from, "a seen")

	w.drop(bStamp)
	from, _ = w.since()
	assert.Equal(t, c, from, "b not acknowledged")

	w.record([]int64{c, 42}, at(1000), at(1010)) // 42: no probe of this watcher's
	_, ok = w.since()
	assert.False(t, ok, "all seen")
	assert.Len(t, w.first, 2, "a and c seen, nothing else")
}
