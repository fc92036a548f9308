package eventsplitreceiver

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientAddressRules(t *testing.T) {
	trusted, err := parseTrustedProxies([]string{"10.0.0.0/8", "192.168.1.1", "2001:db8::/32"})
	require.NoError(t, err)
	tests := []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"no proxy", "198.51.100.1:5555", nil, "198.51.100.1"},
		{"untrusted peer ignores XFF", "198.51.100.1:5555", []string{"1.1.1.1"}, "198.51.100.1"},
		{"trusted peer, one hop", "10.0.0.2:80", []string{"203.0.113.5"}, "203.0.113.5"},
		{"forged hops left of the client are ignored", "10.0.0.2:80", []string{"6.6.6.6, 203.0.113.5, 10.9.9.9"}, "203.0.113.5"},
		{"several headers are one list", "192.168.1.1:80", []string{"203.0.113.5", "10.1.1.1"}, "203.0.113.5"},
		{"all trusted: leftmost", "10.0.0.2:80", []string{"10.3.3.3, 10.4.4.4"}, "10.3.3.3"},
		{"garbage hop stops at the last trusted", "10.0.0.2:80", []string{"203.0.113.5, nonsense"}, "10.0.0.2"},
		{"ipv6 peer and hop", "[2001:db8::1]:443", []string{"2a00:1450::1"}, "2a00:1450::1"},
		{"hop with port", "10.0.0.2:80", []string{"203.0.113.5:1234"}, "203.0.113.5"},
		{"mapped peer", "[::ffff:10.0.0.2]:80", []string{"203.0.113.5"}, "203.0.113.5"},
		{"unparsable peer", "pipe", []string{"203.0.113.5"}, "invalid IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, clientAddress(tt.remote, tt.xff, trusted).String())
		})
	}
}

func TestBackendIDsOrderedAndUnique(t *testing.T) {
	clock := time.UnixMilli(1763730000000)
	var mu sync.Mutex
	g := &backendIDs{now: func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }}
	seen := map[string]bool{}
	var prev string
	var random [8]byte // the same bits every time: the counter alone keeps ids apart
	for round := 0; round < 3; round++ {
		ms, seq := g.reserve(5000) // more than one millisecond's 4096 counter values
		ids := newIDSequence(ms, seq, random)
		for i := 0; i < 5000; i++ {
			id := string(ids.next(nil))
			require.Regexp(t, uuidV7, id)
			require.False(t, seen[id], "duplicate %s", id)
			require.Greater(t, id, prev, "ids must increase")
			seen[id], prev = true, id
		}
	}
	// The clock stepping back does not make ids go backwards.
	mu.Lock()
	clock = clock.Add(-time.Hour)
	mu.Unlock()
	ms, seq := g.reserve(1)
	ids := newIDSequence(ms, seq, random)
	assert.Greater(t, string(ids.next(nil)), prev)
	// The first 48 bits are the millisecond: 15000 ids used three more.
	assert.Equal(t, fmt.Sprintf("%08x-%04x", uint64(1763730000003)>>16, uint64(1763730000003)&0xffff), prev[:13])
}

// The ids of one reservation share their random bits and differ only in the
// counter, so they compress; two reservations' ids differ in their random
// bits too.
func TestBackendIDsShareRandomBitsPerReservation(t *testing.T) {
	g := &backendIDs{now: func() time.Time { return time.UnixMilli(1763730000000) }}
	ms, seq := g.reserve(3)
	ids := newIDSequence(ms, seq, [8]byte{0xff, 1, 2, 3, 4, 5, 6, 7})
	first, second := string(ids.next(nil)), string(ids.next(nil))
	require.Regexp(t, uuidV7, first)
	require.Regexp(t, uuidV7, second)
	assert.Equal(t, first[19:], second[19:], "variant and random bits are the reservation's")
	assert.Equal(t, "bf01-020304050607", first[19:], "the variant bits replace the first two random bits")
	assert.NotEqual(t, first[14:18], second[14:18], "the counter tells them apart")

	ms, seq = g.reserve(1)
	other := newIDSequence(ms, seq, [8]byte{0x80, 9, 9, 9, 9, 9, 9, 9})
	assert.Equal(t, "8009-090909090909", string(other.next(nil))[19:])
}

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:        "plain",
		`a\"b\\c\/d`:   `a"b\c/d`,
		`\b\f\n\r\t`:   "\b\f\n\r\t",
		`\u00e9\u20AC`: "é€",
		`\ud83d\ude00`: "😀",
		`\ud83d`:       "\uFFFD",
		`\ud83dx`:      "\uFFFDx",
		`\ude00\ud83d`: "\uFFFD\uFFFD",
		`\ud83d\u0041`: "\uFFFDA",
		`\u0000`:       "\x00",
	} {
		assert.Equal(t, want, string(appendUnescaped(nil, []byte(in))), in)
	}
}

func TestSkipValueDeepNestingNoRecursion(t *testing.T) {
	deep := strings.Repeat("[", 200000) + strings.Repeat("]", 200000)
	s := scanner{buf: []byte(deep)}
	nest, err := s.skipValue()
	require.NoError(t, err)
	assert.Equal(t, 200000, nest)
	s = scanner{buf: []byte(strings.Repeat("[", 1000) + strings.Repeat("}", 1000))}
	_, err = s.skipValue()
	require.Error(t, err)
	s = scanner{buf: []byte(`{"a":[1,{"b":"c"}],"d":{}}`)}
	nest, err = s.skipValue()
	require.NoError(t, err)
	assert.Equal(t, 3, nest)
}

func TestAnswerEscaping(t *testing.T) {
	b := appendJSONString(nil, "a\"b\\c\n\x01<tag>&\xff é")
	assert.Equal(t, `"a\"b\\c\n\u0001\u003ctag\u003e\u0026\ufffd é"`, string(b))
}

func TestValidRequestID(t *testing.T) {
	assert.True(t, validRequestID("req-1/abc"))
	assert.False(t, validRequestID(""))
	assert.False(t, validRequestID("bad\x7fid"))
	assert.False(t, validRequestID("tab\tid"))
	assert.False(t, validRequestID(strings.Repeat("x", 129)))
}

func TestParseHostAddr(t *testing.T) {
	for in, want := range map[string]string{
		"1.2.3.4":           "1.2.3.4",
		"1.2.3.4:80":        "1.2.3.4",
		"[::1]:80":          "::1",
		"::ffff:1.2.3.4":    "1.2.3.4",
		"fe80::1%eth0":      "fe80::1",
		"[fe80::1%eth0]:80": "fe80::1",
		"host:80":           "invalid IP",
	} {
		assert.Equal(t, want, parseHostAddr(in).String(), in)
	}
	_ = netip.Addr{}
}
