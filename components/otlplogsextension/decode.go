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
	return ld, eachField(buf, func(f field) error {
		if f.num != requestResourceLogs {
			return nil // unknown to pdata too: skipped
		}
		if err := f.want(protowire.BytesType); err != nil {
			return err
		}
		return d.resourceLogs(f.bytes, rls.AppendEmpty())
	})
}

func (d *decoder) resourceLogs(msg []byte, rl plog.ResourceLogs) error {
	n, err := countRepeated(msg, resourceLogsScopeLogs)
	if err != nil {
		return err
	}
	sls := rl.ScopeLogs()
	sls.EnsureCapacity(n)
	var seenResource bool
	return eachField(msg, func(f field) error {
		switch f.num {
		case resourceLogsResource:
			if seenResource || f.want(protowire.BytesType) != nil {
				return errLeftToPdata // pdata merges a second resource into the first
			}
			seenResource = true
			return d.resource(f.bytes, rl.Resource())
		case resourceLogsScopeLogs:
			if err := f.want(protowire.BytesType); err != nil {
				return err
			}
			return d.scopeLogs(f.bytes, sls.AppendEmpty())
		case resourceLogsSchemaURL:
			return d.setString(&f, rl.SetSchemaUrl)
		case resourceLogsDeprecated:
			return errLeftToPdata
		}
		return nil
	})
}

func (d *decoder) resource(msg []byte, r pcommon.Resource) error {
	n, err := countRepeated(msg, resourceAttributes)
	if err != nil {
		return err
	}
	attrs := r.Attributes()
	attrs.EnsureCapacity(n)
	return eachField(msg, func(f field) error {
		switch f.num {
		case resourceAttributes:
			return d.keyValue(&f, attrs, 0, nil)
		case resourceDropped:
			return setCount(&f, r.SetDroppedAttributesCount)
		case resourceEntityRefs:
			return errLeftToPdata // not settable through the public API
		}
		return nil
	})
}

func (d *decoder) scopeLogs(msg []byte, sl plog.ScopeLogs) error {
	n, err := countRepeated(msg, scopeLogsLogRecords)
	if err != nil {
		return err
	}
	records := sl.LogRecords()
	records.EnsureCapacity(n)
	var seenScope bool
	return eachField(msg, func(f field) error {
		switch f.num {
		case scopeLogsScope:
			if seenScope || f.want(protowire.BytesType) != nil {
				return errLeftToPdata
			}
			seenScope = true
			return d.scope(f.bytes, sl.Scope())
		case scopeLogsLogRecords:
			if err := f.want(protowire.BytesType); err != nil {
				return err
			}
			return d.logRecord(f.bytes, records.AppendEmpty())
		case scopeLogsSchemaURL:
			return d.setString(&f, sl.SetSchemaUrl)
		}
		return nil
	})
}

func (d *decoder) scope(msg []byte, s pcommon.InstrumentationScope) error {
	n, err := countRepeated(msg, scopeAttributes)
	if err != nil {
		return err
	}
	attrs := s.Attributes()
	attrs.EnsureCapacity(n)
	return eachField(msg, func(f field) error {
		switch f.num {
		case scopeName:
			return d.setString(&f, s.SetName)
		case scopeVersion:
			return d.setString(&f, s.SetVersion)
		case scopeAttributes:
			return d.keyValue(&f, attrs, 0, nil)
		case scopeDropped:
			return setCount(&f, s.SetDroppedAttributesCount)
		}
		return nil
	})
}

// setString sets a string field from the table; pdata takes any bytes.
func (d *decoder) setString(f *field, set func(string)) error {
	if err := f.want(protowire.BytesType); err != nil {
		return err
	}
	set(d.strings.get(f.bytes))
	return nil
}

// setCount sets a dropped-attributes count, truncated to 32 bits as pdata
// does.
func setCount(f *field, set func(uint32)) error {
	if err := f.want(protowire.VarintType); err != nil {
		return err
	}
	set(uint32(f.scalar))
	return nil
}
