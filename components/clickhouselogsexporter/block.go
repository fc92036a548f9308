package clickhouselogsexporter // import "github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter"

import (
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ClickHouse/ch-go/proto"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// logsBlock holds one insert's columns in otel_logs' layout, filled straight
// from pdata. A block is reused from insert to insert: reset keeps the
// columns' memory, so a steady stream of inserts stops allocating once the
// columns have grown to the usual batch.
//
// Strings of the LowCardinality columns and map keys are kept as references
// into the pdata being inserted (ch-go dictionary-encodes them when the
// block is sent); the other strings are copied into the column buffers.
// Attribute maps are written sorted by key, as contrib's exporter does.
type logsBlock struct {
	timestamp          *proto.ColDateTime64
	traceID            proto.ColStr
	spanID             proto.ColStr
	traceFlags         proto.ColUInt8
	severityText       *proto.ColLowCardinality[string]
	severityNumber     proto.ColUInt8
	serviceName        *proto.ColLowCardinality[string]
	body               proto.ColStr
	resourceSchemaURL  *proto.ColLowCardinality[string]
	resourceAttributes attributeColumn
	scopeSchemaURL     *proto.ColLowCardinality[string]
	scopeName          proto.ColStr
	scopeVersion       *proto.ColLowCardinality[string]
	scopeAttributes    attributeColumn
	logAttributes      attributeColumn
	eventName          proto.ColStr
	withEventName      bool

	input proto.Input
	// One sorter per kind of attribute set, so that each remembers the key
	// order of its kind.
	resourceSorter, scopeSorter, recordSorter attributeSorter
}

// newLogsBlock makes an empty block; withEventName adds the EventName
// column, which otel_logs tables made before contrib v0.127 lack.
func newLogsBlock(withEventName bool) *logsBlock {
	b := &logsBlock{
		timestamp:          new(proto.ColDateTime64).WithPrecision(proto.PrecisionNano),
		severityText:       proto.NewLowCardinality[string](new(proto.ColStr)),
		serviceName:        proto.NewLowCardinality[string](new(proto.ColStr)),
		resourceSchemaURL:  proto.NewLowCardinality[string](new(proto.ColStr)),
		resourceAttributes: newAttributeColumn(),
		scopeSchemaURL:     proto.NewLowCardinality[string](new(proto.ColStr)),
		scopeVersion:       proto.NewLowCardinality[string](new(proto.ColStr)),
		scopeAttributes:    newAttributeColumn(),
		logAttributes:      newAttributeColumn(),
		withEventName:      withEventName,
	}
	b.input = proto.Input{
		{Name: "Timestamp", Data: b.timestamp},
		{Name: "TraceId", Data: &b.traceID},
		{Name: "SpanId", Data: &b.spanID},
		{Name: "TraceFlags", Data: &b.traceFlags},
		{Name: "SeverityText", Data: b.severityText},
		{Name: "SeverityNumber", Data: &b.severityNumber},
		{Name: "ServiceName", Data: b.serviceName},
		{Name: "Body", Data: &b.body},
		{Name: "ResourceSchemaUrl", Data: b.resourceSchemaURL},
		{Name: "ResourceAttributes", Data: b.resourceAttributes.column},
		{Name: "ScopeSchemaUrl", Data: b.scopeSchemaURL},
		{Name: "ScopeName", Data: &b.scopeName},
		{Name: "ScopeVersion", Data: b.scopeVersion},
		{Name: "ScopeAttributes", Data: b.scopeAttributes.column},
		{Name: "LogAttributes", Data: b.logAttributes.column},
	}
	if withEventName {
		b.input = append(b.input, proto.InputColumn{Name: "EventName", Data: &b.eventName})
	}
	return b
}

// rows is the number of log records in the block.
func (b *logsBlock) rows() int { return b.timestamp.Rows() }

// reset empties the block and keeps its memory, after dropping the
// references into the pdata it held, which would keep that alive.
func (b *logsBlock) reset() {
	for _, c := range []*proto.ColLowCardinality[string]{
		b.severityText, b.serviceName, b.resourceSchemaURL, b.scopeSchemaURL, b.scopeVersion,
		b.resourceAttributes.keys, b.scopeAttributes.keys, b.logAttributes.keys,
	} {
		clear(c.Values)
	}
	b.resourceSorter.forget()
	b.scopeSorter.forget()
	b.recordSorter.forget()
	b.input.Reset()
}

// appendLogs adds every log record of ld as a row.
func (b *logsBlock) appendLogs(ld plog.Logs) {
	b.appendPart(logsPart{logs: ld, count: ld.LogRecordCount()})
}

// appendPart adds the part's log records as rows, with the values
// contrib's exporter writes: the timestamp falls back to the observed
// timestamp, ids are lowercase hex (empty when unset), every attribute
// value is its string form, and ServiceName is the resource's service.name.
func (b *logsBlock) appendPart(p logsPart) {
	var resource resourceRow // what the current resource's rows share
	current := -1
	p.eachRun(func(ri int, rl plog.ResourceLogs, sl plog.ScopeLogs, start, end int) {
		if ri != current {
			resource, current = b.newResourceRow(rl), ri
		}
		scopeEntries := b.scopeSorter.sort(sl.Scope().Attributes())
		records := sl.LogRecords()
		for i := start; i < end; i++ {
			b.appendRecord(&resource, sl, scopeEntries, records.At(i))
		}
	})
}

// resourceRow is what every row of one resource shares.
type resourceRow struct {
	logs        plog.ResourceLogs
	serviceName string
	entries     []attributeEntry
}

func (b *logsBlock) newResourceRow(rl plog.ResourceLogs) resourceRow {
	r := resourceRow{logs: rl, entries: b.resourceSorter.sort(rl.Resource().Attributes())}
	if v, ok := rl.Resource().Attributes().Get("service.name"); ok {
		r.serviceName = v.AsString()
	}
	return r
}

func (b *logsBlock) appendRecord(resource *resourceRow, sl plog.ScopeLogs, scopeEntries []attributeEntry, r plog.LogRecord) {
	ts := r.Timestamp()
	if ts == 0 {
		ts = r.ObservedTimestamp()
	}
	b.timestamp.AppendRaw(proto.DateTime64(ts))
	traceID, spanID := r.TraceID(), r.SpanID()
	appendHexID(&b.traceID, traceID[:])
	appendHexID(&b.spanID, spanID[:])
	b.traceFlags.Append(uint8(r.Flags()))
	b.severityText.Append(r.SeverityText())
	b.severityNumber.Append(uint8(r.SeverityNumber()))
	b.serviceName.Append(resource.serviceName)
	appendValue(&b.body, r.Body())
	b.resourceSchemaURL.Append(resource.logs.SchemaUrl())
	b.resourceAttributes.appendEntries(resource.entries)
	scope := sl.Scope()
	b.scopeSchemaURL.Append(sl.SchemaUrl())
	b.scopeName.Append(scope.Name())
	b.scopeVersion.Append(scope.Version())
	b.scopeAttributes.appendEntries(scopeEntries)
	b.logAttributes.appendEntries(b.recordSorter.sort(r.Attributes()))
	if b.withEventName {
		b.eventName.Append(r.EventName())
	}
}

// attributeColumn is a Map(LowCardinality(String), String) column with
// typed handles on its keys and values, so appending an attribute does not
// go through the ColumnOf interface.
type attributeColumn struct {
	keys   *proto.ColLowCardinality[string]
	values *proto.ColStr
	column *proto.ColMap[string, string]
}

func newAttributeColumn() attributeColumn {
	keys := proto.NewLowCardinality[string](new(proto.ColStr))
	values := new(proto.ColStr)
	return attributeColumn{keys: keys, values: values, column: proto.NewMap[string, string](keys, values)}
}

// appendEntries adds one row with the given entries.
func (c attributeColumn) appendEntries(entries []attributeEntry) {
	for _, e := range entries {
		c.keys.Append(e.key)
		appendValue(c.values, e.value)
	}
	c.column.Offsets.Append(uint64(len(c.keys.Values)))
}

// attributeEntry is one attribute of a pcommon.Map, by reference.
type attributeEntry struct {
	key   string
	value pcommon.Value
}

// attributeSorter returns attribute sets sorted by key: contrib's exporter
// writes every map sorted, and we write the same bytes so that the two are
// interchangeable on one table (mapKeys(...)[1] and toString(...) answer
// alike). The records of one upload carry the same keys in the same order,
// so the sorter remembers the last set's keys and their sorted order, and
// a set with the same keys is put in order without sorting again.
type attributeSorter struct {
	keys    []string         // the last set's keys, in pdata's order
	order   []int            // positions in keys, in key order
	entries []attributeEntry // the set being sorted, in pdata's order
	sorted  []attributeEntry
}

// sort returns m's attributes sorted by key; the slice is reused by the
// next call.
func (s *attributeSorter) sort(m pcommon.Map) []attributeEntry {
	s.entries = s.entries[:0]
	same := m.Len() == len(s.keys)
	for k, v := range m.All() {
		if same && s.keys[len(s.entries)] != k {
			same = false
		}
		s.entries = append(s.entries, attributeEntry{key: k, value: v})
	}
	if !same {
		s.keys, s.order = s.keys[:0], s.order[:0]
		for i, e := range s.entries {
			s.keys = append(s.keys, e.key)
			s.order = append(s.order, i)
		}
		slices.SortStableFunc(s.order, func(a, b int) int { return strings.Compare(s.keys[a], s.keys[b]) })
	}
	s.sorted = s.sorted[:0]
	for _, i := range s.order {
		s.sorted = append(s.sorted, s.entries[i])
	}
	return s.sorted
}

// forget drops the references into the pdata last sorted.
func (s *attributeSorter) forget() {
	clear(s.keys[:cap(s.keys)])
	clear(s.entries[:cap(s.entries)])
	clear(s.sorted[:cap(s.sorted)])
	s.keys, s.order = s.keys[:0], s.order[:0]
}

// appendValue adds v's string form (pcommon.Value.AsString) to col, without
// an intermediate string for the common scalar types.
func appendValue(col *proto.ColStr, v pcommon.Value) {
	start := len(col.Buf)
	switch v.Type() {
	case pcommon.ValueTypeStr:
		col.Buf = append(col.Buf, v.Str()...)
	case pcommon.ValueTypeInt:
		col.Buf = strconv.AppendInt(col.Buf, v.Int(), 10)
	case pcommon.ValueTypeBool:
		col.Buf = strconv.AppendBool(col.Buf, v.Bool())
	case pcommon.ValueTypeDouble:
		// pdata's form for plain decimals (coordinates); exponents, NaN
		// and infinities take pdata's own path below.
		if f := math.Abs(v.Double()); f == 0 || (f >= 1e-6 && f < 1e21) {
			col.Buf = strconv.AppendFloat(col.Buf, v.Double(), 'f', -1, 64)
		} else {
			col.Buf = append(col.Buf, v.AsString()...)
		}
	case pcommon.ValueTypeEmpty:
	default: // bytes, map, slice: rarer, and formatted by pdata itself
		col.Buf = append(col.Buf, v.AsString()...)
	}
	col.Pos = append(col.Pos, proto.Position{Start: start, End: len(col.Buf)})
}

// appendHexID adds a trace or span id as lowercase hex, or "" when every
// byte is zero (unset), as contrib's exporter writes them.
func appendHexID(col *proto.ColStr, id []byte) {
	start := len(col.Buf)
	if slices.ContainsFunc(id, func(b byte) bool { return b != 0 }) {
		col.Buf = hex.AppendEncode(col.Buf, id)
	}
	col.Pos = append(col.Pos, proto.Position{Start: start, End: len(col.Buf)})
}
