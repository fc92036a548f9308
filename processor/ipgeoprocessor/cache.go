package ipgeoprocessor // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor"

import (
	"encoding/binary"
	"net/netip"
	"sync/atomic"
)

// answerCache maps addresses to answers (nil: nothing found), bounded to a
// number of entries. It is a 4-way set-associative table of atomic
// pointers to immutable entries: a lookup hashes the address to a set of
// four slots and compares keys, with no lock and no allocation, so it
// stays cheap however many pipelines ask at once. Keys are the 16-byte form
// of the address (IPv4 unmapped first, so both spellings are one key), not
// its text.
//
// Eviction is CLOCK within a set: a hit marks its entry; an insert takes an
// empty slot, else the first unmarked one, clearing marks it passes. Two
// inserts racing for one set may overwrite each other; either answer is
// right, so the only cost is a later miss.
type answerCache struct {
	slots []atomic.Pointer[cacheEntry]
	shift uint // 64 - log2(number of sets): the set is the hash's top bits
}

const cacheWays = 4

type cacheEntry struct {
	key    [16]byte
	answer *location
	used   atomic.Bool
}

// newAnswerCache returns a cache of at least size entries (rounded up to a
// power of two), or nil for size 0 (a nil cache misses always).
func newAnswerCache(size int) *answerCache {
	if size <= 0 {
		return nil
	}
	sets, bits := 1, uint(0)
	for sets*cacheWays < size {
		sets *= 2
		bits++
	}
	return &answerCache{slots: make([]atomic.Pointer[cacheEntry], sets*cacheWays), shift: 64 - bits}
}

// set returns the first slot of key's set. Multiplying spreads the low
// input bits into the high ones, and the address bits that vary most (the
// last bytes, read big-endian as the low bits) take the top of the hash.
func (c *answerCache) set(key *[16]byte) int {
	h := (binary.BigEndian.Uint64(key[8:16]) ^ binary.BigEndian.Uint64(key[0:8])*0xc2b2ae3d27d4eb4f) * 0x9e3779b97f4a7c15
	if c.shift == 64 {
		return 0
	}
	return int(h>>c.shift) * cacheWays
}

// get returns the cached answer for a, and whether there was one.
func (c *answerCache) get(a netip.Addr) (*location, bool) {
	if c == nil {
		return nil, false
	}
	key := a.As16()
	base := c.set(&key)
	for i := base; i < base+cacheWays; i++ {
		e := c.slots[i].Load()
		if e != nil && e.key == key {
			if !e.used.Load() {
				e.used.Store(true)
			}
			return e.answer, true
		}
	}
	return nil, false
}

// put stores the answer for a (nil: nothing found).
func (c *answerCache) put(a netip.Addr, answer *location) {
	if c == nil {
		return
	}
	e := &cacheEntry{key: a.As16(), answer: answer}
	base := c.set(&e.key)
	for i := base; i < base+cacheWays; i++ {
		if old := c.slots[i].Load(); old == nil || old.key == e.key {
			c.slots[i].Store(e)
			return
		}
	}
	// Full set: CLOCK over its four slots, starting where the key hashes.
	start := int(e.key[15]) % cacheWays
	for round := 0; round < 2*cacheWays; round++ {
		i := base + (start+round)%cacheWays
		old := c.slots[i].Load()
		if old == nil || !old.used.Load() {
			c.slots[i].Store(e)
			return
		}
		old.used.Store(false)
	}
	c.slots[base+start].Store(e)
}

// len is the number of cached addresses.
func (c *answerCache) len() int {
	if c == nil {
		return 0
	}
	n := 0
	for i := range c.slots {
		if c.slots[i].Load() != nil {
			n++
		}
	}
	return n
}

// capacity is the number of entries the cache holds at most.
func (c *answerCache) capacity() int {
	if c == nil {
		return 0
	}
	return len(c.slots)
}
