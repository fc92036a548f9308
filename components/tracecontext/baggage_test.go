package tracecontext

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"
)

// A Jaeger baggage value that percent-encodes past 8192 bytes (found by
// FuzzExtract): it is refused and named, and the rest of the baggage still
// makes a header that parses.
func TestExtractBaggageTooLargeForOneHeader(t *testing.T) {
	b, invalid := ExtractBaggage(headers(
		"baggage", "user=alice",
		"uberctx-big", strings.Repeat("\x1c", 3000), // 9,000 bytes encoded
		"uberctx-tenant", "acme",
	), DefaultFormats())
	assert.Equal(t, []string{"uberctx-*"}, invalid)
	assert.Equal(t, "alice", b.Member("user").Value())
	assert.Equal(t, "acme", b.Member("tenant").Value())
	assert.Empty(t, b.Member("big").Key())
	_, err := baggage.Parse(b.String())
	require.NoError(t, err)
}

func TestExtractBaggageMemberLimit(t *testing.T) {
	kv := []string{"baggage", "first=1"}
	for i := range 70 {
		kv = append(kv, fmt.Sprintf("uberctx-k%02d", i), "v")
	}
	b, invalid := ExtractBaggage(headers(kv...), DefaultFormats())
	assert.Equal(t, []string{"uberctx-*"}, invalid)
	assert.Equal(t, maxBaggageMembers, b.Len())
	assert.Equal(t, "1", b.Member("first").Value(), "members read first are kept")
	_, err := baggage.Parse(b.String())
	require.NoError(t, err)
}

// The size kept as members are set is the encoded baggage's, through new
// members, replaced ones (longer and shorter) and refused ones, and the
// limit is exact: a baggage of 8192 bytes fits, one more byte does not.
func TestBoundedBaggageSize(t *testing.T) {
	var b boundedBaggage
	member := func(key, value string) baggage.Member {
		m, err := baggage.NewMemberRaw(key, value)
		require.NoError(t, err)
		return m
	}
	check := func(m baggage.Member, fits bool) {
		t.Helper()
		assert.Equal(t, fits, b.set(m), "%s", m.Key())
		assert.Equal(t, len(b.bag.String()), b.size)
	}
	check(member("a", "1"), true)
	check(member("b", "two words"), true) // encoded as two%20words
	check(member("a", "longer value"), true)
	check(member("b", "x"), true)
	check(member("c", strings.Repeat("z", maxBaggageBytes)), false)
	// "a=longer%20value,b=x" is 20 bytes; ",c=" and the value fill to 8192.
	fill := maxBaggageBytes - b.size - len(",c=")
	check(member("c", strings.Repeat("z", fill+1)), false)
	check(member("c", strings.Repeat("z", fill)), true)
	assert.Len(t, b.bag.String(), maxBaggageBytes)
	check(member("d", ""), false)
}

func TestExtractBaggageJaegerHeaderWithoutKey(t *testing.T) {
	b, invalid := ExtractBaggage(headers("uberctx-", "x", "uberctx-ok", "1"), []Format{FormatJaeger})
	assert.Equal(t, []string{"uberctx-*"}, invalid)
	assert.Equal(t, 1, b.Len())
	assert.Equal(t, "1", b.Member("ok").Value())
}
