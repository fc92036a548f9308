// Package jaeger is the comparison's adapter for Jaeger v2: spans are
// counted, fetched and searched through Jaeger's own query API, whatever it
// stores to; the bytes on disk come from its storage (Elasticsearch,
// Badger or ClickHouse; storage.go).
package jaeger // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend/jaeger"

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"
)

// lookupConcurrency bounds the trace lookups of one count.
const lookupConcurrency = 8

// Backend reads Jaeger's query API (/api/...), what its UI calls.
type Backend struct {
	query   *backend.API
	storage sizer

	// complete remembers, for the run being counted, the traces Jaeger
	// already served whole, so each count asks only for the others.
	mu       sync.Mutex
	runID    string
	complete map[pcommon.TraceID]bool
}

var _ backend.Backend = (*Backend)(nil)

// New builds the clients; it does not connect.
func New(ctx context.Context, cfg config.JaegerConfig, timeout time.Duration, recordDir string) (*Backend, error) {
	q, err := backend.NewAPI(ctx, "Jaeger query", cfg.Query, timeout, recordDir)
	if err != nil {
		return nil, err
	}
	s, err := newSizer(ctx, cfg, timeout, recordDir)
	if err != nil {
		return nil, err
	}
	return &Backend{query: q, storage: s}, nil
}

// response is the envelope of Jaeger's query API.
type response[T any] struct {
	Data   T `json:"data"`
	Errors []struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	} `json:"errors"`
}

type trace struct {
	TraceID string `json:"traceID"`
	Spans   []struct {
		SpanID string `json:"spanID"`
	} `json:"spans"`
}

func decode[T any](body []byte, what string) (T, error) {
	var r response[T]
	if err := json.Unmarshal(body, &r); err != nil {
		return r.Data, fmt.Errorf("Jaeger query: unreadable %s answer: %w", what, err)
	}
	if len(r.Errors) > 0 {
		msgs := make([]string, len(r.Errors))
		for i, e := range r.Errors {
			msgs[i] = fmt.Sprintf("%d %s", e.Code, e.Msg)
		}
		return r.Data, fmt.Errorf("Jaeger query: %s failed: %s", what, strings.Join(msgs, "; "))
	}
	return r.Data, nil
}

// Check asks the query API for its services and the storage for its version.
func (j *Backend) Check(ctx context.Context) (string, error) {
	body, err := j.query.Do(ctx, "services", http.MethodGet, "/api/services", nil, nil, nil)
	if err != nil {
		return "", err
	}
	if _, err := decode[[]string](body, "services"); err != nil {
		return "", err
	}
	storage, err := j.storage.check(ctx)
	if err != nil {
		return "", err
	}
	return "Jaeger v2 on " + storage, nil
}

// CountSpans counts the spans of the run's traces Jaeger serves, asking for
// each trace by id: Jaeger has no count API, and a trace fetched whole is
// what "queryable" means to its users. Traces already served whole are not
// asked for again.
//
// The traces sent last are asked for first (probeSize of them); while one of
// them is not served whole yet, the count stops there and reports what it
// has. A backend that is still ingesting is then polled with a few lookups,
// not one per trace: on the local stack Jaeger on ClickHouse shares its
// server with the clickhouse backend, and thousands of lookups per poll
// slowed both backends' ingest. The full sweep runs once the last traces are
// in, so "queryable" is still every trace served whole.
func (j *Backend) CountSpans(ctx context.Context, run backend.Run) (int64, error) {
	j.mu.Lock()
	if j.runID != run.ID {
		j.runID, j.complete = run.ID, map[pcommon.TraceID]bool{}
	}
	var total int64
	var pending []workload.Trace
	for _, t := range run.Traces {
		if j.complete[t.ID] {
			total += int64(t.Spans)
		} else {
			pending = append(pending, t)
		}
	}
	j.mu.Unlock()

	slices.SortFunc(pending, func(a, b workload.Trace) int { return b.End.Compare(a.End) })
	probes := pending[:min(probeSize, len(pending))]
	found, allWhole, err := j.lookUp(ctx, probes)
	total += found
	if err != nil || !allWhole {
		return total, err
	}
	found, _, err = j.lookUp(ctx, pending[len(probes):])
	return total + found, err
}

// probeSize is how many of the last traces a count asks for first.
const probeSize = 16

// lookUp fetches traces by id, lookupConcurrency at a time, marks the ones
// served whole, and returns the spans served and whether every trace was
// served whole.
func (j *Backend) lookUp(ctx context.Context, traces []workload.Trace) (spans int64, allWhole bool, err error) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	allWhole = true
	slots := make(chan struct{}, lookupConcurrency)
	for _, t := range traces {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			n, lookupErr := j.TraceByID(ctx, t.ID, t.Start, t.End)
			mu.Lock()
			defer mu.Unlock()
			if lookupErr != nil {
				allWhole = false
				if err == nil {
					err = lookupErr
				}
				return
			}
			spans += int64(min(n, t.Spans))
			if n < t.Spans {
				allWhole = false
				return
			}
			j.mu.Lock()
			j.complete[t.ID] = true
			j.mu.Unlock()
		})
	}
	wg.Wait()
	return spans, allWhole, err
}

// CountEvents answers ErrEventsNotStored: Jaeger holds traces only.
func (j *Backend) CountEvents(context.Context, string) (int64, error) {
	return 0, backend.ErrEventsNotStored
}

// Storage is the size of what Jaeger's storage holds.
func (j *Backend) Storage(ctx context.Context) (backend.StorageStats, error) {
	return j.storage.size(ctx)
}

// TraceByID fetches one trace: GET /api/traces/{id}.
func (j *Backend) TraceByID(ctx context.Context, id pcommon.TraceID, _, _ time.Time) (int, error) {
	body, err := j.query.Do(ctx, "trace_by_id", http.MethodGet, "/api/traces/"+id.String(), nil, nil, nil)
	var apiErr *backend.APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	traces, err := decode[[]trace](body, "trace by id")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range traces {
		n += len(t.Spans)
	}
	return n, nil
}

// SearchTraces asks GET /api/traces?service=&tags=&start=&end=&limit=.
func (j *Backend) SearchTraces(ctx context.Context, s backend.TraceSearch) (int, error) {
	tags, err := json.Marshal(map[string]string{s.AttrKey: s.AttrValue, workload.RunIDKey: s.RunID})
	if err != nil {
		return 0, err
	}
	q := url.Values{
		"service": {s.Service},
		"tags":    {string(tags)},
		"start":   {strconv.FormatInt(s.Start.UnixMicro(), 10)},
		"end":     {strconv.FormatInt(s.End.UnixMicro(), 10)},
		"limit":   {strconv.Itoa(s.Limit)},
	}
	body, err := j.query.Do(ctx, "search", http.MethodGet, "/api/traces", q, nil, nil)
	if err != nil {
		return 0, err
	}
	traces, err := decode[[]trace](body, "search")
	if err != nil {
		return 0, err
	}
	seen := map[string]struct{}{}
	for _, t := range traces {
		seen[t.TraceID] = struct{}{}
	}
	return len(seen), nil
}
