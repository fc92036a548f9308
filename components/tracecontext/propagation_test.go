package tracecontext

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
)

func headers(kv ...string) propagation.HeaderCarrier {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return propagation.HeaderCarrier(h)
}

const (
	traceID128 = "4bf92f3577b34da6a3ce929d0e0e4736"
	spanID     = "00f067aa0ba902b7"
)

func TestExtractParentFromEachFormat(t *testing.T) {
	for name, tc := range map[string]struct {
		carrier propagation.HeaderCarrier
		format  Format
		traceID string
		sampled bool
	}{
		"w3c":             {headers("traceparent", validTP), FormatW3C, traceID128, true},
		"b3 single":       {headers("b3", traceID128+"-"+spanID+"-1"), FormatB3, traceID128, true},
		"b3 single debug": {headers("b3", traceID128+"-"+spanID+"-d"), FormatB3, traceID128, true},
		"b3 multi":        {headers("X-B3-TraceId", traceID128, "X-B3-SpanId", spanID, "X-B3-Sampled", "0"), FormatB3, traceID128, false},
		// A 64-bit trace id is left-padded with zeros, as Jaeger and Zipkin do.
		"b3 64-bit":          {headers("b3", "a3ce929d0e0e4736-"+spanID), FormatB3, "0000000000000000a3ce929d0e0e4736", false},
		"jaeger":             {headers("uber-trace-id", traceID128+":"+spanID+":0:1"), FormatJaeger, traceID128, true},
		"jaeger 64-bit":      {headers("uber-trace-id", "39e6f67f630a6a30:39e6f67f630a6a30:0:1"), FormatJaeger, "000000000000000039e6f67f630a6a30", true},
		"jaeger not sampled": {headers("Uber-Trace-Id", traceID128+":"+spanID+":0:0"), FormatJaeger, traceID128, false},
	} {
		t.Run(name, func(t *testing.T) {
			p := ExtractParent(tc.carrier, DefaultFormats())
			require.True(t, p.Found(), "%+v", p)
			assert.Equal(t, tc.format, p.Format)
			assert.Equal(t, tc.traceID, hexString(p.TraceID[:]))
			assert.Equal(t, tc.sampled, p.Sampled())
			assert.Empty(t, p.Invalid)
		})
	}
}

func TestExtractParentPrecedence(t *testing.T) {
	all := headers(
		"traceparent", "00-11111111111111111111111111111111-1111111111111111-01",
		"b3", "22222222222222222222222222222222-2222222222222222-1",
		"uber-trace-id", "33333333333333333333333333333333:3333333333333333:0:1",
	)
	for _, tc := range []struct {
		order []Format
		want  Format
	}{
		{DefaultFormats(), FormatW3C},
		{[]Format{FormatB3, FormatW3C}, FormatB3},
		{[]Format{FormatJaeger, FormatB3, FormatW3C}, FormatJaeger},
	} {
		p := ExtractParent(all, tc.order)
		assert.Equal(t, tc.want, p.Format, "%v", tc.order)
	}
	// A format that is not listed is not read.
	p := ExtractParent(headers("b3", "22222222222222222222222222222222-2222222222222222-1"), []Format{FormatW3C})
	assert.False(t, p.Found())
}

func TestExtractParentInvalidFallsThrough(t *testing.T) {
	p := ExtractParent(headers(
		"traceparent", "00-zz-zz-01",
		"b3", "not-a-b3",
		"uber-trace-id", traceID128+":"+spanID+":0:1",
	), DefaultFormats())
	require.True(t, p.Found())
	assert.Equal(t, FormatJaeger, p.Format)
	assert.Equal(t, []string{"traceparent", "b3"}, p.Invalid)

	p = ExtractParent(headers("uber-trace-id", "0:0:0:0"), DefaultFormats())
	assert.False(t, p.Found())
	assert.Equal(t, []string{"uber-trace-id"}, p.Invalid)
}

func TestExtractTraceState(t *testing.T) {
	p := ExtractParent(headers("traceparent", validTP, "tracestate", "rojo=00f067aa0ba902b7", "tracestate", "congo=t61rcWkgMzE"), DefaultFormats())
	assert.Equal(t, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", p.TraceState.String())
	assert.Empty(t, p.Invalid)

	p = ExtractParent(headers("traceparent", validTP, "tracestate", "a=1,a=2"), DefaultFormats())
	assert.True(t, p.Found(), "an invalid tracestate does not void the traceparent")
	assert.Zero(t, p.TraceState.Len())
	assert.Equal(t, []string{"tracestate"}, p.Invalid)

	// Without a valid traceparent, tracestate is not read.
	p = ExtractParent(headers("tracestate", "a=1"), DefaultFormats())
	assert.False(t, p.Found())
	assert.Empty(t, p.Invalid)
}

func TestExtractBaggage(t *testing.T) {
	b, invalid := ExtractBaggage(headers(
		"baggage", "user=alice,team=a%20b;prop",
		"baggage", "bad member",
		"uberctx-tenant", "acme%20corp",
		"Uberctx-Region", "eu",
	), DefaultFormats())
	assert.Equal(t, []string{"baggage"}, invalid, "the invalid member is dropped, the valid ones kept")
	assert.Equal(t, "alice", b.Member("user").Value())
	assert.Equal(t, "a b", b.Member("team").Value())
	assert.Equal(t, "acme corp", b.Member("tenant").Value())
	assert.Equal(t, "eu", b.Member("region").Value())

	b, _ = ExtractBaggage(headers("uberctx-tenant", "acme"), []Format{FormatW3C})
	assert.Zero(t, b.Len(), "Jaeger baggage only with the jaeger format listed")
}

func TestInjectEachFormat(t *testing.T) {
	tp, err := ParseTraceParent(validTP)
	require.NoError(t, err)
	assert.Equal(t, traceID128+"-"+spanID+"-1", tp.B3())
	assert.Equal(t, traceID128+":"+spanID+":0:1", tp.UberTraceID())

	// Each written form reads back as the same parent.
	for _, c := range []propagation.HeaderCarrier{
		headers("b3", tp.B3()), headers("uber-trace-id", tp.UberTraceID()), headers("traceparent", tp.String()),
	} {
		p := ExtractParent(c, DefaultFormats())
		require.True(t, p.Found())
		assert.Equal(t, tp.TraceID, p.TraceID)
		assert.Equal(t, tp.SpanID, p.SpanID)
		assert.True(t, p.Sampled())
	}
}

func TestValidateFormats(t *testing.T) {
	require.NoError(t, ValidateFormats(DefaultFormats()))
	require.ErrorContains(t, ValidateFormats(nil), "at least one")
	require.ErrorContains(t, ValidateFormats([]Format{"xray"}), `unknown trace context format "xray"`)
	require.ErrorContains(t, ValidateFormats([]Format{FormatB3, FormatB3}), "listed twice")
}
