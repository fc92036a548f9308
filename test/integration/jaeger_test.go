//go:build integration

package integration

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jaegerSpan is a span as Jaeger's query API (/api/traces) answers it.
type jaegerSpan struct {
	TraceID       string `json:"traceID"`
	SpanID        string `json:"spanID"`
	OperationName string `json:"operationName"`
	ProcessID     string `json:"processID"`
	References    []struct {
		RefType string `json:"refType"`
		TraceID string `json:"traceID"`
		SpanID  string `json:"spanID"`
	} `json:"references"`
}

type jaegerTrace struct {
	TraceID   string                                  `json:"traceID"`
	Spans     []jaegerSpan                            `json:"spans"`
	Processes map[string]struct{ ServiceName string } `json:"processes"`
}

// jaegerGet fetches path from Jaeger's query API; a 404 is no traces.
func jaegerGet(t *testing.T, base, path string, query url.Values) []jaegerTrace {
	t.Helper()
	u := base + path
	if query != nil {
		u += "?" + query.Encode()
	}
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if resp.StatusCode == http.StatusNotFound {
		return nil
	}
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", u, body)
	var r struct {
		Data []jaegerTrace `json:"data"`
	}
	require.NoError(t, json.Unmarshal(body, &r), "%s", body)
	return r.Data
}

// waitForJaegerTrace polls Jaeger until the trace has at least n spans.
func waitForJaegerTrace(t *testing.T, base, traceID string, n int) jaegerTrace {
	t.Helper()
	var got jaegerTrace
	require.Eventually(t, func() bool {
		traces := jaegerGet(t, base, "/api/traces/"+traceID, nil)
		if len(traces) != 1 {
			return false
		}
		got = traces[0]
		return len(got.Spans) >= n
	}, 2*time.Minute, 200*time.Millisecond, "trace %s with %d spans in Jaeger", traceID, n)
	return got
}

// byOperation indexes a trace's spans by operation name.
func byOperation(tr jaegerTrace) map[string]jaegerSpan {
	out := map[string]jaegerSpan{}
	for _, s := range tr.Spans {
		out[s.OperationName] = s
	}
	return out
}

// refOf is a span's reference of the given type, if any.
func refOf(s jaegerSpan, refType string) (traceID, spanID string, ok bool) {
	for _, r := range s.References {
		if r.RefType == refType {
			return r.TraceID, r.SpanID, true
		}
	}
	return "", "", false
}

// The Kafka-linked trace read back from Jaeger's own API (parent mode): one
// trace, client -> ingest (CHILD_OF the caller's span) -> consumer (CHILD_OF
// the ingest span), each span under its service.
func TestKafkaLinkedTraceInJaeger(t *testing.T) {
	s := startLinkedStackWith(t, linkedOptions{jaeger: true})
	traceID, clientSpan := tracedUpload(t, s, "checkout", 10)
	tr := waitForJaegerTrace(t, s.jaeger.QueryURL(), traceID, 3)
	require.Len(t, tr.Spans, 3, "client, ingest and consumer span: one trace")
	ops := byOperation(tr)
	client, ingest, consumer := ops["upload events"], ops["POST /v1/events"], ops[eventTopic("checkout")+" process"]
	require.Equal(t, clientSpan, client.SpanID)
	assert.Equal(t, "checkout-web", tr.Processes[client.ProcessID].ServiceName)

	_, parent, ok := refOf(ingest, "CHILD_OF")
	require.True(t, ok, "the ingest span has a parent: %+v", ingest.References)
	assert.Equal(t, clientSpan, parent, "the caller's span is the ingest span's parent")
	refTrace, parent, ok := refOf(consumer, "CHILD_OF")
	require.True(t, ok, "the consumer span has a parent: %+v", consumer.References)
	assert.Equal(t, ingest.SpanID, parent, "the consumer span is the ingest span's child, not its sibling")
	assert.Equal(t, traceID, refTrace)
	assert.Equal(t, "otelcol-events", tr.Processes[consumer.ProcessID].ServiceName)
}

// In link mode the consumer span starts a trace of its own and refers to
// the ingest span with FOLLOWS_FROM (a span link, as Jaeger shows it).
func TestKafkaLinkedTraceInJaegerLinkMode(t *testing.T) {
	s := startLinkedStackWith(t, linkedOptions{jaeger: true, linkMode: "link"})
	traceID, clientSpan := tracedUpload(t, s, "search", 5)
	tr := waitForJaegerTrace(t, s.jaeger.QueryURL(), traceID, 2)
	ops := byOperation(tr)
	ingest := ops["POST /v1/events"]
	_, parent, _ := refOf(ingest, "CHILD_OF")
	assert.Equal(t, clientSpan, parent)
	_, inOriginal := ops[eventTopic("search")+" process"]
	assert.False(t, inOriginal, "in link mode the consumer span is not in the producer's trace")

	var consumer jaegerSpan
	require.Eventually(t, func() bool {
		for _, ct := range jaegerGet(t, s.jaeger.QueryURL(), "/api/traces", url.Values{
			"service": {"otelcol-events"}, "operation": {eventTopic("search") + " process"}, "limit": {"20"},
			"start": {fmt.Sprint(time.Now().Add(-time.Hour).UnixMicro())}, "end": {fmt.Sprint(time.Now().Add(time.Minute).UnixMicro())},
		}) {
			for _, sp := range ct.Spans {
				if lt, ls, ok := refOf(sp, "FOLLOWS_FROM"); ok && lt == traceID && ls == ingest.SpanID {
					consumer = sp
					return true
				}
			}
		}
		return false
	}, 2*time.Minute, 200*time.Millisecond, "a consumer span linked to ingest span %s", ingest.SpanID)
	assert.NotEqual(t, traceID, consumer.TraceID, "a trace of its own")
	_, _, hasParent := refOf(consumer, "CHILD_OF")
	assert.False(t, hasParent)
}

// SDK spans carried over Kafka reach Jaeger with their tree intact.
func TestOTLPTraceOverKafkaInJaeger(t *testing.T) {
	s := startLinkedStackWith(t, linkedOptions{jaeger: true})
	sent := sendTraceTrees(t, s.agent.Endpoints.OTLPGRPC, "kafka-sdk", 3, 3, 2)
	byTrace := map[string][]spanRef{}
	for _, r := range sent {
		byTrace[r.TraceID] = append(byTrace[r.TraceID], r)
	}
	require.Len(t, byTrace, 3)
	for traceID, refs := range byTrace {
		tr := waitForJaegerTrace(t, s.jaeger.QueryURL(), traceID, len(refs))
		var got []spanRef
		for _, sp := range tr.Spans {
			_, parent, _ := refOf(sp, "CHILD_OF")
			got = append(got, spanRef{TraceID: sp.TraceID, SpanID: sp.SpanID, ParentSpanID: parent})
		}
		sortRefs(got)
		sortRefs(refs)
		assert.Equal(t, refs, got, "trace %s: every span, every parent", traceID)
	}
}
