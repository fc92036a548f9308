package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"net"
	"net/netip"
	"strings"
)

// clientAddress decides the request's client address: the peer, or, when
// the peer is a trusted proxy, the first address in X-Forwarded-For that is
// not a trusted proxy, reading from the right (the nearest hop first). Hops
// left of an untrusted one could be forged by the client, so they are never
// used. An unparsable hop stops the walk at the last trusted hop seen.
func clientAddress(remoteAddr string, forwardedFor []string, trusted []netip.Prefix) netip.Addr {
	peer := parseHostAddr(remoteAddr)
	if !peer.IsValid() || len(forwardedFor) == 0 || !isTrusted(peer, trusted) {
		return peer
	}
	client := peer
	for i := len(forwardedFor) - 1; i >= 0; i-- {
		hops := strings.Split(forwardedFor[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			hop := parseHostAddr(strings.TrimSpace(hops[j]))
			if !hop.IsValid() {
				return client
			}
			client = hop
			if !isTrusted(hop, trusted) {
				return client
			}
		}
	}
	return client // every hop was a trusted proxy: the leftmost is the origin
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHostAddr accepts "ip", "ip:port" and "[ipv6]:port", and returns the
// address with IPv4-mapped IPv6 unmapped and without a zone.
func parseHostAddr(s string) netip.Addr {
	// Peers are "ip:port": try that first, it does not allocate on success.
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone("")
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone("")
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		if a, err := netip.ParseAddr(host); err == nil {
			return a.Unmap().WithZone("")
		}
	}
	return netip.Addr{}
}
