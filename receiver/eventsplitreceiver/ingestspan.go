package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-events/otelcol-events/components/tracecontext"
)

// ingestSpan describes one request for the traces pipeline.
type ingestSpan struct {
	start, end pcommon.Timestamp
	method     string
	path       string
	status     int
	clientAddr string
	userAgent  string
	received   int
	accepted   int
	rejected   int
	batches    int // how many batches the events went to the pipeline in
	appID      string
	category   string
	failure    string // request-level error code, if any
}

// appendIngestSpan adds the request's SERVER span to traces, as a child of
// the caller's span or as a new root. resource is the collector's own
// telemetry resource, so the span is attributed to the collector.
func appendIngestSpan(traces ptrace.Traces, resource pcommon.Resource, scopeName, scopeVersion string, tc *traceContext, s *ingestSpan) {
	rs := traces.ResourceSpans().AppendEmpty()
	resource.CopyTo(rs.Resource())
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName(scopeName)
	ss.Scope().SetVersion(scopeVersion)
	span := ss.Spans().AppendEmpty()
	span.SetTraceID(tc.ingest.TraceID)
	span.SetSpanID(tc.ingest.SpanID)
	if tc.caller.Found() {
		span.SetParentSpanID(tc.caller.SpanID)
		if tc.caller.TraceState.Len() > 0 {
			span.TraceState().FromRaw(tc.caller.TraceState.String())
		}
	}
	span.SetFlags(uint32(tc.ingest.Flags))
	span.SetKind(ptrace.SpanKindServer)
	span.SetName(s.method + " " + s.path)
	span.SetStartTimestamp(s.start)
	span.SetEndTimestamp(s.end)

	putIngestAttributes(span.Attributes(), tc, s)
	setIngestStatus(span, s)
}

// putIngestAttributes writes the HTTP semantic-convention attributes of the
// request and what the receiver made of it; optional ones only when known.
func putIngestAttributes(attrs pcommon.Map, tc *traceContext, s *ingestSpan) {
	attrs.EnsureCapacity(14)
	attrs.PutStr("http.request.method", s.method)
	attrs.PutStr("url.path", s.path)
	attrs.PutStr("http.route", s.path)
	attrs.PutInt("http.response.status_code", int64(s.status))
	putIfSet := func(key, value string) {
		if value != "" {
			attrs.PutStr(key, value)
		}
	}
	putIfSet("client.address", s.clientAddr)
	putIfSet("user_agent.original", s.userAgent)
	putIfSet("app.id", s.appID)
	putIfSet("event.category", s.category)
	putIfSet(attrRequestID, tc.requestID)
	if tc.caller.Found() {
		// Which header the caller's context came from: W3C, B3 or Jaeger.
		attrs.PutStr("eventsplit.trace_context.format", string(tc.caller.Format))
	}
	attrs.PutInt("eventsplit.events.received", int64(s.received))
	attrs.PutInt("eventsplit.events.accepted", int64(s.accepted))
	attrs.PutInt("eventsplit.events.rejected", int64(s.rejected))
	if s.batches > 1 {
		attrs.PutInt("eventsplit.batches", int64(s.batches))
	}
}

// setIngestStatus marks the span an error when the request failed or any
// of its events was rejected, with error.type saying which.
func setIngestStatus(span ptrace.Span, s *ingestSpan) {
	switch {
	case s.failure != "":
		span.Attributes().PutStr("error.type", s.failure)
		span.Status().SetCode(ptrace.StatusCodeError)
		span.Status().SetMessage(s.failure)
	case s.rejected > 0:
		span.Attributes().PutStr("error.type", "events_rejected")
		span.Status().SetCode(ptrace.StatusCodeError)
		span.Status().SetMessage(fmt.Sprintf("%d of %d events rejected", s.rejected, s.received))
	}
}

// logRecordFlags carries the sampled flag onto the records.
func logRecordFlags(tp tracecontext.TraceParent) plog.LogRecordFlags {
	return plog.DefaultLogRecordFlags.WithIsSampled(tp.Sampled())
}
