package stack

import (
	"net"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPortPickerStaysBelowTheEphemeralRangeAndNeverRepeats(t *testing.T) {
	p := NewPortPicker()
	seen := map[int]bool{}
	for range 200 {
		port, err := p.Pick()
		require.NoError(t, err)
		assert.Less(t, port, ephemeralLow())
		assert.GreaterOrEqual(t, port, 1024)
		assert.False(t, seen[port], "port %d handed out twice", port)
		seen[port] = true
	}
}

func TestPortPickerSkipsPortsInUse(t *testing.T) {
	p := NewPortPicker()
	first, err := p.Pick()
	require.NoError(t, err)
	// The next candidate is taken by someone else: it is skipped.
	taken := first + 1
	if taken == p.high {
		taken = p.low
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(taken)))
	if err != nil {
		t.Skipf("port %d is busy on this machine: %v", taken, err)
	}
	defer l.Close()
	second, err := p.Pick()
	require.NoError(t, err)
	assert.NotEqual(t, taken, second)
}

func TestPortPickerReportsExhaustion(t *testing.T) {
	// A range of one port, which is taken.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	p := &PortPicker{low: port, high: port + 1, next: port}
	_, err = p.Pick()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no free port left")
}
