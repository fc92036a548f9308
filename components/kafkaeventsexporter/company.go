package kafkaeventsexporter // import "github.com/otelcol-events/otelcol-events/components/kafkaeventsexporter"

import (
	"sync"
	"time"
)

// relearnEvery is how often company forgets how many requests come
// together, so that a rise in load is noticed within it.
const relearnEvery = time.Second

// company decides, request by request, whether a record waits in the
// producer's linger for others to share its produce request, or goes at
// once and takes along those already waiting.
//
// Waiting out the linger is what shares produce requests when uploads
// come a few milliseconds apart, but callers that wait for their answer
// (eventsplit's uploads) send nothing new while they wait: with a few busy
// clients, every batch would sit out the whole linger with everyone in it
// already, and throughput would fall to clients / linger. So company
// learns how many requests one linger gathers (the number waiting when a
// batch left by the linger's timer), and once that many wait, the last one
// sends the batch without waiting further. The count is learned again
// every relearnEvery, so a request waits at most the linger, as without
// company, and under steady load only about once per relearnEvery.
type company struct {
	linger time.Duration
	now    func() time.Time

	mu        sync.Mutex
	waiting   int // requests between join and leave
	target    int // send once this many wait; 0: not learned, wait out the linger
	relearnAt time.Time
	// leftSinceJoin counts the leaves since the last join: only the first
	// leave of a batch sees the whole batch still waiting.
	leftSinceJoin int
}

func newCompany(linger time.Duration) *company {
	return &company{linger: linger, now: time.Now}
}

// join counts a request in. It returns whether the request should go at
// once, and when it joined (for leave).
func (c *company) join() (sendNow bool, joined time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	c.waiting++
	c.leftSinceJoin = 0
	if c.linger <= 0 {
		return true, now
	}
	if !now.Before(c.relearnAt) {
		c.target = 0
		c.relearnAt = now.Add(relearnEvery)
	}
	return c.target > 0 && c.waiting >= c.target, now
}

// leave counts a request out once Kafka answered it. A request that
// waited in the linger (sentNow false) and was answered a linger or more
// after it joined left by the timer: if it is the first of its batch to
// leave, the requests waiting now came within one linger, and the next
// batch goes once that many wait.
func (c *company) leave(sentNow bool, joined time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !sentNow && c.leftSinceJoin == 0 && c.now().Sub(joined) >= c.linger {
		c.target = c.waiting
	}
	c.leftSinceJoin++
	c.waiting--
}
