package tracecontext

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const validTP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

func TestParseTraceParent(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"valid sampled", validTP, nil},
		{"valid not sampled", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", nil},
		{"future version longer", "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds", nil},
		{"future version exact", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09", nil},
		{"empty", "", ErrLength},
		{"short", validTP[:54], ErrLength},
		{"version 00 too long", validTP + "-00", ErrLength},
		{"version 00 trailing byte", validTP + "x", ErrLength},
		{"future version no dash after", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x", ErrFormat},
		{"version ff", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ErrVersion},
		{"uppercase hex trace id", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", ErrHex},
		{"uppercase version", "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ErrHex},
		{"non-hex span id", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01", ErrHex},
		{"non-hex flags", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g", ErrHex},
		{"zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", ErrZeroTraceID},
		{"zero span id", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", ErrZeroSpanID},
		{"wrong separator", "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ErrFormat},
		{"shifted separators", "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01", ErrFormat},
		{"spaces", " 0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ErrHex},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, err := ParseTraceParent(tt.in)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				var ie *InvalidError
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, "traceparent", ie.Header)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.in[3:35], hexString(tp.TraceID[:]))
			assert.Equal(t, tt.in[36:52], hexString(tp.SpanID[:]))
		})
	}
}

func TestTraceParentRoundTripAndFlags(t *testing.T) {
	tp, err := ParseTraceParent(validTP)
	require.NoError(t, err)
	assert.True(t, tp.Sampled())
	assert.Equal(t, validTP, tp.String())

	// A future version is written back as version 00, and unknown flag bits
	// are not passed on.
	tp, err = ParseTraceParent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff-extra")
	require.NoError(t, err)
	assert.Equal(t, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03", tp.String())
}

func TestParseTraceParentHeaders(t *testing.T) {
	_, ok, err := ParseTraceParentHeaders(nil)
	assert.False(t, ok)
	assert.NoError(t, err)

	_, ok, err = ParseTraceParentHeaders([]string{validTP})
	assert.True(t, ok)
	assert.NoError(t, err)

	_, ok, err = ParseTraceParentHeaders([]string{validTP, validTP})
	assert.False(t, ok)
	assert.ErrorIs(t, err, ErrMultiple)
}

func TestParseTraceState(t *testing.T) {
	tests := []struct {
		name    string
		in      []string
		want    string
		wantErr error
	}{
		{"none", nil, "", nil},
		{"one", []string{"rojo=00f067aa0ba902b7"}, "rojo=00f067aa0ba902b7", nil},
		{"two headers joined", []string{"rojo=1", "congo=t61rcWkgMzE"}, "rojo=1,congo=t61rcWkgMzE", nil},
		{"whitespace and empty members", []string{" rojo=1 ,, \tcongo=2 "}, "rojo=1,congo=2", nil},
		{"multi-tenant key", []string{"fw529a3039@dt=abc"}, "fw529a3039@dt=abc", nil},
		{"value with space inside", []string{"a=b c"}, "a=b c", nil},
		{"uppercase key", []string{"Rojo=1"}, "", ErrKey},
		{"key starts with digit", []string{"1a=1"}, "", ErrKey},
		{"system id too long", []string{"t@abcdefghijklmno=1"}, "", ErrKey},
		{"no equals", []string{"rojo"}, "", ErrMemberFormat},
		{"empty value", []string{"rojo="}, "", ErrValue},
		{"value with equals", []string{"rojo=a=b"}, "", ErrValue},
		{"value trailing space kept by split", []string{"a=b\x7f"}, "", ErrValue},
		{"duplicate key", []string{"a=1,a=2"}, "", ErrDuplicateKey},
		{"33 members", []string{strings.Repeat("a=1,", 0) + members(33)}, "", ErrTooManyMembers},
		{"32 members", []string{members(32)}, members(32), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTraceState(tt.in)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func members(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = "k" + strings.Repeat("x", i) + "=v"
	}
	return strings.Join(parts, ",")
}

func TestParseBaggage(t *testing.T) {
	tests := []struct {
		name    string
		in      []string
		want    string
		wantErr error
	}{
		{"none", nil, "", nil},
		{"simple", []string{"userId=alice"}, "userId=alice", nil},
		{"ows and properties", []string{"a = 1 ; p1 ; p2 = x , b=2"}, "a=1;p1;p2=x,b=2", nil},
		{"two headers", []string{"a=1", "b=2"}, "a=1,b=2", nil},
		{"percent encoded", []string{"name=J%C3%BCrgen"}, "name=J%C3%BCrgen", nil},
		{"duplicate key last wins", []string{"a=1,a=2"}, "a=2", nil},
		{"empty value", []string{"a="}, "a=", nil},
		{"no equals", []string{"a"}, "", ErrMemberFormat},
		{"empty member", []string{"a=1,,b=2"}, "", ErrEmpty},
		{"bad key", []string{"a b=1"}, "", ErrKey},
		{"quote in value", []string{`a="x"`}, "", ErrValue},
		{"bad percent", []string{"a=%zz"}, "", ErrEncoding},
		{"bad property", []string{"a=1;=x"}, "", ErrProperty},
		{"too long", []string{"a=" + strings.Repeat("x", 8191)}, "", ErrTooLong},
		{"181 members", []string{baggageMembers(181)}, "", ErrTooManyMembers},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ParseBaggage(tt.in)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, b.String())
		})
	}
}

func baggageMembers(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = "k" + strings.Repeat("x", i%20) + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "=1"
	}
	return strings.Join(parts, ",")
}

func TestBaggageWithAndDecode(t *testing.T) {
	b, err := ParseBaggage([]string{"a=1,request_id=old"})
	require.NoError(t, err)
	b2 := b.With("request_id", "req 42/ü,;%")
	assert.Equal(t, "a=1,request_id=old", b.String(), "With must not change the original")
	assert.Equal(t, "a=1,request_id=req%2042/%C3%BC%2C%3B%25", b2.String())
	got, ok := b2.Get("request_id")
	require.True(t, ok)
	assert.Equal(t, "req 42/ü,;%", got)

	// What With writes parses back to the same value.
	back, err := ParseBaggage([]string{b2.String()})
	require.NoError(t, err)
	got, _ = back.Get("request_id")
	assert.Equal(t, "req 42/ü,;%", got)
}

func TestInvalidErrorMessage(t *testing.T) {
	_, err := ParseTraceParent("nope")
	assert.EqualError(t, err, "invalid traceparent header: wrong length")
	assert.True(t, errors.Is(err, ErrLength))
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&0xf])
	}
	return string(out)
}
