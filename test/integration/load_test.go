//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// eventLoad uploads events with unique ids to an agent without pause, as a
// fleet of clients would, and keeps the ledger of what was acknowledged:
// only ids the agent answered "accepted" count. A failed upload (connection
// refused while the agent is down, 503 while Kafka is) is not retried with
// the same ids: the ledger is the truth to check the store against.
type eventLoad struct {
	t        *testing.T
	endpoint string
	prefix   string

	mu       sync.Mutex
	acked    map[string]struct{}
	failures int

	stop chan struct{}
	done chan struct{}
}

const eventsPerUpload = 20

func startEventLoad(t *testing.T, endpoint, prefix string) *eventLoad {
	l := &eventLoad{t: t, endpoint: endpoint, prefix: prefix, acked: map[string]struct{}{},
		stop: make(chan struct{}), done: make(chan struct{})}
	go l.run()
	t.Cleanup(l.finish)
	return l
}

func (l *eventLoad) run() {
	defer close(l.done)
	client := &http.Client{Timeout: 30 * time.Second}
	for seq := 0; ; seq++ {
		select {
		case <-l.stop:
			return
		default:
		}
		body := eventsBody("faults", l.prefix+"-"+strconv.Itoa(seq), eventsPerUpload)
		accepted, err := postUpload(client, l.endpoint, body)
		l.mu.Lock()
		for _, id := range accepted {
			l.acked[id] = struct{}{}
		}
		if err != nil {
			l.failures++
		}
		l.mu.Unlock()
		if err != nil {
			// The agent is down or refusing: do not spin.
			select {
			case <-l.stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// postUpload sends one upload and returns the ids the answer accepted.
func postUpload(client *http.Client, endpoint string, body []byte) ([]string, error) {
	resp, err := client.Post("http://"+endpoint+"/v1/events", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var a uploadAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("answer %d is not JSON: %s", resp.StatusCode, raw)
	}
	ids := a.acceptedIDs()
	if resp.StatusCode != http.StatusOK {
		return ids, fmt.Errorf("answer %d", resp.StatusCode)
	}
	return ids, nil
}

// counts are the acknowledged events and failed uploads so far.
func (l *eventLoad) counts() (acked, failures int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked), l.failures
}

// waitAcked waits until at least n more events than now are acknowledged.
func (l *eventLoad) waitAcked(n int, why string) {
	l.t.Helper()
	start, _ := l.counts()
	require.Eventually(l.t, func() bool {
		acked, _ := l.counts()
		return acked >= start+n
	}, 3*time.Minute, 20*time.Millisecond, "%d more events acknowledged %s", n, why)
}

// waitFailures waits until uploads fail (the fault is visible to clients).
func (l *eventLoad) waitFailures() {
	l.t.Helper()
	_, start := l.counts()
	require.Eventually(l.t, func() bool {
		_, failures := l.counts()
		return failures > start
	}, time.Minute, 10*time.Millisecond, "uploads fail while the fault lasts")
}

func (l *eventLoad) finish() {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	<-l.done
}

// ackedIDs stops the load and returns what was acknowledged.
func (l *eventLoad) ackedIDs() map[string]struct{} {
	l.finish()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.acked
}

// faultReport is what a fault run found in the store.
type faultReport struct {
	acked, stored, lost, duplicates, failedUploads int
}

// assertNothingLost waits until ClickHouse holds every acknowledged event,
// fails the test for any that never arrives, and reports duplicates (at
// least once: a record re-read after a crash is stored again).
func assertNothingLost(t *testing.T, fault, db string, l *eventLoad) faultReport {
	t.Helper()
	acked := l.ackedIDs()
	_, failures := l.counts()
	require.NotEmpty(t, acked)
	query := fmt.Sprintf("SELECT LogAttributes['event.id'], count() FROM %s.otel_logs WHERE ServiceName = 'it-app' GROUP BY 1 FORMAT TSV", db)
	var rows map[string]int
	missing := func() (int, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := suite.ch.Query(ctx, query)
		if err != nil {
			return len(acked), err // ClickHouse restarting: ask again
		}
		rows = map[string]int{}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if id, count, ok := strings.Cut(line, "\t"); ok {
				rows[id], _ = strconv.Atoi(count)
			}
		}
		n := 0
		for id := range acked {
			if rows[id] == 0 {
				n++
			}
		}
		return n, nil
	}
	deadline := time.Now().Add(3 * time.Minute)
	lost, err := missing()
	for (err != nil || lost > 0) && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond) // polling the store, not timing the code
		lost, err = missing()
	}
	require.NoError(t, err, query)
	r := faultReport{acked: len(acked), stored: len(rows), lost: lost, failedUploads: failures}
	for _, n := range rows {
		r.duplicates += n - 1
	}
	t.Logf("FAULT %s: acknowledged %d events, stored %d distinct, lost %d, stored twice %d, failed uploads %d",
		fault, r.acked, r.stored, r.lost, r.duplicates, r.failedUploads)
	require.Zero(t, r.lost, "%s: acknowledged events never stored", fault)
	return r
}
