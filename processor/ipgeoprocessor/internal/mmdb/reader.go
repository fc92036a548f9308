// Package mmdb is a small, read-only MaxMind DB reader written from the
// published format specification (https://maxmind.github.io/MaxMind-DB/).
// It exists for speed: the processor walks only the parts of a record it
// needs, straight from the memory-mapped file, without reflection or
// allocation; full-featured decoding is left to maxminddb-golang, which the
// tests use as the reference.
//
// Every offset read from a file is checked against the section it points
// into, so a corrupt or hostile file yields an error, never a panic.
package mmdb // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/mmdb"

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
)

// ErrInvalid marks a file that does not follow the format.
var ErrInvalid = errors.New("invalid MaxMind DB")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// metadataMarker precedes the metadata section, at the end of the file.
var metadataMarker = []byte("\xab\xcd\xefMaxMind.com")

// dataSeparator is the size of the zero block between tree and data.
const dataSeparator = 16

// Metadata is the database's self-description.
type Metadata struct {
	NodeCount    uint32
	RecordSize   int
	IPVersion    int
	DatabaseType string
	Languages    []string
	BuildEpoch   uint64
}

// Reader looks up addresses in one database. It is safe for concurrent
// use: lookups only read.
type Reader struct {
	Metadata Metadata

	file      []byte
	tree      []byte
	data      []byte // the data section: offsets in records are relative to it
	release   func() error
	ipv4Start uint32 // node where IPv4 lookups start in an IPv6 tree
	ipv4Depth int    // bits consumed to reach it

	// jump4 and jump6 hold the node reached after the first 16 bits of an
	// IPv4 or IPv6 address (or the terminal record met before). A cold
	// lookup is a chain of dependent memory reads, one per tree level; the
	// tables (256 KiB each) skip the first 16 of them.
	jump4, jump6 []uint32
}

const jumpBits = 16

// Open memory-maps path (on platforms that have mmap; elsewhere it reads
// the file) and checks its metadata and layout.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() > 1<<32 {
		return nil, invalid("file of %d bytes is larger than the format allows", info.Size())
	}
	buf, release, err := mapFile(f, int(info.Size()))
	if err != nil {
		return nil, err
	}
	r, err := newReader(buf, release)
	if err != nil {
		_ = release()
		return nil, err
	}
	return r, nil
}

// FromBytes reads a database held in memory; buf must not change.
func FromBytes(buf []byte) (*Reader, error) {
	return newReader(buf, func() error { return nil })
}

func newReader(buf []byte, release func() error) (*Reader, error) {
	at := bytes.LastIndex(buf, metadataMarker)
	if at < 0 {
		return nil, invalid("no metadata marker: not a MaxMind DB file")
	}
	md, err := decodeMetadata(buf[at+len(metadataMarker):])
	if err != nil {
		return nil, err
	}
	switch md.RecordSize {
	case 24, 28, 32:
	default:
		return nil, invalid("unsupported record size %d", md.RecordSize)
	}
	if md.IPVersion != 4 && md.IPVersion != 6 {
		return nil, invalid("unsupported ip_version %d", md.IPVersion)
	}
	treeSize := uint64(md.NodeCount) * uint64(md.RecordSize) / 4
	if treeSize+dataSeparator > uint64(at) {
		return nil, invalid("a search tree of %d nodes does not fit before the metadata", md.NodeCount)
	}
	r := &Reader{
		Metadata: md,
		file:     buf,
		tree:     buf[:treeSize],
		data:     buf[treeSize+dataSeparator : at],
		release:  release,
	}
	if md.IPVersion == 6 {
		// IPv4 addresses live under ::/96: follow 96 zero bits once.
		node := uint32(0)
		depth := 0
		for ; depth < 96 && node < md.NodeCount; depth++ {
			node = r.child(node, 0)
		}
		r.ipv4Start, r.ipv4Depth = node, depth
		r.jump6 = r.jumpTable(0)
	}
	r.jump4 = r.jumpTable(r.ipv4Start)
	return r, nil
}

// jumpTable walks every 16-bit prefix from start.
func (r *Reader) jumpTable(start uint32) []uint32 {
	table := make([]uint32, 1<<jumpBits)
	count := r.Metadata.NodeCount
	for prefix := range table {
		node := start
		for depth := 0; depth < jumpBits && node < count; depth++ {
			node = r.child(node, uint(prefix>>(jumpBits-1-depth))&1)
		}
		table[prefix] = node
	}
	return table
}

// Close releases the mapping. No lookup may be in progress or follow.
func (r *Reader) Close() error {
	if r.release == nil {
		return nil
	}
	err := r.release()
	r.release = nil
	return err
}

// Size is the database size in bytes.
func (r *Reader) Size() int { return len(r.file) }

// child returns the left (bit 0) or right (bit 1) record of node. The
// caller guarantees node < NodeCount, so the read is inside the tree.
func (r *Reader) child(node uint32, bit uint) uint32 {
	n := uint64(node)
	switch r.Metadata.RecordSize {
	case 24:
		b := r.tree[n*6 : n*6+6]
		if bit == 0 {
			return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
		}
		return uint32(b[3])<<16 | uint32(b[4])<<8 | uint32(b[5])
	case 28:
		b := r.tree[n*7 : n*7+7]
		if bit == 0 {
			return uint32(b[3]&0xf0)<<20 | uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
		}
		return uint32(b[3]&0x0f)<<24 | uint32(b[4])<<16 | uint32(b[5])<<8 | uint32(b[6])
	default: // 32
		b := r.tree[n*8 : n*8+8]
		if bit == 0 {
			return binary.BigEndian.Uint32(b[0:4])
		}
		return binary.BigEndian.Uint32(b[4:8])
	}
}

// Lookup finds the record for addr. It returns the record's offset in the
// data section and found true, or found false when the database has no
// record for it (including an IPv6 address in an IPv4 database).
func (r *Reader) Lookup(addr netip.Addr) (uint32, bool, error) {
	addr = addr.Unmap()
	var ip [16]byte
	bits := 128
	node := uint32(0)
	depth := 0
	switch {
	case addr.Is4():
		a := addr.As4()
		copy(ip[:], a[:])
		bits = 32
		node = r.jump4[uint32(a[0])<<8|uint32(a[1])]
	case r.Metadata.IPVersion == 4:
		return 0, false, nil
	default:
		ip = addr.As16()
		node = r.jump6[uint32(ip[0])<<8|uint32(ip[1])]
	}
	depth = jumpBits
	count := r.Metadata.NodeCount
	for ; depth < bits && node < count; depth++ {
		bit := uint(ip[depth>>3]>>(7-uint(depth&7))) & 1
		node = r.child(node, bit)
	}
	switch {
	case node == count:
		return 0, false, nil
	case node < count:
		return 0, false, invalid("the search tree is deeper than the address")
	}
	off := uint64(node) - uint64(count) - dataSeparator
	if node-count < dataSeparator || off >= uint64(len(r.data)) {
		return 0, false, invalid("record pointer %d points outside the data section", node)
	}
	return uint32(off), true, nil
}
