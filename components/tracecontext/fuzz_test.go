package tracecontext

import (
	"net/http"
	"slices"
	"testing"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
)

// The parsers take raw header values from the network: whatever they get,
// they must not panic, and what they accept must survive a round trip.

func FuzzParseTraceParent(f *testing.F) {
	for _, s := range []string{
		validTP, "", "ff-" + validTP[3:], "01-" + validTP[3:] + "-x", validTP[:54],
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tp, err := ParseTraceParent(s)
		if err != nil {
			return
		}
		if tp.TraceID == [16]byte{} || tp.SpanID == [8]byte{} || tp.Version == 0xff {
			t.Fatalf("accepted an invalid traceparent %q", s)
		}
		again, err := ParseTraceParent(tp.String())
		if err != nil {
			t.Fatalf("written form %q of %q does not parse: %v", tp.String(), s, err)
		}
		if again.TraceID != tp.TraceID || again.SpanID != tp.SpanID {
			t.Fatalf("round trip changed ids: %q -> %q", s, tp.String())
		}
	})
}

// Any combination of headers, in any precedence, yields either no parent or
// a valid one from a listed format, and never panics.
func FuzzExtract(f *testing.F) {
	f.Add(validTP, "rojo=1", "a=1;p", "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1", "4bf92f3577b34da6:00f067aa0ba902b7:0:1", "x%20y", uint8(0))
	f.Add("junk", "x=", "a=%zz", "-", "::::", "%", uint8(3))
	f.Add("", "", "", "", "39e6f67f630a6a30:39e6f67f630a6a30:0:1", "v", uint8(5))
	f.Fuzz(func(t *testing.T, tp, ts, bag, b3, uber, uberBaggage string, order uint8) {
		h := http.Header{}
		set := func(k, v string) {
			if v != "" {
				h.Set(k, v)
			}
		}
		set(HeaderTraceParent, tp)
		set(HeaderTraceState, ts)
		set(HeaderBaggage, bag)
		set(HeaderB3, b3)
		set(HeaderUberTraceID, uber)
		set(HeaderUberBaggage+"k", uberBaggage)
		formats := permutations[int(order)%len(permutations)]
		p := ExtractParent(propagation.HeaderCarrier(h), formats)
		if p.Found() {
			if !slices.Contains(formats, p.Format) {
				t.Fatalf("parent from %q, not in %v", p.Format, formats)
			}
			if p.TraceID == [16]byte{} || p.SpanID == [8]byte{} {
				t.Fatalf("accepted an all-zero id: %+v", p)
			}
			if _, err := ParseTraceParent(p.String()); err != nil {
				t.Fatalf("parent %+v does not write a valid traceparent: %v", p, err)
			}
		}
		b, _ := ExtractBaggage(propagation.HeaderCarrier(h), formats)
		if _, err := baggage.Parse(b.String()); err != nil {
			t.Fatalf("baggage %q does not parse back: %v", b.String(), err)
		}
	})
}

var permutations = [][]Format{
	{FormatW3C, FormatB3, FormatJaeger}, {FormatW3C, FormatJaeger, FormatB3},
	{FormatB3, FormatW3C, FormatJaeger}, {FormatB3, FormatJaeger, FormatW3C},
	{FormatJaeger, FormatW3C, FormatB3}, {FormatJaeger, FormatB3, FormatW3C},
	{FormatW3C},
}
