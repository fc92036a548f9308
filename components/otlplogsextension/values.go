package otlplogsextension // import "github.com/otelcol-events/otelcol-events/components/otlplogsextension"

import (
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"google.golang.org/protobuf/encoding/protowire"
)

// maxDepth bounds the nesting of maps and arrays the decoder follows itself;
// deeper values are left to pdata, whose own limit is 100.
const maxDepth = 32

// Field numbers of opentelemetry/proto/common/v1/common.proto.
const (
	keyValueKey         protowire.Number = 1
	keyValueValue       protowire.Number = 2
	anyValueString      protowire.Number = 1
	anyValueBool        protowire.Number = 2
	anyValueInt         protowire.Number = 3
	anyValueDouble      protowire.Number = 4
	anyValueArray       protowire.Number = 5
	anyValueKvlist      protowire.Number = 6
	anyValueBytes       protowire.Number = 7
	anyValueStrindex    protowire.Number = 8
	repeatedValuesField protowire.Number = 1 // ArrayValue.values, KeyValueList.values
)

// keyValueList fills m from a KeyValueList message, sized once for all its
// entries.
func (d *decoder) keyValueList(msg []byte, m pcommon.Map, depth int) error {
	n, err := countRepeated(msg, repeatedValuesField)
	if err != nil {
		return err
	}
	m.EnsureCapacity(n)
	return eachField(msg, func(f field) error {
		if f.num != repeatedValuesField {
			return errLeftToPdata
		}
		return d.keyValue(&f, m, depth, nil)
	})
}

// keyValue puts one KeyValue into m. A key already in m is left to pdata,
// which keeps both entries where a Map would keep one. memo, when not nil,
// holds the strings of the previous record's attribute at the same
// position: records of one batch mostly repeat their keys in the same order
// and many of their values, and one comparison is cheaper than a lookup.
func (d *decoder) keyValue(f *field, m pcommon.Map, depth int, memo *attributeMemo) error {
	if err := f.want(protowire.BytesType); err != nil {
		return err
	}
	var key, value []byte
	var seenValue bool
	err := eachField(f.bytes, func(kv field) error {
		switch kv.num {
		case keyValueKey:
			if err := kv.want(protowire.BytesType); err != nil {
				return err
			}
			key = kv.bytes
		case keyValueValue:
			if seenValue || kv.want(protowire.BytesType) != nil {
				return errLeftToPdata
			}
			value, seenValue = kv.bytes, true
		default: // key_strindex (profiles' dictionary) or unknown
			return errLeftToPdata
		}
		return nil
	})
	if err != nil {
		return err
	}
	var k string
	var str *string
	if memo == nil {
		k = d.strings.get(key)
	} else {
		if memo.key != string(key) {
			memo.key = d.strings.get(key)
		}
		k, str = memo.key, &memo.value
	}
	before := m.Len()
	v := m.PutEmpty(k)
	if m.Len() == before {
		return errLeftToPdata
	}
	return d.anyValue(value, v, depth+1, str)
}

// attributeMemo is the key and the string value last decoded at one
// position of a record's attributes.
type attributeMemo struct {
	key, value string
}

// anyValue sets v from an AnyValue message. An AnyValue of more than one
// field (pdata keeps the last, after checking every one) is left to pdata.
// memo, when not nil, is the string value last seen in the same place: an
// equal string is taken from it, a new one replaces it.
func (d *decoder) anyValue(msg []byte, v pcommon.Value, depth int, memo *string) error {
	if len(msg) == 0 {
		return nil // an empty AnyValue: v stays empty, as in pdata
	}
	if depth > maxDepth {
		return errLeftToPdata
	}
	var f field
	rest, err := nextField(msg, &f)
	if err != nil || len(rest) > 0 {
		return errLeftToPdata
	}
	switch f.num {
	case anyValueString:
		if err := f.want(protowire.BytesType); err != nil {
			return err
		}
		switch {
		case memo == nil:
			v.SetStr(string(f.bytes))
		case *memo == string(f.bytes):
			v.SetStr(*memo)
		default:
			*memo = string(f.bytes)
			v.SetStr(*memo)
		}
	case anyValueBool:
		if err := f.want(protowire.VarintType); err != nil {
			return err
		}
		v.SetBool(f.scalar != 0)
	case anyValueInt:
		if err := f.want(protowire.VarintType); err != nil {
			return err
		}
		v.SetInt(int64(f.scalar))
	case anyValueDouble:
		if err := f.want(protowire.Fixed64Type); err != nil {
			return err
		}
		v.SetDouble(math.Float64frombits(f.scalar))
	case anyValueBytes:
		if err := f.want(protowire.BytesType); err != nil {
			return err
		}
		v.SetEmptyBytes().FromRaw(f.bytes)
	case anyValueArray:
		if err := f.want(protowire.BytesType); err != nil {
			return err
		}
		return d.array(f.bytes, v.SetEmptySlice(), depth)
	case anyValueKvlist:
		if err := f.want(protowire.BytesType); err != nil {
			return err
		}
		return d.keyValueList(f.bytes, v.SetEmptyMap(), depth)
	case anyValueStrindex: // profiles' dictionary: not settable through the public API
		return errLeftToPdata
	default: // a field pdata skips, leaving the value empty
		return errLeftToPdata
	}
	return nil
}

// array fills s from an ArrayValue message.
func (d *decoder) array(msg []byte, s pcommon.Slice, depth int) error {
	n, err := countRepeated(msg, repeatedValuesField)
	if err != nil {
		return err
	}
	s.EnsureCapacity(n)
	return eachField(msg, func(f field) error {
		if f.num != repeatedValuesField || f.typ != protowire.BytesType {
			return errLeftToPdata
		}
		return d.anyValue(f.bytes, s.AppendEmpty(), depth+1, nil)
	})
}
