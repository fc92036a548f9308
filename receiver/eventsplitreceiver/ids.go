package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"encoding/binary"
	"sync"
	"time"
	"unsafe"
)

// backendIDs hands out UUIDv7 identifiers (RFC 9562 §5.7): 48 bits of Unix
// milliseconds, then a 12-bit counter (method 1 of §6.2) so that ids made
// within one millisecond still sort in the order they were made, then 62
// random bits. A request reserves the counter values for all its events
// under one lock and formats the ids without locking.
//
// The random bits are drawn once per reservation (one upload batch), not
// per id: within a process the (millisecond, counter) pair alone never
// repeats, and across agents the 62 bits keep two batches apart as well as
// per-id bits keep two ids apart. Ids of one upload then differ in a few
// counter digits, which Kafka's zstd and ClickHouse's column codecs
// compress; 62 fresh random bits per event did not compress at all
// (BENCHMARKS.md, bench-e2e row bytes).
type backendIDs struct {
	mu     sync.Mutex
	lastMs int64
	seq    uint16
	now    func() time.Time
}

const maxSeq = 0xfff

// reserve returns the first (millisecond, counter) pair of n consecutive
// ids. If a millisecond's 4096 counter values run out, ids continue in the
// next millisecond, so they never repeat or go backwards, even if the clock
// does. n must be at least 1.
func (g *backendIDs) reserve(n int) (int64, uint16) {
	n = max(n, 1)
	g.mu.Lock()
	defer g.mu.Unlock()
	ms := g.now().UnixMilli()
	if ms > g.lastMs {
		g.lastMs, g.seq = ms, 0
	} else {
		// Same millisecond, or the clock stepped back: continue after the last id.
		g.seq++
		if g.seq > maxSeq {
			g.lastMs, g.seq = g.lastMs+1, 0
		}
	}
	startMs, startSeq := g.lastMs, g.seq
	// Advance past the n-1 further ids of this reservation.
	total := int64(g.seq) + int64(n) - 1
	g.lastMs += total / (maxSeq + 1)
	g.seq = uint16(total % (maxSeq + 1))
	return startMs, startSeq
}

// idSequence formats the ids of one reservation.
type idSequence struct {
	ms     int64
	seq    uint16
	random [8]byte // the variant bits and the reservation's 62 random bits
}

// newIDSequence starts formatting a reservation, with random as its 62
// random bits (the first two are replaced by the variant).
func newIDSequence(ms int64, seq uint16, random [8]byte) idSequence {
	random[0] = random[0]&0x3f | 0x80 // variant 10
	return idSequence{ms: ms, seq: seq, random: random}
}

// next appends the next id's 36-character text to dst.
func (s *idSequence) next(dst []byte) []byte {
	var u [16]byte
	binary.BigEndian.PutUint64(u[0:8], uint64(s.ms)<<16|0x7000|uint64(s.seq))
	copy(u[8:], s.random[:])
	s.seq++
	if s.seq > maxSeq {
		s.ms, s.seq = s.ms+1, 0
	}
	return appendUUID(dst, u)
}

func appendUUID(dst []byte, u [16]byte) []byte {
	const digits = "0123456789abcdef"
	for i, b := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, digits[b>>4], digits[b&0x0f])
	}
	return dst
}

// arena is per-request memory for strings that are not in the request body
// as they will be stored: decoded escapes, generated ids, canonical
// addresses. Strings point into it without copying. A chunk is never
// written again once a string points into it; when one is full, a new one is
// started and the old one lives on for as long as its strings do.
type arena struct {
	buf   []byte
	chunk int
}

// reserve returns an empty slice with room for n bytes to append to.
func (a *arena) reserve(n int) []byte {
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, max(n, a.chunk))
	}
	return a.buf[len(a.buf):len(a.buf)]
}

// commit turns what was appended to the last reserve into a string.
func (a *arena) commit(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	a.buf = a.buf[:len(a.buf)+len(b)]
	return unsafe.String(&b[0], len(b)) //nolint:gosec // G103: the arena is append-only, see above
}
