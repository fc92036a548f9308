package mmdb // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/mmdb"

import (
	"encoding/binary"
	"math"
)

// Kind is a data section type.
type Kind uint8

// Data section types (format specification, "Output Data Section").
const (
	KindPointer   Kind = 1
	KindString    Kind = 2
	KindDouble    Kind = 3
	KindBytes     Kind = 4
	KindUint16    Kind = 5
	KindUint32    Kind = 6
	KindMap       Kind = 7
	KindInt32     Kind = 8
	KindUint64    Kind = 9
	KindUint128   Kind = 10
	KindArray     Kind = 11
	KindContainer Kind = 12
	KindEnd       Kind = 13
	KindBool      Kind = 14
	KindFloat     Kind = 15
)

// maxNesting bounds how deep Skip follows maps and arrays.
const maxNesting = 64

// Item is a decoded value header.
type Item struct {
	Kind Kind
	// Size is the payload length in bytes for scalars, the number of pairs
	// for a map or elements for an array, and the value of a boolean.
	Size uint32
	// Payload is where the content starts in the data section.
	Payload uint32
	// Next is where the following value starts, when it is known from the
	// header: for scalars, and for any value reached through a pointer (the
	// next value follows the pointer). Zero for a map or array read in place:
	// its end is known only after reading its content.
	Next uint32
}

// Section decodes values of one section (data or metadata).
type Section struct {
	buf []byte
}

// Data is the reader's data section.
func (r *Reader) Data() Section { return Section{buf: r.data} }

// Item decodes the header at off, following a pointer (pointers never
// point to pointers).
func (s Section) Item(off uint32) (Item, error) {
	it, err := s.header(off)
	if err != nil || it.Kind != KindPointer {
		return it, err
	}
	target := it.Payload // header stores the pointer's value there
	after := it.Next
	it, err = s.header(target)
	if err != nil {
		return it, err
	}
	if it.Kind == KindPointer {
		return it, invalid("pointer at %d points to another pointer", off)
	}
	it.Next = after
	return it, nil
}

// header decodes the header at off without following a pointer; for a
// pointer, Payload is the target and Next the offset after the pointer.
func (s Section) header(off uint32) (Item, error) {
	buf := s.buf
	p := uint64(off)
	if p >= uint64(len(buf)) {
		return Item{}, invalid("offset %d is outside the section", off)
	}
	ctrl := buf[p]
	p++
	kind := Kind(ctrl >> 5)
	if kind == 0 { // extended type
		if p >= uint64(len(buf)) {
			return Item{}, invalid("truncated extended type at %d", off)
		}
		kind = Kind(uint16(buf[p]) + 7)
		p++
		if kind < KindInt32 || kind > KindFloat {
			return Item{}, invalid("unknown extended type %d at %d", kind, off)
		}
	}
	if kind == KindPointer {
		ss := (ctrl >> 3) & 0x3
		vvv := uint64(ctrl & 0x7)
		n := uint64(ss) + 1
		if p+n > uint64(len(buf)) {
			return Item{}, invalid("truncated pointer at %d", off)
		}
		var target uint64
		switch ss {
		case 0:
			target = vvv<<8 | uint64(buf[p])
		case 1:
			target = 2048 + (vvv<<16 | uint64(buf[p])<<8 | uint64(buf[p+1]))
		case 2:
			target = 526336 + (vvv<<24 | uint64(buf[p])<<16 | uint64(buf[p+1])<<8 | uint64(buf[p+2]))
		default:
			target = uint64(binary.BigEndian.Uint32(buf[p : p+4]))
		}
		if target >= uint64(len(buf)) {
			return Item{}, invalid("pointer at %d points outside the section", off)
		}
		return Item{Kind: KindPointer, Payload: uint32(target), Next: uint32(p + n)}, nil
	}
	size := uint64(ctrl & 0x1f)
	if size >= 29 {
		n := size - 28 // 1, 2 or 3 more size bytes
		if p+n > uint64(len(buf)) {
			return Item{}, invalid("truncated size at %d", off)
		}
		switch n {
		case 1:
			size = 29 + uint64(buf[p])
		case 2:
			size = 285 + (uint64(buf[p])<<8 | uint64(buf[p+1]))
		default:
			size = 65821 + (uint64(buf[p])<<16 | uint64(buf[p+1])<<8 | uint64(buf[p+2]))
		}
		p += n
	}
	it := Item{Kind: kind, Size: uint32(size), Payload: uint32(p)}
	switch kind {
	case KindMap, KindArray:
		// Each pair or element takes at least one byte: a size beyond what
		// is left cannot be right, and must not drive a long loop.
		if size > uint64(len(buf))-p {
			return Item{}, invalid("container at %d claims %d entries", off, size)
		}
		return it, nil
	case KindBool:
		if size > 1 {
			return Item{}, invalid("boolean at %d has value %d", off, size)
		}
		it.Next = uint32(p)
		return it, nil
	case KindEnd, KindContainer:
		return Item{}, invalid("unexpected %d-type value at %d", kind, off)
	}
	if limit := fixedSize(kind); limit > 0 && size > limit || (kind == KindDouble && size != 8) || (kind == KindFloat && size != 4) {
		return Item{}, invalid("value of type %d at %d has size %d", kind, off, size)
	}
	if p+size > uint64(len(buf)) {
		return Item{}, invalid("value at %d runs past the section", off)
	}
	it.Next = uint32(p + size)
	return it, nil
}

// fixedSize is the largest payload of an integer type.
func fixedSize(k Kind) uint64 {
	switch k {
	case KindUint16:
		return 2
	case KindUint32, KindInt32:
		return 4
	case KindUint64:
		return 8
	case KindUint128:
		return 16
	}
	return 0
}

// Skip returns the offset after the value at off.
func (s Section) Skip(off uint32) (uint32, error) { return s.skip(off, 0) }

func (s Section) skip(off uint32, depth int) (uint32, error) {
	it, err := s.Item(off)
	if err != nil {
		return 0, err
	}
	if it.Next != 0 {
		return it.Next, nil
	}
	if depth >= maxNesting {
		return 0, invalid("values nest deeper than %d at %d", maxNesting, off)
	}
	pos := it.Payload
	n := it.Size
	if it.Kind == KindMap {
		n *= 2
	}
	for range n {
		if pos, err = s.skip(pos, depth+1); err != nil {
			return 0, err
		}
	}
	return pos, nil
}

// Bytes is the payload of a string or bytes value, viewed in place.
func (s Section) Bytes(it Item) []byte {
	return s.buf[it.Payload : it.Payload+it.Size]
}

// Float returns a double or float value.
func (s Section) Float(it Item) (float64, bool) {
	switch it.Kind {
	case KindDouble:
		return math.Float64frombits(binary.BigEndian.Uint64(s.buf[it.Payload:])), true
	case KindFloat:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(s.buf[it.Payload:]))), true
	}
	return 0, false
}

// Int returns an integer value of up to 63 bits.
func (s Section) Int(it Item) (int64, bool) {
	switch it.Kind {
	case KindUint16, KindUint32, KindUint64, KindInt32, KindUint128:
	default:
		return 0, false
	}
	var v uint64
	b := s.Bytes(it)
	if len(b) > 8 {
		for _, c := range b[:len(b)-8] {
			if c != 0 {
				return 0, false // a uint128 beyond 64 bits
			}
		}
		b = b[len(b)-8:]
	}
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	if it.Kind == KindInt32 {
		return int64(int32(uint32(v))), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}
