package otlplogsextension // import "github.com/otelcol-events/otelcol-events/components/otlplogsextension"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of LogRecord in opentelemetry/proto/logs/v1/logs.proto.
const (
	recordTime           protowire.Number = 1
	recordSeverityNumber protowire.Number = 2
	recordSeverityText   protowire.Number = 3
	recordBody           protowire.Number = 5
	recordAttributes     protowire.Number = 6
	recordDropped        protowire.Number = 7
	recordFlags          protowire.Number = 8
	recordTraceID        protowire.Number = 9
	recordSpanID         protowire.Number = 10
	recordObservedTime   protowire.Number = 11
	recordEventName      protowire.Number = 12
)

func (d *decoder) logRecord(msg []byte, lr plog.LogRecord) error {
	n, err := countRepeated(msg, recordAttributes)
	if err != nil {
		return err
	}
	attrs := lr.Attributes()
	attrs.EnsureCapacity(n)
	var seenBody bool
	return eachField(msg, func(f field) error {
		switch f.num {
		case recordAttributes:
			i := attrs.Len()
			if i == len(d.memos) {
				d.memos = append(d.memos, attributeMemo{})
			}
			return d.keyValue(&f, attrs, 0, &d.memos[i])
		case recordBody:
			if seenBody || f.want(protowire.BytesType) != nil {
				return errLeftToPdata // pdata merges a second body into the first
			}
			seenBody = true
			return d.anyValue(f.bytes, lr.Body(), 0, nil)
		}
		return d.recordScalar(&f, lr)
	})
}

// recordScalar sets one of a LogRecord's fields that is not a message. As
// in pdata, a field that comes twice keeps its last value, and a field of
// an unknown number is skipped.
func (d *decoder) recordScalar(f *field, lr plog.LogRecord) error {
	var err error
	switch f.num {
	case recordTime:
		if err = f.want(protowire.Fixed64Type); err == nil {
			lr.SetTimestamp(pcommon.Timestamp(f.scalar))
		}
	case recordObservedTime:
		if err = f.want(protowire.Fixed64Type); err == nil {
			lr.SetObservedTimestamp(pcommon.Timestamp(f.scalar))
		}
	case recordSeverityNumber:
		if err = f.want(protowire.VarintType); err == nil {
			lr.SetSeverityNumber(plog.SeverityNumber(int32(f.scalar))) // truncated as pdata does
		}
	case recordSeverityText:
		err = d.setString(f, lr.SetSeverityText)
	case recordDropped:
		err = setCount(f, lr.SetDroppedAttributesCount)
	case recordFlags:
		if err = f.want(protowire.Fixed32Type); err == nil {
			lr.SetFlags(plog.LogRecordFlags(uint32(f.scalar))) // a fixed32
		}
	case recordTraceID:
		var id pcommon.TraceID
		if err = fixedID(f, id[:]); err == nil {
			lr.SetTraceID(id)
		}
	case recordSpanID:
		var id pcommon.SpanID
		if err = fixedID(f, id[:]); err == nil {
			lr.SetSpanID(id)
		}
	case recordEventName:
		err = d.setString(f, lr.SetEventName)
	}
	return err
}

// fixedID copies a trace or span id; as in pdata, an empty one is all
// zeros and one of another length is refused.
func fixedID(f *field, id []byte) error {
	if f.typ != protowire.BytesType || (len(f.bytes) != 0 && len(f.bytes) != len(id)) {
		return errLeftToPdata
	}
	copy(id, f.bytes)
	return nil
}
