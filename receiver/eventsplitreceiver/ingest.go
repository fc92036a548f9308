package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-events/otelcol-events/components/tracecontext"
)

// maxRequestIDLength bounds X-Request-ID; longer or non-printable values are
// ignored rather than copied onto every record.
const maxRequestIDLength = 128

// baggageRequestID is the baggage member that carries X-Request-ID.
const baggageRequestID = "request_id"

// traceContext is the trace the request continues, and the ingest span's
// place in it.
type traceContext struct {
	// caller is the caller's span, when it sent a valid traceparent.
	caller     tracecontext.TraceParent
	hasCaller  bool
	traceState string
	baggage    tracecontext.Baggage
	requestID  string

	// ingest is this request's ingest span: the caller's trace id (or a new
	// one), a new span id, the caller's flags (or sampled for a new root).
	ingest tracecontext.TraceParent

	// invalid headers, for telemetry.
	invalidHeaders []string
}

// readTraceContext parses the request's trace headers strictly: an invalid
// header is ignored as if absent, and named in invalidHeaders. It never
// fails the request.
func readTraceContext(h http.Header) (traceContext, error) {
	var tc traceContext
	tp, ok, err := tracecontext.ParseTraceParentHeaders(h.Values("traceparent"))
	switch {
	case err != nil:
		tc.invalidHeaders = append(tc.invalidHeaders, "traceparent")
	case ok:
		tc.caller, tc.hasCaller = tp, true
		// Trace Context §3.3: tracestate is only read with a valid traceparent.
		if values := h.Values("tracestate"); len(values) > 0 {
			if ts, err := tracecontext.ParseTraceState(values); err != nil {
				tc.invalidHeaders = append(tc.invalidHeaders, "tracestate")
			} else {
				tc.traceState = ts
			}
		}
	}
	if values := h.Values("baggage"); len(values) > 0 {
		if b, err := tracecontext.ParseBaggage(values); err != nil {
			tc.invalidHeaders = append(tc.invalidHeaders, "baggage")
		} else {
			tc.baggage = b
		}
	}
	if id := strings.TrimSpace(h.Get("X-Request-ID")); validRequestID(id) {
		tc.requestID = id
		tc.baggage = tc.baggage.With(baggageRequestID, id)
	}

	var random [24]byte
	if _, err := rand.Read(random[:]); err != nil {
		return tc, fmt.Errorf("random ids for the ingest span: %w", err)
	}
	if tc.hasCaller {
		tc.ingest.TraceID = tc.caller.TraceID
		tc.ingest.Flags = tc.caller.Flags
	} else {
		copy(tc.ingest.TraceID[:], random[:16])
		// A new root is sampled, and its trace id is random (level 2 flag).
		tc.ingest.Flags = tracecontext.FlagSampled | tracecontext.FlagRandom
	}
	copy(tc.ingest.SpanID[:], random[16:])
	if tc.ingest.SpanID == [8]byte{} {
		tc.ingest.SpanID[7] = 1 // all-zero is invalid; astronomically unlikely
	}
	return tc, nil
}

func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// withEventMetadata returns ctx with client metadata for the Kafka hop
// added to what the HTTP server put there (peer address, auth, headers with
// include_metadata): the outgoing traceparent naming the ingest span, the
// caller's tracestate, the baggage, the category, the topic and the
// partition key, under the configured keys.
func withEventMetadata(ctx context.Context, cfg *MetadataConfig, tc *traceContext, meta *envelopeMeta) context.Context {
	info := client.FromContext(ctx)
	md := make(map[string][]string, 8)
	for k := range info.Metadata.Keys() {
		md[k] = info.Metadata.Get(k)
	}
	// One backing array for every value: each entry is a one-element slice of it.
	values := make([]string, 0, 7)
	set := func(key, value string) {
		if key != "" && value != "" {
			values = append(values, value)
			md[key] = values[len(values)-1 : len(values) : len(values)]
		}
	}
	set(cfg.TraceParent, tc.ingest.String())
	set(cfg.TraceState, tc.traceState)
	if cfg.Baggage != "" && tc.baggage.Len() > 0 {
		set(cfg.Baggage, tc.baggage.String())
	}
	set(cfg.Category, meta.category)
	if cfg.Topic != "" {
		set(cfg.Topic, strings.ReplaceAll(cfg.TopicTemplate, categoryPlaceholder, meta.category))
	}
	if cfg.PartitionKey != "" {
		partitionKey := meta.appID
		if meta.deviceID != "" {
			partitionKey += "/" + meta.deviceID
		}
		set(cfg.PartitionKey, partitionKey)
	}
	if cfg.HandedOffAt != "" {
		set(cfg.HandedOffAt, strconv.FormatInt(time.Now().UnixNano(), 10))
	}
	info.Metadata = client.NewMetadata(md)
	return client.NewContext(ctx, info)
}

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
	if tc.hasCaller {
		span.SetParentSpanID(tc.caller.SpanID)
		span.TraceState().FromRaw(tc.traceState)
	}
	span.SetFlags(uint32(tc.ingest.Flags))
	span.SetKind(ptrace.SpanKindServer)
	span.SetName(s.method + " " + s.path)
	span.SetStartTimestamp(s.start)
	span.SetEndTimestamp(s.end)

	attrs := span.Attributes()
	attrs.EnsureCapacity(14)
	attrs.PutStr("http.request.method", s.method)
	attrs.PutStr("url.path", s.path)
	attrs.PutStr("http.route", s.path)
	attrs.PutInt("http.response.status_code", int64(s.status))
	if s.clientAddr != "" {
		attrs.PutStr("client.address", s.clientAddr)
	}
	if s.userAgent != "" {
		attrs.PutStr("user_agent.original", s.userAgent)
	}
	if s.appID != "" {
		attrs.PutStr("app.id", s.appID)
	}
	if s.category != "" {
		attrs.PutStr("event.category", s.category)
	}
	if tc.requestID != "" {
		attrs.PutStr(attrRequestID, tc.requestID)
	}
	attrs.PutInt("eventsplit.events.received", int64(s.received))
	attrs.PutInt("eventsplit.events.accepted", int64(s.accepted))
	attrs.PutInt("eventsplit.events.rejected", int64(s.rejected))

	switch {
	case s.failure != "":
		attrs.PutStr("error.type", s.failure)
		span.Status().SetCode(ptrace.StatusCodeError)
		span.Status().SetMessage(s.failure)
	case s.rejected > 0:
		attrs.PutStr("error.type", "events_rejected")
		span.Status().SetCode(ptrace.StatusCodeError)
		span.Status().SetMessage(fmt.Sprintf("%d of %d events rejected", s.rejected, s.received))
	}
}

// logRecordFlags carries the sampled flag onto the records.
func logRecordFlags(tp tracecontext.TraceParent) plog.LogRecordFlags {
	return plog.DefaultLogRecordFlags.WithIsSampled(tp.Sampled())
}
