package otlplogsextension // import "github.com/otelcol-events/otelcol-events/components/otlplogsextension"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"google.golang.org/protobuf/encoding/protowire"
)

// decoder builds plog.Logs from an OTLP ExportLogsServiceRequest through
// pdata's public API, sizing every slice and map before filling it (pdata's
// unmarshaler appends one entry at a time, so a record's 11 attributes take
// five allocations and room for 31) and taking repeated strings from a
// table. It returns errLeftToPdata for anything it does not build exactly as
// pdata would; see wire.go.
type decoder struct {
	strings *stringTable
	memos   []attributeMemo // by position in a record's attributes
}

// Field numbers of opentelemetry/proto/logs/v1/logs.proto and
// resource/v1/resource.proto.
const (
	requestResourceLogs    protowire.Number = 1
	resourceLogsResource   protowire.Number = 1
	resourceLogsScopeLogs  protowire.Number = 2
	resourceLogsSchemaURL  protowire.Number = 3
	resourceLogsDeprecated protowire.Number = 1000
	resourceAttributes     protowire.Number = 1
	resourceDropped        protowire.Number = 2
	resourceEntityRefs     protowire.Number = 3
	scopeLogsScope         protowire.Number = 1
	scopeLogsLogRecords    protowire.Number = 2
	scopeLogsSchemaURL     protowire.Number = 3
	scopeName              protowire.Number = 1
	scopeVersion           protowire.Number = 2
	scopeAttributes        protowire.Number = 3
	scopeDropped           protowire.Number = 4
)

func (d *decoder) logs(buf []byte) (plog.Logs, error) {
	ld := plog.NewLogs()
	n, err := countRepeated(buf, requestResourceLogs)
	if err != nil {
		return ld, err
	}
	rls := ld.ResourceLogs()
	rls.EnsureCapacity(n)
	for len(buf) > 0 {
		var f field
		rest, err := nextField(buf, &f)
		if err != nil {
			return ld, err
		}
		buf = rest
		if f.num != requestResourceLogs {
			continue // unknown to pdata too: skipped
		}
		if err := f.want(protowire.BytesType); err != nil {
			return ld, err
		}
		if err := d.resourceLogs(f.bytes, rls.AppendEmpty()); err != nil {
			return ld, err
		}
	}
	return ld, nil
}

func (d *decoder) resourceLogs(msg []byte, rl plog.ResourceLogs) error {
	n, err := countRepeated(msg, resourceLogsScopeLogs)
	if err != nil {
		return err
	}
	sls := rl.ScopeLogs()
	sls.EnsureCapacity(n)
	var seenResource bool
	for len(msg) > 0 {
		var f field
		rest, err := nextField(msg, &f)
		if err != nil {
			return err
		}
		msg = rest
		switch f.num {
		case resourceLogsResource:
			if seenResource || f.want(protowire.BytesType) != nil {
				return errLeftToPdata // pdata merges a second resource into the first
			}
			seenResource = true
			err = d.resource(f.bytes, rl.Resource())
		case resourceLogsScopeLogs:
			if err = f.want(protowire.BytesType); err == nil {
				err = d.scopeLogs(f.bytes, sls.AppendEmpty())
			}
		case resourceLogsSchemaURL:
			if err = f.want(protowire.BytesType); err == nil {
				rl.SetSchemaUrl(d.strings.get(f.bytes))
			}
		case resourceLogsDeprecated:
			err = errLeftToPdata
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) resource(msg []byte, r pcommon.Resource) error {
	n, err := countRepeated(msg, resourceAttributes)
	if err != nil {
		return err
	}
	attrs := r.Attributes()
	attrs.EnsureCapacity(n)
	for len(msg) > 0 {
		var f field
		rest, err := nextField(msg, &f)
		if err != nil {
			return err
		}
		msg = rest
		switch f.num {
		case resourceAttributes:
			err = d.keyValue(f, attrs, 0, nil)
		case resourceDropped:
			if err = f.want(protowire.VarintType); err == nil {
				r.SetDroppedAttributesCount(uint32(f.scalar))
			}
		case resourceEntityRefs:
			err = errLeftToPdata // not settable through the public API
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) scopeLogs(msg []byte, sl plog.ScopeLogs) error {
	n, err := countRepeated(msg, scopeLogsLogRecords)
	if err != nil {
		return err
	}
	records := sl.LogRecords()
	records.EnsureCapacity(n)
	var seenScope bool
	for len(msg) > 0 {
		var f field
		rest, err := nextField(msg, &f)
		if err != nil {
			return err
		}
		msg = rest
		switch f.num {
		case scopeLogsScope:
			if seenScope || f.want(protowire.BytesType) != nil {
				return errLeftToPdata
			}
			seenScope = true
			err = d.scope(f.bytes, sl.Scope())
		case scopeLogsLogRecords:
			if err = f.want(protowire.BytesType); err == nil {
				err = d.logRecord(f.bytes, records.AppendEmpty())
			}
		case scopeLogsSchemaURL:
			if err = f.want(protowire.BytesType); err == nil {
				sl.SetSchemaUrl(d.strings.get(f.bytes))
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) scope(msg []byte, s pcommon.InstrumentationScope) error {
	n, err := countRepeated(msg, scopeAttributes)
	if err != nil {
		return err
	}
	attrs := s.Attributes()
	attrs.EnsureCapacity(n)
	for len(msg) > 0 {
		var f field
		rest, err := nextField(msg, &f)
		if err != nil {
			return err
		}
		msg = rest
		switch f.num {
		case scopeName:
			if err = f.want(protowire.BytesType); err == nil {
				s.SetName(d.strings.get(f.bytes))
			}
		case scopeVersion:
			if err = f.want(protowire.BytesType); err == nil {
				s.SetVersion(d.strings.get(f.bytes))
			}
		case scopeAttributes:
			err = d.keyValue(f, attrs, 0, nil)
		case scopeDropped:
			if err = f.want(protowire.VarintType); err == nil {
				s.SetDroppedAttributesCount(uint32(f.scalar))
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}
