package ipgeoprocessor

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestParseAddressList(t *testing.T) {
	tests := []struct {
		in     string
		addr   string
		status addressStatus
	}{
		{"81.2.69.160", "81.2.69.160", addressPublic},
		{"2a02:8109:8a00::1", "2a02:8109:8a00::1", addressPublic},
		{"::ffff:81.2.69.160", "81.2.69.160", addressPublic},
		{"[2a02:8109:8a00::1]:8080", "2a02:8109:8a00::1", addressPublic},
		{"81.2.69.160:443", "81.2.69.160", addressPublic},
		{"10.0.0.1", "10.0.0.1", addressPrivate},
		{"10.0.0.1, 81.2.69.160", "81.2.69.160", addressPublic},
		{"unknown, 81.2.69.160", "81.2.69.160", addressPublic},
		{"10.0.0.1, 192.168.0.1", "10.0.0.1", addressPrivate},
		{"", "invalid IP", addressInvalid},
		{",", "invalid IP", addressInvalid},
		{"1.2.3", "invalid IP", addressInvalid},
		{"fe80::1%eth0", "invalid IP", addressInvalid},
		{"81.2.69.160:99999", "invalid IP", addressInvalid},
	}
	for _, tt := range tests {
		a, s := parseAddressList(tt.in)
		assert.Equal(t, tt.status, s, tt.in)
		assert.Equal(t, tt.addr, a.String(), tt.in)
	}
}

func TestIsPublic(t *testing.T) {
	for _, ip := range []string{"81.2.69.160", "8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.0", "2a02:8109::1", "2001:4860:4860::8888", "2001:200::1"} {
		assert.True(t, isPublic(netip.MustParseAddr(ip)), ip)
	}
}

// FuzzFindAddress: any attribute value gives an address status without a
// panic; a public answer is valid, unmapped, zone-less and public, and a
// single-address value that parses as an address reports that address.
func FuzzFindAddress(f *testing.F) {
	for _, s := range []string{
		"81.2.69.160", "10.0.0.1, 81.2.69.160", "[::1]:80", "::ffff:1.2.3.4", "fe80::1%lo", ",,,", "1.2.3.4:5",
		"2001:db8::1, 2a02:8109::1", strings.Repeat("1.1.1.1,", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		attrs := pcommon.NewMap()
		attrs.PutStr("client.address", value)
		addr, status := findAddress(attrs, []string{"client.address"})
		switch status {
		case addressPublic:
			if !addr.IsValid() || addr.Is4In6() || addr.Zone() != "" || !isPublic(addr) {
				t.Fatalf("%q gave public %v", value, addr)
			}
		case addressPrivate:
			if !addr.IsValid() || isPublic(addr) {
				t.Fatalf("%q gave private %v", value, addr)
			}
		case addressInvalid:
			if addr.IsValid() {
				t.Fatalf("%q is invalid but gave %v", value, addr)
			}
		default:
			t.Fatalf("%q: status %d for a present attribute", value, status)
		}
		if direct, err := netip.ParseAddr(value); err == nil && direct.Zone() == "" && status == addressPublic {
			if direct.Unmap() != addr {
				t.Fatalf("%q parsed as %v but %v was reported", value, direct, addr)
			}
		}
	})
}
