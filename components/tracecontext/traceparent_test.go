package tracecontext

import (
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
	require.NoError(t, err)

	_, ok, err = ParseTraceParentHeaders([]string{validTP})
	assert.True(t, ok)
	require.NoError(t, err)

	_, ok, err = ParseTraceParentHeaders([]string{validTP, validTP})
	assert.False(t, ok)
	require.ErrorIs(t, err, ErrMultiple)
}

func TestInvalidErrorMessage(t *testing.T) {
	_, err := ParseTraceParent("nope")
	require.EqualError(t, err, "invalid traceparent header: wrong length")
	require.ErrorIs(t, err, ErrLength)
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&0xf])
	}
	return string(out)
}
