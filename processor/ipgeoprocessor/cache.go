package ipgeoprocessor // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor"

import (
	"net/netip"
	"sync"
	"sync/atomic"
)

// answerCache maps addresses to answers (nil: nothing found), bounded to a
// number of entries. It is split into shards with their own lock so
// concurrent pipelines rarely contend; a hit takes a read lock and
// allocates nothing. Eviction is CLOCK: a hit marks its entry, and an
// insert into a full shard evicts the first unmarked entry after the hand,
// clearing marks on the way; addresses that keep being asked stay.
type answerCache struct {
	shards []cacheShard
	mask   uint64
}

type cacheShard struct {
	mu      sync.RWMutex
	index   map[netip.Addr]int32
	entries []cacheEntry
	hand    int
	limit   int
	_       [32]byte // keeps neighbouring shards' locks off one cache line
}

type cacheEntry struct {
	addr   netip.Addr
	answer *location
	used   atomic.Bool
}

// newAnswerCache returns a cache of about size entries, or nil for size 0
// (a nil cache misses always).
func newAnswerCache(size int) *answerCache {
	if size <= 0 {
		return nil
	}
	shards := 1
	for shards < 64 && size/(shards*2) >= 256 {
		shards *= 2
	}
	c := &answerCache{shards: make([]cacheShard, shards), mask: uint64(shards - 1)}
	per := (size + shards - 1) / shards
	for i := range c.shards {
		c.shards[i].index = make(map[netip.Addr]int32, per)
		c.shards[i].entries = make([]cacheEntry, 0, per)
		c.shards[i].limit = per
	}
	return c
}

func (c *answerCache) shard(a netip.Addr) *cacheShard {
	b := a.As16()
	// The low bytes vary most between clients (the high ones are shared by
	// a provider's whole range).
	h := uint64(b[15]) | uint64(b[14])<<8 | uint64(b[13])<<16 | uint64(b[11])<<24 | uint64(b[7])<<32
	h *= 0x9e3779b97f4a7c15
	return &c.shards[(h>>40)&c.mask]
}

// get returns the cached answer for a, and whether there was one.
func (c *answerCache) get(a netip.Addr) (*location, bool) {
	if c == nil {
		return nil, false
	}
	s := c.shard(a)
	s.mu.RLock()
	i, ok := s.index[a]
	var answer *location
	if ok {
		e := &s.entries[i]
		answer = e.answer
		if !e.used.Load() {
			e.used.Store(true)
		}
	}
	s.mu.RUnlock()
	return answer, ok
}

// put stores the answer for a (nil: nothing found).
func (c *answerCache) put(a netip.Addr, answer *location) {
	if c == nil {
		return
	}
	s := c.shard(a)
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.index[a]; ok {
		s.entries[i].answer = answer
		return
	}
	if len(s.entries) < s.limit {
		s.index[a] = int32(len(s.entries))
		s.entries = append(s.entries, cacheEntry{addr: a, answer: answer})
		return
	}
	for {
		e := &s.entries[s.hand]
		if e.used.Load() {
			e.used.Store(false)
			s.hand = (s.hand + 1) % len(s.entries)
			continue
		}
		delete(s.index, e.addr)
		e.addr, e.answer = a, answer
		s.index[a] = int32(s.hand)
		s.hand = (s.hand + 1) % len(s.entries)
		return
	}
}

// len is the number of cached addresses.
func (c *answerCache) len() int {
	if c == nil {
		return 0
	}
	n := 0
	for i := range c.shards {
		c.shards[i].mu.RLock()
		n += len(c.shards[i].entries)
		c.shards[i].mu.RUnlock()
	}
	return n
}
