package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// jaegerBackend measures Jaeger v2 with Elasticsearch storage: queries go
// through Jaeger's query API (what users and the UI call), counts and sizes
// come from Elasticsearch, because Jaeger has no count API.
type jaegerBackend struct {
	query, es                   *apiClient
	spanIndices, serviceIndices string
}

func newJaegerBackend(ctx context.Context, cfg JaegerConfig, timeout time.Duration, recordDir string) (*jaegerBackend, error) {
	q, err := newAPIClient(ctx, "Jaeger query", cfg.Query, timeout, recordDir)
	if err != nil {
		return nil, err
	}
	es, err := newAPIClient(ctx, "Elasticsearch", cfg.Elasticsearch.HTTPEndpoint, timeout, recordDir)
	if err != nil {
		return nil, err
	}
	return &jaegerBackend{query: q, es: es, spanIndices: cfg.Elasticsearch.SpanIndices, serviceIndices: cfg.Elasticsearch.ServiceIndices}, nil
}

// jaegerResponse is the envelope of Jaeger's query API (/api/...).
type jaegerResponse[T any] struct {
	Data   T `json:"data"`
	Errors []struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	} `json:"errors"`
}

type jaegerTrace struct {
	TraceID string `json:"traceID"`
	Spans   []struct {
		SpanID string `json:"spanID"`
	} `json:"spans"`
}

func decodeJaeger[T any](body []byte, what string) (T, error) {
	var r jaegerResponse[T]
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

func (j *jaegerBackend) Check(ctx context.Context) (string, error) {
	body, err := j.query.do(ctx, "services", http.MethodGet, "/api/services", nil, nil, nil)
	if err != nil {
		return "", err
	}
	if _, err := decodeJaeger[[]string](body, "services"); err != nil {
		return "", err
	}
	body, err = j.es.do(ctx, "info", http.MethodGet, "/", nil, nil, nil)
	if err != nil {
		return "", err
	}
	var info struct {
		Version struct {
			Number string `json:"number"`
		} `json:"version"`
	}
	if err := json.Unmarshal(body, &info); err != nil || info.Version.Number == "" {
		return "", fmt.Errorf("Elasticsearch at %s: the answer to GET / is not Elasticsearch's (%s)", j.es.base.Redacted(), firstLine(body))
	}
	return "Jaeger v2 on Elasticsearch " + info.Version.Number, nil
}

// esIndexOptions makes a wildcard that matches no index yet (nothing
// written) count zero instead of failing.
func esIndexOptions() url.Values {
	return url.Values{"ignore_unavailable": {"true"}, "allow_no_indices": {"true"}}
}

// runQuery matches the spans of a run. Jaeger stores resource attributes as
// process tags: nested key/value pairs by default, or fields under
// process.tag with dots replaced by @ when tags_as_fields is on; either
// matches.
func runQuery(runID string) map[string]any {
	return map[string]any{
		"bool": map[string]any{
			"minimum_should_match": 1,
			"should": []any{
				map[string]any{"nested": map[string]any{
					"path":            "process.tags",
					"ignore_unmapped": true,
					"query": map[string]any{"bool": map[string]any{"must": []any{
						map[string]any{"term": map[string]any{"process.tags.key": runIDKey}},
						map[string]any{"term": map[string]any{"process.tags.value": runID}},
					}}},
				}},
				map[string]any{"term": map[string]any{"process.tag." + strings.ReplaceAll(runIDKey, ".", "@"): runID}},
			},
		},
	}
}

func (j *jaegerBackend) CountSpans(ctx context.Context, runID string) (int64, error) {
	body, err := json.Marshal(map[string]any{"query": runQuery(runID)})
	if err != nil {
		return 0, err
	}
	out, err := j.es.do(ctx, "count", http.MethodPost, "/"+j.spanIndices+"/_count", esIndexOptions(), body, nil)
	if err != nil {
		return 0, err
	}
	var r struct {
		Count *int64 `json:"count"`
	}
	if err := json.Unmarshal(out, &r); err != nil || r.Count == nil {
		return 0, fmt.Errorf("Elasticsearch: unexpected _count answer: %s", firstLine(out))
	}
	return *r.Count, nil
}

func (j *jaegerBackend) CountEvents(context.Context, string) (int64, error) {
	return 0, errEventsNotStored
}

// Storage refreshes the span and service indices (so buffered documents are
// in segments) and reads their primary store size: replicas would count
// the same data twice.
func (j *jaegerBackend) Storage(ctx context.Context) (storageStats, error) {
	indices := j.spanIndices + "," + j.serviceIndices
	if _, err := j.es.do(ctx, "refresh", http.MethodPost, "/"+indices+"/_refresh", esIndexOptions(), nil, nil); err != nil {
		return storageStats{}, err
	}
	out, err := j.es.do(ctx, "stats", http.MethodGet, "/"+indices+"/_stats/store,docs", esIndexOptions(), nil, nil)
	if err != nil {
		return storageStats{}, err
	}
	type primaries struct {
		Primaries struct {
			Store struct {
				SizeInBytes int64 `json:"size_in_bytes"`
			} `json:"store"`
			Docs struct {
				Count int64 `json:"count"`
			} `json:"docs"`
		} `json:"primaries"`
	}
	var r struct {
		All     *primaries           `json:"_all"`
		Indices map[string]primaries `json:"indices"`
	}
	if err := json.Unmarshal(out, &r); err != nil || r.All == nil {
		return storageStats{}, fmt.Errorf("Elasticsearch: unexpected _stats answer: %s", firstLine(out))
	}
	st := storageStats{
		Bytes:     r.All.Primaries.Store.SizeInBytes,
		Documents: r.All.Primaries.Docs.Count,
		Parts:     map[string]int64{},
	}
	for name, ix := range r.Indices {
		st.Parts[name] = ix.Primaries.Store.SizeInBytes
	}
	return st, nil
}

func (j *jaegerBackend) TraceByID(ctx context.Context, id pcommon.TraceID, _, _ time.Time) (int, error) {
	body, err := j.query.do(ctx, "trace_by_id", http.MethodGet, "/api/traces/"+id.String(), nil, nil, nil)
	var apiErr *apiError
	if errors.As(err, &apiErr) && apiErr.status == http.StatusNotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	traces, err := decodeJaeger[[]jaegerTrace](body, "trace by id")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range traces {
		n += len(t.Spans)
	}
	return n, nil
}

func (j *jaegerBackend) SearchTraces(ctx context.Context, s traceSearch) (int, error) {
	tags, err := json.Marshal(map[string]string{s.AttrKey: s.AttrValue, runIDKey: s.RunID})
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
	body, err := j.query.do(ctx, "search", http.MethodGet, "/api/traces", q, nil, nil)
	if err != nil {
		return 0, err
	}
	traces, err := decodeJaeger[[]jaegerTrace](body, "search")
	if err != nil {
		return 0, err
	}
	seen := map[string]struct{}{}
	for _, t := range traces {
		seen[t.TraceID] = struct{}{}
	}
	return len(seen), nil
}
