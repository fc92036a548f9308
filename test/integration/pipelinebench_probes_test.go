//go:build integration

package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
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

// probeWatch polls ClickHouse for the probe events and notes when each
// was first returned.
type probeWatch struct {
	db    string
	every time.Duration
	mu    sync.Mutex
	first map[string]time.Time
	quit  chan struct{}
	done  chan struct{}
}

func startProbeWatch(db string, every time.Duration) *probeWatch {
	w := &probeWatch{db: db, every: every, first: map[string]time.Time{}, quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			w.poll()
			select {
			case <-w.quit:
				return
			case <-time.After(w.every):
			}
		}
	}()
	return w
}

func (w *probeWatch) poll() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := suite.ch.Query(ctx, fmt.Sprintf(
		"SELECT LogAttributes['event.id'] FROM %s.otel_logs WHERE ServiceName = '%s' FORMAT TSV", w.db, probeApp))
	if err != nil {
		return // the table may not be there yet; the next poll tries again
	}
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, id := range strings.Fields(out) {
		if _, ok := w.first[id]; !ok {
			w.first[id] = now
		}
	}
}

// latencies waits up to grace for every acknowledged probe to show, stops
// watching and returns the latencies by kind and how many never showed.
func (w *probeWatch) latencies(acks []probeAck, grace time.Duration) (newCategory, existing []time.Duration, lost int) {
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) && w.missing(acks) > 0 {
		time.Sleep(w.every)
	}
	close(w.quit)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, a := range acks {
		at, ok := w.first[a.id]
		switch {
		case !ok:
			lost++
		case a.newCategory:
			newCategory = append(newCategory, at.Sub(a.at))
		default:
			existing = append(existing, at.Sub(a.at))
		}
	}
	return newCategory, existing, lost
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
