package tracecontext

import (
	"context"
	"errors"
	"fmt"
	"strings"

	b3prop "go.opentelemetry.io/contrib/propagators/b3"
	jaegerprop "go.opentelemetry.io/contrib/propagators/jaeger"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Format is a way of carrying trace context in headers.
type Format string

const (
	// FormatW3C is W3C Trace Context (traceparent, tracestate) and W3C
	// Baggage (baggage).
	FormatW3C Format = "tracecontext"
	// FormatB3 is Zipkin's B3: the single b3 header or the X-B3-TraceId,
	// X-B3-SpanId, X-B3-Sampled and X-B3-Flags headers.
	FormatB3 Format = "b3"
	// FormatJaeger is uber-trace-id, with baggage in uberctx-<key> headers.
	FormatJaeger Format = "jaeger"
)

// Header names, lower case (HTTP headers and client metadata are read
// case-insensitively).
const (
	HeaderTraceParent = "traceparent"
	HeaderTraceState  = "tracestate"
	HeaderBaggage     = "baggage"
	HeaderB3          = "b3"
	HeaderB3TraceID   = "x-b3-traceid"
	HeaderUberTraceID = "uber-trace-id"
	// HeaderUberBaggage is the prefix of Jaeger's baggage headers.
	HeaderUberBaggage = "uberctx-"
)

// DefaultFormats is the precedence used when none is configured: W3C first
// (what OpenTelemetry SDKs send), then B3, then Jaeger.
func DefaultFormats() []Format { return []Format{FormatW3C, FormatB3, FormatJaeger} }

// ValidateFormats checks a configured precedence list.
func ValidateFormats(formats []Format) error {
	if len(formats) == 0 {
		return errors.New("list at least one trace context format")
	}
	seen := map[Format]bool{}
	var errs []error
	for _, f := range formats {
		switch f {
		case FormatW3C, FormatB3, FormatJaeger:
		default:
			errs = append(errs, fmt.Errorf("unknown trace context format %q: want %s, %s or %s", f, FormatW3C, FormatB3, FormatJaeger))
		}
		if seen[f] {
			errs = append(errs, fmt.Errorf("trace context format %q is listed twice", f))
		}
		seen[f] = true
	}
	return errors.Join(errs...)
}

// Carrier is where the headers are read: propagation.HeaderCarrier for an
// HTTP request, or a view of a Kafka record's headers.
type Carrier interface {
	propagation.TextMapCarrier
	propagation.ValuesGetter
}

// Parent is the caller's span, read from the first format in the
// precedence list whose headers are present and valid.
type Parent struct {
	TraceParent
	// Format is where it came from; empty when there was no valid parent.
	Format Format
	// TraceState is the W3C tracestate that came with a W3C parent.
	TraceState trace.TraceState
	// Invalid names the headers that were present but invalid, and were
	// ignored as if absent: counted by the caller, never a refusal.
	Invalid []string
}

// Found reports whether a valid parent was read.
func (p Parent) Found() bool { return p.Format != "" }

// ExtractParent reads the caller's span. The first format in formats whose
// header is present and valid wins; an invalid one is recorded and the next
// format is tried.
func ExtractParent(carrier Carrier, formats []Format) Parent {
	var p Parent
	for _, f := range formats {
		switch f {
		case FormatW3C:
			p.readW3C(carrier)
		case FormatB3:
			p.readWith(carrier, f, b3prop.New(), HeaderB3, HeaderB3TraceID)
		case FormatJaeger:
			p.readWith(carrier, f, jaegerprop.Jaeger{}, HeaderUberTraceID)
		}
		if p.Found() {
			break
		}
	}
	return p
}

func (p *Parent) readW3C(carrier Carrier) {
	tp, ok, err := ParseTraceParentHeaders(carrier.Values(HeaderTraceParent))
	switch {
	case err != nil:
		p.Invalid = append(p.Invalid, HeaderTraceParent)
		return
	case !ok:
		return
	}
	p.TraceParent, p.Format = tp, FormatW3C
	// Trace Context §3.3: tracestate is read only with a valid traceparent,
	// and an invalid one is dropped as a whole.
	if values := carrier.Values(HeaderTraceState); len(values) > 0 {
		ts, err := trace.ParseTraceState(strings.Join(values, ","))
		if err != nil {
			p.Invalid = append(p.Invalid, HeaderTraceState)
			return
		}
		p.TraceState = ts
	}
}

// readWith extracts with an OpenTelemetry propagator when one of its
// headers is present; present but not yielding a valid span is invalid.
func (p *Parent) readWith(carrier Carrier, f Format, prop propagation.TextMapPropagator, headers ...string) {
	present := false
	for _, h := range headers {
		present = present || carrier.Get(h) != ""
	}
	if !present {
		return
	}
	sc := trace.SpanContextFromContext(prop.Extract(context.Background(), carrier))
	if !sc.IsValid() {
		p.Invalid = append(p.Invalid, headers[0])
		return
	}
	p.TraceParent, p.Format = FromSpanContext(sc), f
}

// SpanContext is tp as a remote OpenTelemetry span context.
func (tp TraceParent) SpanContext() trace.SpanContext {
	return trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID(tp.TraceID),
		SpanID:     trace.SpanID(tp.SpanID),
		TraceFlags: trace.TraceFlags(tp.Flags & knownFlags),
		Remote:     true,
	})
}

// FromSpanContext is the traceparent of sc (version 0, known flags only).
func FromSpanContext(sc trace.SpanContext) TraceParent {
	return TraceParent{TraceID: sc.TraceID(), SpanID: sc.SpanID(), Flags: byte(sc.TraceFlags()) & knownFlags}
}

// B3 is tp as a single b3 header value ({trace id}-{span id}-{sampled}).
func (tp TraceParent) B3() string {
	return inject(tp, b3prop.New(b3prop.WithInjectEncoding(b3prop.B3SingleHeader)), HeaderB3)
}

// UberTraceID is tp as an uber-trace-id header value
// ({trace id}:{span id}:0:{flags}).
func (tp TraceParent) UberTraceID() string {
	return inject(tp, jaegerprop.Jaeger{}, HeaderUberTraceID)
}

func inject(tp TraceParent, prop propagation.TextMapPropagator, header string) string {
	carrier := propagation.MapCarrier{}
	prop.Inject(trace.ContextWithRemoteSpanContext(context.Background(), tp.SpanContext()), carrier)
	return carrier.Get(header)
}
