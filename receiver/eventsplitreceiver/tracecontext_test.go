package eventsplitreceiver

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-events/otelcol-events/components/tracecontext"
	"github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver/internal/metadatatest"
)

func TestTraceContinuation(t *testing.T) {
	h := startHarness(t)
	const caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	code, _, _ := h.post(upload(defaultMeta, validEvent("a"), ev(`"id":"bad"`)),
		"traceparent", caller, "tracestate", "rojo=00f067aa0ba902b7", "baggage", "tenant=acme", "X-Request-ID", "req-42")
	require.Equal(t, http.StatusMultiStatus, code)

	require.Equal(t, 1, h.traces.SpanCount())
	span := h.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", span.TraceID().String())
	assert.Equal(t, "00f067aa0ba902b7", span.ParentSpanID().String(), "the ingest span is the caller's child")
	assert.Equal(t, ptrace.SpanKindServer, span.Kind())
	assert.Equal(t, "rojo=00f067aa0ba902b7", span.TraceState().AsRaw())
	assert.Equal(t, ptrace.StatusCodeError, span.Status().Code(), "a rejected event marks the span")
	assert.Equal(t, "1 of 2 events rejected", span.Status().Message())
	assertAttr(t, span.Attributes().AsRaw(), "eventsplit.events.accepted", int64(1))
	assertAttr(t, span.Attributes().AsRaw(), "eventsplit.events.rejected", int64(1))
	assertAttr(t, span.Attributes().AsRaw(), "app.id", "shop")
	assertAttr(t, span.Attributes().AsRaw(), "request.id", "req-42")

	rec := h.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	var handedOff int64
	assert.Equal(t, span.TraceID(), rec.TraceID())
	assert.Equal(t, span.SpanID(), rec.SpanID(), "records carry the ingest span")
	assert.True(t, rec.Flags().IsSampled())
	assertAttr(t, rec.Attributes().AsRaw(), "request.id", "req-42")

	// The metadata for the Kafka hop names the ingest span as parent, not the caller.
	md := client.FromContext(h.logs.Contexts()[0]).Metadata
	assert.Equal(t, []string{"00-4bf92f3577b34da6a3ce929d0e0e4736-" + span.SpanID().String() + "-01"}, md.Get("traceparent"))
	assert.Equal(t, []string{"rojo=00f067aa0ba902b7"}, md.Get("tracestate"))
	require.Len(t, md.Get("baggage"), 1)
	bag, err := baggage.Parse(md.Get("baggage")[0])
	require.NoError(t, err)
	assert.Equal(t, "acme", bag.Member("tenant").Value())
	assert.Equal(t, "req-42", bag.Member("request_id").Value())
	assert.Empty(t, md.Get("b3"), "B3 and uber-trace-id are written only when configured")
	assert.Equal(t, []string{"web"}, md.Get("event.category"))
	assert.Equal(t, []string{"events.web"}, md.Get("event.topic"))
	assert.Equal(t, []string{"shop"}, md.Get("event.partition_key"))
	handedOff, err = strconv.ParseInt(md.Get("event.handed_off_at")[0], 10, 64)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), time.Unix(0, handedOff), time.Minute)
}

func TestInvalidTraceHeadersStartNewRoot(t *testing.T) {
	for name, headers := range map[string][]string{
		"version ff":        {"traceparent", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
		"zero trace id":     {"traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"},
		"zero span id":      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"},
		"uppercase":         {"traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"},
		"short":             {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7"},
		"two traceparents":  {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b8-01"},
		"garbage non-ascii": {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e47\u00e9-00f067aa0ba902b7-01"},
	} {
		t.Run(name, func(t *testing.T) {
			h := startHarness(t)
			code, _, _ := h.post(upload(defaultMeta, validEvent("a")), headers...)
			require.Equal(t, http.StatusOK, code, "an invalid trace header never fails the upload")
			span := h.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
			assert.True(t, span.ParentSpanID().IsEmpty(), "a new root")
			assert.NotEqual(t, "4bf92f3577b34da6a3ce929d0e0e4736", span.TraceID().String())
			assert.False(t, span.TraceID().IsEmpty())
			md := client.FromContext(h.logs.Contexts()[0]).Metadata
			assert.Equal(t, []string{"00-" + span.TraceID().String() + "-" + span.SpanID().String() + "-03"}, md.Get("traceparent"))
			metadatatest.AssertEqualReceiverEventsplitTraceContextInvalid(t, h.tel, []metricdata.DataPoint[int64]{
				{Value: 1, Attributes: attribute.NewSet(attribute.String("header", "traceparent"))},
			}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
		})
	}
}

func TestInvalidTracestateAndBaggageAreDropped(t *testing.T) {
	h := startHarness(t)
	const caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"
	code, _, _ := h.post(upload(defaultMeta, validEvent("a")),
		"traceparent", caller, "tracestate", "UPPER=1", "baggage", "a=\"quoted\"", "X-Request-ID", strings.Repeat("r", 129))
	require.Equal(t, http.StatusOK, code)
	span := h.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.Equal(t, "00f067aa0ba902b7", span.ParentSpanID().String(), "the traceparent itself was valid")
	assert.Empty(t, span.TraceState().AsRaw())
	md := client.FromContext(h.logs.Contexts()[0]).Metadata
	assert.Empty(t, md.Get("tracestate"))
	assert.Empty(t, md.Get("baggage"))
	rec := h.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.False(t, rec.Flags().IsSampled(), "the caller's unsampled flag is kept")
	_, hasRequestID := rec.Attributes().Get("request.id")
	assert.False(t, hasRequestID, "an overlong X-Request-ID is ignored")
	metadatatest.AssertEqualReceiverEventsplitTraceContextInvalid(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("header", "tracestate"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("header", "baggage"))},
	}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

// A caller on Zipkin or Jaeger instrumentation continues its trace just as
// a W3C one does, and the Kafka hop can carry every form.
func TestTraceContinuationFromB3AndJaeger(t *testing.T) {
	const traceID, spanID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	for name, tc := range map[string]struct {
		headers []string
		format  string
		traceID string
	}{
		"b3 single":   {[]string{"b3", traceID + "-" + spanID + "-1"}, "b3", traceID},
		"b3 multi":    {[]string{"X-B3-TraceId", traceID, "X-B3-SpanId", spanID, "X-B3-Sampled", "1"}, "b3", traceID},
		"uber 128bit": {[]string{"uber-trace-id", traceID + ":" + spanID + ":0:1", "uberctx-tenant", "acme%20corp"}, "jaeger", traceID},
		"uber 64bit":  {[]string{"uber-trace-id", "a3ce929d0e0e4736:" + spanID + ":0:1"}, "jaeger", "0000000000000000a3ce929d0e0e4736"},
	} {
		t.Run(name, func(t *testing.T) {
			h := startHarness(t, withConfig(func(c *Config) {
				c.Metadata.B3 = "b3"
				c.Metadata.UberTraceID = "uber-trace-id"
			}))
			code, _, _ := h.post(upload(defaultMeta, validEvent("a")), tc.headers...)
			require.Equal(t, http.StatusOK, code)
			span := h.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
			assert.Equal(t, tc.traceID, span.TraceID().String())
			assert.Equal(t, spanID, span.ParentSpanID().String())
			assertAttr(t, span.Attributes().AsRaw(), "eventsplit.trace_context.format", tc.format)

			md := client.FromContext(h.logs.Contexts()[0]).Metadata
			ingest := span.SpanID().String()
			assert.Equal(t, []string{"00-" + tc.traceID + "-" + ingest + "-01"}, md.Get("traceparent"))
			assert.Equal(t, []string{tc.traceID + "-" + ingest + "-1"}, md.Get("b3"))
			assert.Equal(t, []string{tc.traceID + ":" + ingest + ":0:1"}, md.Get("uber-trace-id"))
			if name == "uber 128bit" {
				bag, err := baggage.Parse(md.Get("baggage")[0])
				require.NoError(t, err)
				assert.Equal(t, "acme corp", bag.Member("tenant").Value(), "uberctx-* becomes W3C baggage")
			}
		})
	}
}

func TestPropagatorsOrderAndSelection(t *testing.T) {
	const w3c = "00-11111111111111111111111111111111-1111111111111111-01"
	const b3 = "22222222222222222222222222222222-2222222222222222-1"
	for name, tc := range map[string]struct {
		formats []tracecontext.Format
		want    string
	}{
		"w3c first (default)": {tracecontext.DefaultFormats(), "11111111111111111111111111111111"},
		"b3 first":            {[]tracecontext.Format{tracecontext.FormatB3, tracecontext.FormatW3C}, "22222222222222222222222222222222"},
		"b3 only":             {[]tracecontext.Format{tracecontext.FormatB3}, "22222222222222222222222222222222"},
	} {
		t.Run(name, func(t *testing.T) {
			h := startHarness(t, withConfig(func(c *Config) { c.Propagators = tc.formats }))
			code, _, _ := h.post(upload(defaultMeta, validEvent("a")), "traceparent", w3c, "b3", b3)
			require.Equal(t, http.StatusOK, code)
			span := h.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
			assert.Equal(t, tc.want, span.TraceID().String())
		})
	}
}

func TestInvalidB3AndJaegerHeadersAreCounted(t *testing.T) {
	h := startHarness(t)
	code, _, _ := h.post(upload(defaultMeta, validEvent("a")), "b3", "garbage", "uber-trace-id", "0:0:0:0")
	require.Equal(t, http.StatusOK, code, "an invalid trace header never fails the upload")
	span := h.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.True(t, span.ParentSpanID().IsEmpty(), "a new root")
	metadatatest.AssertEqualReceiverEventsplitTraceContextInvalid(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("header", "b3"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("header", "uber-trace-id"))},
	}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

// The baggage put on the Kafka record must parse wherever it is read: a
// caller's baggage that fills the header leaves X-Request-ID out of it
// (the id is still on the events), and a Jaeger baggage value too large
// for the header is dropped; both are counted.
func TestBaggageStaysWithinOneHeader(t *testing.T) {
	h := startHarness(t)
	full := "k=" + strings.Repeat("z", 8190) // 8192 bytes: the limit
	code, _, _ := h.post(upload(defaultMeta, validEvent("a")),
		"baggage", full, "uberctx-big", strings.Repeat("%1C", 100), "X-Request-ID", "req-1")
	require.Equal(t, http.StatusOK, code)
	md := client.FromContext(h.logs.Contexts()[0]).Metadata
	require.Len(t, md.Get("baggage"), 1)
	bag, err := baggage.Parse(md.Get("baggage")[0])
	require.NoError(t, err)
	assert.Equal(t, full, bag.String(), "the caller's baggage, and nothing that does not fit")
	rec := h.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	id, ok := rec.Attributes().Get("request.id")
	require.True(t, ok)
	assert.Equal(t, "req-1", id.Str())
	metadatatest.AssertEqualReceiverEventsplitTraceContextInvalid(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("header", "baggage"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("header", "uberctx-*"))},
	}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}
