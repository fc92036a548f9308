// Package xdbtest writes small ip2region xdb databases for tests.
package xdbtest // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/xdb/xdbtest"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"net/netip"
	"sort"
	"time"

	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/xdb"
)

// Segment maps the inclusive address range [Start, End] to Region.
type Segment struct {
	Start, End netip.Addr
	Region     string
}

// Build writes a version 3 xdb database holding segments, for tests and
// fixtures: it is small and simple, not tuned for building real databases.
// All segments must be of ipVersion (4 or 6), non-empty and must not
// overlap.
func Build(ipVersion int, segments []Segment, created time.Time) ([]byte, error) {
	segs, err := sortedSegments(ipVersion, segments)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, xdb.DataStart)
	binary.LittleEndian.PutUint16(buf[0:], 3)
	binary.LittleEndian.PutUint16(buf[2:], 1) // vector index policy
	binary.LittleEndian.PutUint32(buf[4:], uint32(created.Unix()))
	binary.LittleEndian.PutUint16(buf[16:], uint16(ipVersion))
	binary.LittleEndian.PutUint16(buf[18:], 4)
	buf, regionAt := appendRegions(buf, segs)
	return appendSegmentIndex(buf, ipVersion, segs, regionAt), nil
}

// sortedSegments checks the segments and returns a copy in address order.
func sortedSegments(ipVersion int, segments []Segment) ([]Segment, error) {
	if ipVersion != 4 && ipVersion != 6 {
		return nil, fmt.Errorf("ip version must be 4 or 6, got %d", ipVersion)
	}
	if len(segments) == 0 {
		return nil, errors.New("no segments")
	}
	segs := append([]Segment(nil), segments...)
	sort.Slice(segs, func(i, j int) bool { return segs[i].Start.Less(segs[j].Start) })
	for i, s := range segs {
		if (ipVersion == 4) != s.Start.Is4() || (ipVersion == 4) != s.End.Is4() {
			return nil, fmt.Errorf("segment %v-%v is not IPv%d", s.Start, s.End, ipVersion)
		}
		if s.End.Less(s.Start) {
			return nil, fmt.Errorf("segment %v-%v ends before it starts", s.Start, s.End)
		}
		if s.Region == "" || len(s.Region) > 0xffff {
			return nil, fmt.Errorf("segment %v-%v: region must be 1 to 65535 bytes", s.Start, s.End)
		}
		if i > 0 && !segs[i-1].End.Less(s.Start) {
			return nil, fmt.Errorf("segments %v-%v and %v-%v overlap", segs[i-1].Start, segs[i-1].End, s.Start, s.End)
		}
	}
	return segs, nil
}

// appendRegions writes each region text once and returns where each went.
func appendRegions(buf []byte, segs []Segment) ([]byte, map[string]uint32) {
	regionAt := map[string]uint32{}
	for _, s := range segs {
		if _, ok := regionAt[s.Region]; !ok {
			regionAt[s.Region] = uint32(len(buf))
			buf = append(buf, s.Region...)
		}
	}
	return buf, regionAt
}

// appendSegmentIndex writes the segment index and points the vector index
// and the header at it. A segment spanning several vector cells (first two
// bytes) is split at cell boundaries, so each cell's entries cover it.
func appendSegmentIndex(buf []byte, ipVersion int, segs []Segment, regionAt map[string]uint32) []byte {
	size := uint32(xdb.SegmentSizeV4)
	if ipVersion == 6 {
		size = xdb.SegmentSizeV6
	}
	start := uint32(len(buf))
	var last uint32
	for _, s := range segs {
		for _, part := range splitByCell(s.Start, s.End) {
			pos := uint32(len(buf))
			entry := make([]byte, size)
			n := putIP(entry, part[0])
			putIP(entry[n:], part[1])
			binary.LittleEndian.PutUint16(entry[2*n:], uint16(len(s.Region)))
			binary.LittleEndian.PutUint32(entry[2*n+2:], regionAt[s.Region])
			buf = append(buf, entry...)

			b := part[0].AsSlice()
			cell := xdb.HeaderLength + (uint32(b[0])*xdb.VectorCols+uint32(b[1]))*xdb.VectorEntrySize
			if binary.LittleEndian.Uint32(buf[cell:]) == 0 {
				binary.LittleEndian.PutUint32(buf[cell:], pos)
			}
			binary.LittleEndian.PutUint32(buf[cell+4:], pos+size)
			last = pos
		}
	}
	binary.LittleEndian.PutUint32(buf[8:], start)
	binary.LittleEndian.PutUint32(buf[12:], last)
	return buf
}

func putIP(dst []byte, a netip.Addr) int {
	if a.Is4() {
		b := a.As4()
		binary.LittleEndian.PutUint32(dst, binary.BigEndian.Uint32(b[:]))
		return 4
	}
	b := a.As16()
	return copy(dst, b[:])
}

// splitByCell splits [start, end] where the first two bytes change.
func splitByCell(start, end netip.Addr) [][2]netip.Addr {
	var out [][2]netip.Addr
	for {
		cellEnd := lastInCell(start)
		if !cellEnd.Less(end) {
			return append(out, [2]netip.Addr{start, end})
		}
		out = append(out, [2]netip.Addr{start, cellEnd})
		start = cellEnd.Next()
	}
}

// lastInCell is the highest address sharing a's first two bytes.
func lastInCell(a netip.Addr) netip.Addr {
	b := a.AsSlice()
	for i := 2; i < len(b); i++ {
		b[i] = 0xff
	}
	out, _ := netip.AddrFromSlice(b)
	return out
}

// PrefixRange returns the first and last address of a prefix, to build
// segments from CIDR notation.
func PrefixRange(p netip.Prefix) (netip.Addr, netip.Addr) {
	p = p.Masked()
	first := p.Addr()
	bits := first.BitLen()
	n := new(big.Int).SetBytes(first.AsSlice())
	hostBits := uint(bits - p.Bits())
	n.Or(n, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), hostBits), big.NewInt(1)))
	b := n.FillBytes(make([]byte, bits/8))
	last, _ := netip.AddrFromSlice(b)
	return first, last
}
