package stack

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
)

// PortPicker hands out free loopback ports for services that tests start.
//
// Ports come from just below the kernel's ephemeral range
// (net.ipv4.ip_local_port_range): a port the kernel handed out with
// "listen on :0" is from that range, and may meanwhile become the source
// port of some service's outgoing connection, which then keeps the service
// meant to listen there from starting. Below the range, only a listener
// can take a port. The picker never hands out a port twice, and skips ports
// something already listens on (a running local stack uses 13133-28888).
type PortPicker struct {
	mu        sync.Mutex
	low, high int // [low, high)
	next      int
}

// pickerSpan is how many ports below the ephemeral range are used.
const pickerSpan = 3700

// NewPortPicker starts at a random port of its range, so that two test
// processes at once are unlikely to try the same ports.
func NewPortPicker() *PortPicker {
	high := ephemeralLow()
	low := max(high-pickerSpan, 1024)
	return &PortPicker{low: low, high: high, next: low + rand.IntN(high-low)}
}

// Pick returns a port nothing listens on, never returned before.
func (p *PortPicker) Pick() (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range p.high - p.low {
		port := p.next
		p.next++
		if p.next == p.high {
			p.next = p.low
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		_ = l.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free port left in %d-%d", p.low, p.high-1)
}

// ephemeralLow is the first port of the kernel's ephemeral range (Linux's
// default when it cannot be read).
func ephemeralLow() int {
	const linuxDefault = 32768
	data, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return linuxDefault
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return linuxDefault
	}
	low, err := strconv.Atoi(fields[0])
	if err != nil || low <= 1024+pickerSpan/4 {
		return linuxDefault
	}
	return low
}
