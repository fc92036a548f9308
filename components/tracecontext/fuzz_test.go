package tracecontext

import (
	"testing"
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

func FuzzParseTraceState(f *testing.F) {
	for _, s := range []string{"rojo=1,congo=2", "a@b=c", " , ", "a=1,a=2", "x="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		canonical, err := ParseTraceState([]string{s})
		if err != nil {
			return
		}
		again, err := ParseTraceState([]string{canonical})
		if err != nil || again != canonical {
			t.Fatalf("canonical form %q of %q does not round trip: %q, %v", canonical, s, again, err)
		}
	})
}

func FuzzParseBaggage(f *testing.F) {
	for _, s := range []string{"a=1", "a=1;p;q=2,b=%41", "a=%zz", ",", "k=v;"} {
		f.Add(s, "request-42")
	}
	f.Fuzz(func(t *testing.T, s, requestID string) {
		b, err := ParseBaggage([]string{s})
		if err != nil {
			return
		}
		withID := b.With("request_id", requestID)
		back, err := ParseBaggage([]string{withID.String()})
		if err != nil {
			if len(withID.String()) > maxBaggageBytes {
				return // the added value made it too long: a valid refusal
			}
			t.Fatalf("written baggage %q does not parse: %v", withID.String(), err)
		}
		got, ok := back.Get("request_id")
		if !ok || got != requestID {
			t.Fatalf("request_id %q came back as %q (%v)", requestID, got, ok)
		}
	})
}
