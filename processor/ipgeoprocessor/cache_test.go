package ipgeoprocessor

import (
	"net/netip"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func addrN(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{81, byte(i >> 16), byte(i >> 8), byte(i)})
}

func TestCacheGetPut(t *testing.T) {
	c := newAnswerCache(1000)
	_, ok := c.get(addrN(1))
	assert.False(t, ok)
	london := &location{}
	london.setString(fieldLocalityName, "London")
	c.put(addrN(1), london)
	c.put(addrN(2), nil) // cached "not found"
	got, ok := c.get(addrN(1))
	assert.True(t, ok)
	assert.Same(t, london, got)
	got, ok = c.get(addrN(2))
	assert.True(t, ok)
	assert.Nil(t, got)
	assert.Equal(t, 2, c.len())
}

func TestCacheIsBoundedAndKeepsHotEntries(t *testing.T) {
	const size = 4096
	c := newAnswerCache(size)
	hot := addrN(0)
	c.put(hot, &location{})
	_, _ = c.get(hot)
	for i := 1; i < 50*size; i++ {
		c.put(addrN(i), nil)
		if i%64 == 0 {
			_, ok := c.get(hot) // a frequently asked address
			require.True(t, ok, "the hot entry was evicted after %d inserts", i)
		}
	}
	assert.LessOrEqual(t, c.len(), c.capacity(), "bounded")
	assert.Equal(t, size, c.capacity())
}

func TestCacheDisabled(t *testing.T) {
	c := newAnswerCache(0)
	c.put(addrN(1), &location{})
	_, ok := c.get(addrN(1))
	assert.False(t, ok)
	assert.Zero(t, c.len())
}

func TestCacheConcurrent(t *testing.T) {
	c := newAnswerCache(512)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Go(func() {
			for i := 0; i < 20000; i++ {
				a := addrN((i * (w + 1)) % 3000)
				if _, ok := c.get(a); !ok {
					c.put(a, nil)
				}
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, c.len(), c.capacity())
}

func TestCacheKeysByAddressNotText(t *testing.T) {
	c := newAnswerCache(100)
	c.put(netip.MustParseAddr("2a02:8109:8a00::1"), &location{})
	_, ok := c.get(netip.MustParseAddr("2a02:8109:8a00:0:0:0:0:1"))
	assert.True(t, ok, "another spelling of the same address hits")
}
