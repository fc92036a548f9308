// Package xdb reads ip2region's xdb databases (format versions 2 and 3,
// IPv4 and IPv6) held entirely in memory, and writes small ones for tests.
//
// Layout, from the published format description:
//
//	header        256 bytes: version u16, index policy u16, created u32,
//	              first and last segment index entry offsets u32 u32,
//	              ip version u16 (4 or 6; 0 in version 2 files, meaning 4),
//	              runtime pointer bytes u16
//	vector index  256*256 entries of 8 bytes (start, end offsets u32 u32)
//	              indexed by the address's first two bytes; end is exclusive
//	region data   the region texts, referred to by offset and length
//	segment index entries of (start ip, end ip, data length u16, data
//	              offset u32), sorted; IPv4 addresses are stored as little
//	              endian u32, IPv6 addresses as 16 big endian bytes
//
// All integers are little endian. Every offset read from the file is
// checked against its length, so a corrupt file yields an error, never a
// panic.
package xdb // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/xdb"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"
)

// The xdb layout: a header, a vector index of 256x256 cells pointing into
// the segment index, then region texts and segments (exported for the test
// writer in xdbtest).
const (
	HeaderLength      = 256
	VectorRows        = 256
	VectorCols        = 256
	VectorEntrySize   = 8
	VectorIndexLength = VectorRows * VectorCols * VectorEntrySize
	DataStart         = HeaderLength + VectorIndexLength

	SegmentSizeV4 = 4 + 4 + 2 + 4
	SegmentSizeV6 = 16 + 16 + 2 + 4
)

// ErrCorrupt marks a database whose structure is inconsistent.
var ErrCorrupt = errors.New("corrupt xdb database")

// Header is the decoded file header.
type Header struct {
	Version     uint16
	IndexPolicy uint16
	CreatedAt   time.Time
	StartIndex  uint32
	EndIndex    uint32
	IPVersion   int // 4 or 6
}

// Reader answers lookups from an xdb file held in memory. It is safe for
// concurrent use: lookups only read.
type Reader struct {
	buf         []byte
	header      Header
	segmentSize uint32
}

// Open reads the whole file and checks its structure.
func Open(path string) (*Reader, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return New(buf)
}

// New checks buf as an xdb database and returns a reader over it. buf must
// not be modified afterwards.
func New(buf []byte) (*Reader, error) {
	if len(buf) < DataStart {
		return nil, fmt.Errorf("%w: %d bytes is shorter than the header and vector index (%d)", ErrCorrupt, len(buf), DataStart)
	}
	h := Header{
		Version:     binary.LittleEndian.Uint16(buf[0:]),
		IndexPolicy: binary.LittleEndian.Uint16(buf[2:]),
		CreatedAt:   time.Unix(int64(binary.LittleEndian.Uint32(buf[4:])), 0).UTC(),
		StartIndex:  binary.LittleEndian.Uint32(buf[8:]),
		EndIndex:    binary.LittleEndian.Uint32(buf[12:]),
	}
	switch h.Version {
	case 2:
		h.IPVersion = 4
	case 3:
		switch v := binary.LittleEndian.Uint16(buf[16:]); v {
		case 4, 6:
			h.IPVersion = int(v)
		default:
			return nil, fmt.Errorf("%w: unknown ip version %d in the header", ErrCorrupt, v)
		}
	default:
		return nil, fmt.Errorf("%w: format version %d is not 2 or 3 (is this an ip2region v1 .db file?)", ErrCorrupt, h.Version)
	}
	r := &Reader{buf: buf, header: h, segmentSize: SegmentSizeV4}
	if h.IPVersion == 6 {
		r.segmentSize = SegmentSizeV6
	}
	size := uint64(len(buf))
	if h.StartIndex < DataStart || h.EndIndex < h.StartIndex ||
		uint64(h.EndIndex)+uint64(r.segmentSize) > size ||
		(h.EndIndex-h.StartIndex)%r.segmentSize != 0 {
		return nil, fmt.Errorf("%w: segment index [%d, %d] does not fit a %d-byte file of %d-byte entries",
			ErrCorrupt, h.StartIndex, h.EndIndex, size, r.segmentSize)
	}
	// Every vector index entry must point into the segment index, on an entry
	// boundary; then a lookup can trust them.
	for i := 0; i < VectorRows*VectorCols; i++ {
		off := HeaderLength + i*VectorEntrySize
		s := binary.LittleEndian.Uint32(buf[off:])
		e := binary.LittleEndian.Uint32(buf[off+4:])
		if s == 0 && e == 0 {
			continue
		}
		if s < h.StartIndex || e > h.EndIndex+r.segmentSize || e < s ||
			(s-h.StartIndex)%r.segmentSize != 0 || (e-s)%r.segmentSize != 0 {
			return nil, fmt.Errorf("%w: vector index entry %d [%d, %d) is outside the segment index", ErrCorrupt, i, s, e)
		}
	}
	return r, nil
}

// Header returns the file header.
func (r *Reader) Header() Header { return r.header }

// Size is the database size in bytes.
func (r *Reader) Size() int { return len(r.buf) }

// IPVersion is 4 or 6: the addresses this database answers.
func (r *Reader) IPVersion() int { return r.header.IPVersion }

// Lookup returns the region bytes for addr, or nil when the database has no
// segment for it (or holds the other IP version). The returned slice aliases
// the database: copy it before keeping it.
func (r *Reader) Lookup(addr netip.Addr) ([]byte, error) {
	addr = addr.Unmap()
	var key [16]byte
	var n uint32
	switch {
	case addr.Is4() && r.header.IPVersion == 4:
		a := addr.As4()
		copy(key[:], a[:])
		n = 4
	case addr.Is6() && r.header.IPVersion == 6:
		key = addr.As16()
		n = 16
	default:
		return nil, nil
	}
	v := HeaderLength + (uint32(key[0])*VectorCols+uint32(key[1]))*VectorEntrySize
	sPtr := binary.LittleEndian.Uint32(r.buf[v:])
	ePtr := binary.LittleEndian.Uint32(r.buf[v+4:])
	if sPtr == 0 || ePtr <= sPtr {
		return nil, nil
	}
	lo, hi := 0, int((ePtr-sPtr)/r.segmentSize)-1
	for lo <= hi {
		m := (lo + hi) / 2
		p := sPtr + uint32(m)*r.segmentSize
		entry := r.buf[p : p+r.segmentSize] // in bounds: checked by New
		if compareIP(key[:n], entry[:n]) < 0 {
			hi = m - 1
			continue
		}
		if compareIP(key[:n], entry[n:2*n]) > 0 {
			lo = m + 1
			continue
		}
		length := uint64(binary.LittleEndian.Uint16(entry[2*n:]))
		ptr := uint64(binary.LittleEndian.Uint32(entry[2*n+2:]))
		if ptr < DataStart || ptr+length > uint64(len(r.buf)) {
			return nil, fmt.Errorf("%w: region data [%d, +%d) is outside the file", ErrCorrupt, ptr, length)
		}
		return r.buf[ptr : ptr+length], nil
	}
	return nil, nil
}

// compareIP compares an address in network byte order with one stored in
// the index: IPv4 as little endian, IPv6 as big endian.
func compareIP(ip, stored []byte) int {
	if len(ip) == 4 {
		a := binary.BigEndian.Uint32(ip)
		b := binary.LittleEndian.Uint32(stored)
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	for i := range ip {
		if ip[i] != stored[i] {
			if ip[i] < stored[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}
