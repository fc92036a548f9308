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
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"

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
	// caller is the caller's span, when it sent valid trace headers in one
	// of the configured formats (and its tracestate, for W3C).
	caller    tracecontext.Parent
	baggage   baggage.Baggage
	requestID string

	// ingest is this request's ingest span: the caller's trace id (or a new
	// one), a new span id, the caller's flags (or sampled for a new root).
	ingest tracecontext.TraceParent

	// invalid headers, for telemetry.
	invalidHeaders []string
}

// readTraceContext reads the request's trace context and counts the
// headers that were invalid.
func (r *eventSplitReceiver) readTraceContext(ctx context.Context, h http.Header) (traceContext, error) {
	tc, err := parseTraceContext(h, r.cfg.Propagators)
	for _, name := range tc.invalidHeaders {
		r.telemetry.ReceiverEventsplitTraceContextInvalid.Add(ctx, 1, r.headerAttrs[name])
	}
	return tc, err
}

// parseTraceContext reads the caller's span from the first of formats whose
// headers are present and valid, and the baggage. An invalid header is
// ignored as if absent, and named in invalidHeaders; it never fails the
// request.
func parseTraceContext(h http.Header, formats []tracecontext.Format) (traceContext, error) {
	var tc traceContext
	carrier := propagation.HeaderCarrier(h)
	tc.caller = tracecontext.ExtractParent(carrier, formats)
	var invalidBaggage []string
	tc.baggage, invalidBaggage = tracecontext.ExtractBaggage(carrier, formats)
	tc.invalidHeaders = append(tc.caller.Invalid, invalidBaggage...)
	if id := strings.TrimSpace(h.Get("X-Request-ID")); validRequestID(id) {
		tc.requestID = id
		// The id is on every event and on the ingest span anyway; the
		// caller's baggage can leave no room for it in the baggage header.
		if m, err := baggage.NewMemberRaw(baggageRequestID, id); err == nil {
			var fits bool
			if tc.baggage, fits = tracecontext.SetBaggageMember(tc.baggage, m); !fits {
				tc.invalidHeaders = append(tc.invalidHeaders, tracecontext.HeaderBaggage)
			}
		}
	}

	var random [24]byte
	if _, err := rand.Read(random[:]); err != nil {
		return tc, fmt.Errorf("random ids for the ingest span: %w", err)
	}
	if tc.caller.Found() {
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
// include_metadata): the outgoing traceparent naming the ingest span (and,
// when configured, the same in B3 and uber-trace-id form for consumers on
// older clients), the caller's tracestate, the baggage, the category, the topic and the
// partition key, under the configured keys.
func withEventMetadata(ctx context.Context, cfg *MetadataConfig, topic string, tc *traceContext, meta *envelopeMeta) context.Context {
	info := client.FromContext(ctx)
	md := make(map[string][]string, 8)
	for k := range info.Metadata.Keys() {
		md[k] = info.Metadata.Get(k)
	}
	// One backing array for every value: each entry is a one-element slice of it.
	values := make([]string, 0, 9)
	set := func(key, value string) {
		if key != "" && value != "" {
			values = append(values, value)
			md[key] = values[len(values)-1 : len(values) : len(values)]
		}
	}
	set(cfg.TraceParent, tc.ingest.String())
	if cfg.B3 != "" {
		set(cfg.B3, tc.ingest.B3())
	}
	if cfg.UberTraceID != "" {
		set(cfg.UberTraceID, tc.ingest.UberTraceID())
	}
	if cfg.TraceState != "" && tc.caller.TraceState.Len() > 0 {
		set(cfg.TraceState, tc.caller.TraceState.String())
	}
	if cfg.Baggage != "" && tc.baggage.Len() > 0 {
		set(cfg.Baggage, tc.baggage.String())
	}
	set(cfg.Category, meta.category)
	set(cfg.Topic, topic)
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
