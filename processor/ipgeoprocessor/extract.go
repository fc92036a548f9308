package ipgeoprocessor // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor"

import (
	"net/netip"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// addressStatus is what a record's source attributes yielded.
type addressStatus uint8

const (
	addressNone    addressStatus = iota // no source attribute present
	addressInvalid                      // present, but no usable address in it
	addressPrivate                      // a valid address that is not globally routable
	addressPublic                       // a public address to look up
)

// findAddress returns the first valid address among the source keys. A
// value may be one address ("203.0.113.7", "[2001:db8::1]:443") or a
// comma-separated X-Forwarded-For style list, which yields its first public
// address. The first key holding a valid address decides, even when that
// address is private: the record's client then is internal.
func findAddress(attrs pcommon.Map, keys []string) (netip.Addr, addressStatus) {
	status := addressNone
	for _, k := range keys {
		v, ok := attrs.Get(k)
		if !ok {
			continue
		}
		if v.Type() != pcommon.ValueTypeStr {
			status = addressInvalid
			continue
		}
		addr, s := parseAddressList(v.Str())
		if s == addressPublic || s == addressPrivate {
			return addr, s
		}
		status = addressInvalid
	}
	return netip.Addr{}, status
}

// parseAddressList reads one address or a comma-separated list.
func parseAddressList(v string) (netip.Addr, addressStatus) {
	if strings.IndexByte(v, ',') < 0 {
		a, ok := parseAddress(v)
		if !ok {
			return netip.Addr{}, addressInvalid
		}
		if !isPublic(a) {
			return a, addressPrivate
		}
		return a, addressPublic
	}
	var firstPrivate netip.Addr
	for part := range strings.SplitSeq(v, ",") {
		a, ok := parseAddress(part)
		if !ok {
			continue
		}
		if isPublic(a) {
			return a, addressPublic
		}
		if !firstPrivate.IsValid() {
			firstPrivate = a
		}
	}
	if firstPrivate.IsValid() {
		return firstPrivate, addressPrivate
	}
	return netip.Addr{}, addressInvalid
}

// parseAddress accepts "ip", "ip:port" and "[ipv6]:port", trims spaces, and
// unmaps IPv4-mapped IPv6. A zone ("fe80::1%eth0") makes it invalid: a
// zoned address is link-local by nature.
func parseAddress(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err2 := netip.ParseAddrPort(s)
		if err2 != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	}
	if a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// isPublic reports whether a is globally routable, so a geolocation
// database can know it. Not looked up: loopback, private (RFC 1918, ULA),
// link-local, multicast, unspecified, CGNAT (100.64.0.0/10), documentation,
// benchmarking and other IANA special-purpose ranges.
func isPublic(a netip.Addr) bool {
	if !a.IsGlobalUnicast() || a.IsPrivate() {
		return false // also excludes loopback, link-local, multicast, unspecified
	}
	if a.Is4() {
		b := a.As4()
		switch {
		case b[0] == 0, // "this network"
			b[0] == 100 && b[1]&0xc0 == 64,        // 100.64.0.0/10 shared address space (CGNAT)
			b[0] == 192 && b[1] == 0 && b[2] == 0, // 192.0.0.0/24 IETF protocol assignments
			b[0] == 192 && b[1] == 0 && b[2] == 2, // 192.0.2.0/24 documentation
			b[0] == 198 && b[1]&0xfe == 18,        // 198.18.0.0/15 benchmarking
			b[0] == 198 && b[1] == 51 && b[2] == 100,
			b[0] == 203 && b[1] == 0 && b[2] == 113, // documentation
			b[0] >= 240:                             // 240.0.0.0/4 reserved, and broadcast
			return false
		}
		return true
	}
	b := a.As16()
	switch {
	case b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8: // 2001:db8::/32 documentation
		return false
	case b[0] == 0x01 && b[1] == 0 && b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0: // 100::/64 discard
		return false
	case b[0] == 0x20 && b[1] == 0x01 && b[2]&0xfe == 0: // 2001::/23 IETF protocol assignments (Teredo, ORCHIDs)
		return false
	case b[0] == 0x00: // ::/8 (IPv4-compatible and other reserved forms)
		return false
	}
	return true
}
