package otlplogsextension // import "github.com/otelcol-events/otelcol-events/components/otlplogsextension"

import (
	"errors"

	"google.golang.org/protobuf/encoding/protowire"
)

// errLeftToPdata says the decoder met something it does not build itself:
// a malformed message, a field the public pdata API cannot set, or a shape
// whose pdata result depends on wire details (a repeated singular message,
// a duplicate attribute key). The caller then decodes the whole message with
// pdata's own unmarshaler, so the result, or the error, is always pdata's.
var errLeftToPdata = errors.New("message left to pdata's unmarshaler")

// field is one field read from a protobuf message: its number and wire type,
// and its value, either the bytes of a length-delimited field or the number
// of a varint or fixed-width one.
type field struct {
	num    protowire.Number
	typ    protowire.Type
	bytes  []byte
	scalar uint64
}

// nextField reads the field at the start of buf into f and returns the rest
// of buf. Groups, deprecated since proto3, are left to pdata. Tags and
// lengths under 128, nearly all of them in OTLP, are read inline; the rest
// go through protowire.
func nextField(buf []byte, f *field) ([]byte, error) {
	if len(buf) == 0 {
		return nil, errLeftToPdata
	}
	if b := buf[0]; b < 0x80 && b >= 0x08 { // field 0 is invalid: protowire refuses it
		f.num, f.typ = protowire.Number(b>>3), protowire.Type(b&7)
		buf = buf[1:]
	} else {
		num, typ, n := protowire.ConsumeTag(buf)
		if n < 0 {
			return nil, errLeftToPdata
		}
		f.num, f.typ = num, typ
		buf = buf[n:]
	}
	var n int
	switch f.typ {
	case protowire.BytesType:
		if len(buf) > 0 && buf[0] < 0x80 && int(buf[0]) < len(buf) {
			l := int(buf[0])
			f.bytes = buf[1 : 1+l]
			return buf[1+l:], nil
		}
		f.bytes, n = protowire.ConsumeBytes(buf)
	case protowire.VarintType:
		if len(buf) > 0 && buf[0] < 0x80 {
			f.scalar = uint64(buf[0])
			return buf[1:], nil
		}
		f.scalar, n = protowire.ConsumeVarint(buf)
	case protowire.Fixed64Type:
		f.scalar, n = protowire.ConsumeFixed64(buf)
	case protowire.Fixed32Type:
		var v uint32
		v, n = protowire.ConsumeFixed32(buf)
		f.scalar = uint64(v)
	default:
		return nil, errLeftToPdata
	}
	if n < 0 {
		return nil, errLeftToPdata
	}
	return buf[n:], nil
}

// eachField calls visit with each field of msg in order, and stops at the
// first error, its own or visit's.
func eachField(msg []byte, visit func(f field) error) error {
	var f field
	for len(msg) > 0 {
		rest, err := nextField(msg, &f)
		if err != nil {
			return err
		}
		msg = rest
		if err := visit(f); err != nil {
			return err
		}
	}
	return nil
}

// countRepeated counts the occurrences of the length-delimited field num in
// msg, so that a slice can be sized once before it is filled. It reads only
// the tags and lengths; the decode that follows checks the rest.
func countRepeated(msg []byte, num protowire.Number) (int, error) {
	count := 0
	err := eachField(msg, func(f field) error {
		if f.num == num && f.typ == protowire.BytesType {
			count++
		}
		return nil
	})
	return count, err
}

// want checks a known field's wire type; pdata refuses any other.
func (f field) want(typ protowire.Type) error {
	if f.typ != typ {
		return errLeftToPdata
	}
	return nil
}
