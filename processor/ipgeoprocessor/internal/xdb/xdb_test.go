package xdb_test

import (
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/xdb"
	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/xdb/xdbtest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func seg(start, end, region string) xdbtest.Segment {
	return xdbtest.Segment{Start: netip.MustParseAddr(start), End: netip.MustParseAddr(end), Region: region}
}

func prefixSeg(prefix, region string) xdbtest.Segment {
	first, last := xdbtest.PrefixRange(netip.MustParsePrefix(prefix))
	return xdbtest.Segment{Start: first, End: last, Region: region}
}

var created = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func TestIPv4RoundTrip(t *testing.T) {
	buf, err := xdbtest.Build(4, []xdbtest.Segment{
		seg("1.0.0.0", "1.0.0.255", "Australia|0|Queensland|Brisbane|0"),
		// spans many /16 cells: must be split by the writer and still found
		seg("36.96.0.0", "36.127.255.255", "中国|0|广东省|深圳市|电信"),
		prefixSeg("81.2.69.0/24", "United Kingdom|0|England|London|BT"),
		seg("81.2.70.0", "81.2.70.0", "single|0|0|0|0"),
	}, created)
	require.NoError(t, err)
	r, err := xdb.New(buf)
	require.NoError(t, err)
	assert.Equal(t, 4, r.IPVersion())
	assert.Equal(t, uint16(3), r.Header().Version)
	assert.Equal(t, created, r.Header().CreatedAt)

	for ip, want := range map[string]string{
		"1.0.0.0":         "Australia|0|Queensland|Brisbane|0",
		"1.0.0.255":       "Australia|0|Queensland|Brisbane|0",
		"36.96.0.0":       "中国|0|广东省|深圳市|电信",
		"36.100.200.1":    "中国|0|广东省|深圳市|电信",
		"36.127.255.255":  "中国|0|广东省|深圳市|电信",
		"81.2.69.160":     "United Kingdom|0|England|London|BT",
		"81.2.70.0":       "single|0|0|0|0",
		"::ffff:1.0.0.7":  "Australia|0|Queensland|Brisbane|0",
		"1.0.1.0":         "",
		"36.95.255.255":   "",
		"36.128.0.0":      "",
		"81.2.70.1":       "",
		"255.255.255.255": "",
		"0.0.0.0":         "",
		"2001:db8::1":     "", // the other IP version
	} {
		got, err := r.Lookup(netip.MustParseAddr(ip))
		require.NoError(t, err)
		assert.Equal(t, want, string(got), ip)
	}
}

func TestIPv6RoundTrip(t *testing.T) {
	buf, err := xdbtest.Build(6, []xdbtest.Segment{
		prefixSeg("2a02:8109::/32", "Germany|0|Berlin|Berlin|Vodafone"),
		prefixSeg("2001:4860::/32", "United States|0|California|Mountain View|Google"),
		seg("2400::", "2400:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "Asia|0|0|0|0"),
	}, created)
	require.NoError(t, err)
	r, err := xdb.New(buf)
	require.NoError(t, err)
	assert.Equal(t, 6, r.IPVersion())
	for ip, want := range map[string]string{
		"2a02:8109:8a00::1":    "Germany|0|Berlin|Berlin|Vodafone",
		"2001:4860:4860::8888": "United States|0|California|Mountain View|Google",
		"2400:1::":             "Asia|0|0|0|0",
		"2a02:810a::1":         "",
		"1.2.3.4":              "",
	} {
		got, err := r.Lookup(netip.MustParseAddr(ip))
		require.NoError(t, err)
		assert.Equal(t, want, string(got), ip)
	}
}

func TestOpenFile(t *testing.T) {
	buf, err := xdbtest.Build(4, []xdbtest.Segment{seg("8.8.8.0", "8.8.8.255", "US|0|0|0|Google")}, created)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "ip2region.xdb")
	require.NoError(t, os.WriteFile(path, buf, 0o600))
	r, err := xdb.Open(path)
	require.NoError(t, err)
	got, err := r.Lookup(netip.MustParseAddr("8.8.8.8"))
	require.NoError(t, err)
	assert.Equal(t, "US|0|0|0|Google", string(got))
	_, err = xdb.Open(filepath.Join(t.TempDir(), "missing.xdb"))
	require.Error(t, err)
}

func TestCorrupt(t *testing.T) {
	good, err := xdbtest.Build(4, []xdbtest.Segment{seg("8.8.8.0", "8.8.8.255", "US|0|0|0|Google")}, created)
	require.NoError(t, err)
	mutate := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	tests := map[string][]byte{
		"empty":        {},
		"truncated":    good[:len(good)-3],
		"header only":  good[:xdb.HeaderLength],
		"version 1":    mutate(func(b []byte) []byte { binary.LittleEndian.PutUint16(b, 1); return b }),
		"ip version 5": mutate(func(b []byte) []byte { binary.LittleEndian.PutUint16(b[16:], 5); return b }),
		"end before start": mutate(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[12:], binary.LittleEndian.Uint32(b[8:])-14)
			return b
		}),
		"index past end": mutate(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12:], uint32(len(b))); return b }),
		"vector entry outside": mutate(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[xdb.HeaderLength+8*10:], 1)
			binary.LittleEndian.PutUint32(b[xdb.HeaderLength+8*10+4:], 15)
			return b
		}),
	}
	for name, buf := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := xdb.New(buf)
			require.ErrorIs(t, err, xdb.ErrCorrupt)
		})
	}

	// A region pointer outside the file passes the structural checks but
	// fails the lookup that reads it, with an error and no panic.
	bad := mutate(func(b []byte) []byte {
		entry := binary.LittleEndian.Uint32(b[8:])
		binary.LittleEndian.PutUint32(b[entry+10:], uint32(len(b)))
		return b
	})
	r, err := xdb.New(bad)
	require.NoError(t, err)
	_, err = r.Lookup(netip.MustParseAddr("8.8.8.8"))
	require.ErrorIs(t, err, xdb.ErrCorrupt)
}

func TestBuildRejectsBadInput(t *testing.T) {
	_, err := xdbtest.Build(4, nil, created)
	require.Error(t, err)
	_, err = xdbtest.Build(4, []xdbtest.Segment{seg("1.0.0.0", "1.0.0.9", "a"), seg("1.0.0.5", "1.0.0.20", "b")}, created)
	require.ErrorContains(t, err, "overlap")
	_, err = xdbtest.Build(6, []xdbtest.Segment{seg("1.0.0.0", "1.0.0.9", "a")}, created)
	require.ErrorContains(t, err, "not IPv6")
	_, err = xdbtest.Build(4, []xdbtest.Segment{seg("1.0.0.9", "1.0.0.0", "a")}, created)
	require.ErrorContains(t, err, "ends before")
}

// FuzzReader: any bytes, and any corruption of a valid file, give a reader
// or an error, and lookups give an answer or an error, never a panic.
func FuzzReader(f *testing.F) {
	good, _ := xdbtest.Build(4, []xdbtest.Segment{
		seg("8.8.8.0", "8.8.8.255", "US|0|0|0|Google"),
		seg("36.96.0.0", "36.97.255.255", "中国|0|广东省|深圳市|电信"),
	}, created)
	f.Add(uint32(0), []byte{0}, []byte{8, 8, 8, 8})
	f.Add(uint32(8), []byte{0xff, 0xff}, []byte{36, 96, 1, 1})
	f.Add(uint32(len(good)-20), []byte{1, 2, 3, 4, 5}, []byte{36, 97, 255, 255})
	f.Fuzz(func(t *testing.T, at uint32, patch []byte, ip []byte) {
		buf := append([]byte(nil), good...)
		if int(at) < len(buf) {
			copy(buf[at:], patch)
		}
		r, err := xdb.New(buf)
		if err != nil {
			return
		}
		if addr, ok := netip.AddrFromSlice(ip); ok {
			_, _ = r.Lookup(addr)
		}
	})
}
