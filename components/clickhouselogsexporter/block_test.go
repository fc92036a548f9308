package clickhouselogsexporter

import (
	"math"
	"testing"
	"time"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

func TestAppendLogsColumns(t *testing.T) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "shop-ios")
	rl.Resource().Attributes().PutInt("app.build", 42)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("eventsplit")
	r := sl.LogRecords().AppendEmpty()
	ts := time.Date(2026, 12, 1, 8, 0, 0, 123456789, time.UTC)
	r.SetTimestamp(pcommon.NewTimestampFromTime(ts))
	r.SetTraceID(pcommon.TraceID{0x0a, 0xf7, 15: 0x9c})
	r.SetSpanID(pcommon.SpanID{0xb7, 7: 0x01})
	r.SetEventName("tap")
	r.Body().SetStr("hello")
	a := r.Attributes()
	a.PutStr("z", "last")
	a.PutDouble("lat", 51.4036)
	a.PutBool("a", true)
	unset := sl.LogRecords().AppendEmpty()
	unset.SetObservedTimestamp(pcommon.NewTimestampFromTime(ts.Add(time.Second)))

	b := newLogsBlock(true)
	b.appendLogs(ld)

	require.Equal(t, 2, b.rows())
	assert.True(t, ts.Equal(b.timestamp.Row(0)))
	assert.True(t, ts.Add(time.Second).Equal(b.timestamp.Row(1)), "no timestamp: the observed one")
	assert.Equal(t, "0af7000000000000000000000000009c", b.traceID.Row(0))
	assert.Equal(t, "b700000000000001", b.spanID.Row(0))
	assert.Empty(t, b.traceID.Row(1))
	assert.Empty(t, b.spanID.Row(1))
	assert.Equal(t, "shop-ios", b.serviceName.Row(1))
	assert.Equal(t, "hello", b.body.Row(0))
	assert.Empty(t, b.body.Row(1))
	assert.Equal(t, "tap", b.eventName.Row(0))
	assert.Equal(t, "eventsplit", b.scopeName.Row(0))
	assert.Equal(t, []proto.KV[string, string]{{Key: "app.build", Value: "42"}, {Key: "service.name", Value: "shop-ios"}},
		b.resourceAttributes.column.RowKV(1))
	assert.Equal(t, []proto.KV[string, string]{{Key: "a", Value: "true"}, {Key: "lat", Value: "51.4036"}, {Key: "z", Value: "last"}},
		b.logAttributes.column.RowKV(0), "sorted by key, as contrib writes them")
	assert.Empty(t, b.logAttributes.column.RowKV(1))
	assert.Len(t, b.input, 16)
	assert.Len(t, newLogsBlock(false).input, 15, "no EventName column")
}

// TestBlockReuse: a reset block holds nothing of the last insert, and
// drops its references into that insert's pdata.
func TestBlockReuse(t *testing.T) {
	b := newLogsBlock(true)
	b.appendLogs(logsWith("first", 3))
	b.reset()
	assert.Equal(t, 0, b.rows())
	assert.Equal(t, 0, b.logAttributes.column.Rows())
	for _, v := range b.serviceName.Values[:cap(b.serviceName.Values)] {
		assert.Empty(t, v)
	}
	b.appendLogs(logsWith("second", 2))
	require.Equal(t, 2, b.rows())
	assert.Equal(t, "second", b.serviceName.Row(0))
	assert.Equal(t, []proto.KV[string, string]{{Key: "i", Value: "1"}}, b.logAttributes.column.RowKV(1))
}

// TestAppendValueEdges: values no producer should send, but may, are
// written as pdata spells them, never a panic.
func TestAppendValueEdges(t *testing.T) {
	for _, v := range []pcommon.Value{
		pcommon.NewValueDouble(math.NaN()), pcommon.NewValueDouble(math.Inf(1)), pcommon.NewValueDouble(1e-9),
		pcommon.NewValueDouble(math.Copysign(0, -1)), pcommon.NewValueDouble(1e21), pcommon.NewValueDouble(123456789.125),
		pcommon.NewValueInt(math.MinInt64), pcommon.NewValueStr("\xff\xfe not UTF-8"), pcommon.NewValueEmpty(),
		pcommon.NewValueBytes(), pcommon.NewValueMap(), pcommon.NewValueSlice(),
	} {
		var col proto.ColStr
		appendValue(&col, v)
		assert.Equal(t, v.AsString(), col.Row(0), v.Type().String())
	}

	ld := logsWith("edge", 1)
	r := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	r.SetTimestamp(math.MaxUint64) // past DateTime64(9)'s range: wraps as in contrib's exporter
	b := newLogsBlock(true)
	require.NotPanics(t, func() { b.appendLogs(ld) })
	assert.Equal(t, proto.DateTime64(-1), b.timestamp.Data[0])
}

func logsWith(service string, n int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", service)
	records := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := range n {
		r := records.AppendEmpty()
		r.SetTimestamp(pcommon.Timestamp(1 + i))
		r.Attributes().PutInt("i", int64(i))
	}
	return ld
}

// TestAttributeSorter: sets with the last set's keys in the same order
// reuse its order; any other set is sorted afresh, an empty one included.
func TestAttributeSorter(t *testing.T) {
	keysOf := func(entries []attributeEntry) []string {
		var keys []string
		for _, e := range entries {
			keys = append(keys, e.key+"="+e.value.AsString())
		}
		return keys
	}
	set := func(kv ...string) pcommon.Map {
		m := pcommon.NewMap()
		for i := 0; i < len(kv); i += 2 {
			m.PutStr(kv[i], kv[i+1])
		}
		return m
	}
	var s attributeSorter
	assert.Equal(t, []string{"a=1", "b=2", "c=3"}, keysOf(s.sort(set("c", "3", "a", "1", "b", "2"))))
	assert.Equal(t, []string{"a=x", "b=y", "c=z"}, keysOf(s.sort(set("c", "z", "a", "x", "b", "y"))), "same keys: the remembered order")
	assert.Equal(t, []string{"a=1", "b=2", "c=3"}, keysOf(s.sort(set("b", "2", "c", "3", "a", "1"))), "same keys, another order")
	assert.Equal(t, []string{"a=1", "d=4"}, keysOf(s.sort(set("d", "4", "a", "1"))))
	assert.Empty(t, s.sort(pcommon.NewMap()))
	s.sort(set("z", "1"))
	s.forget()
	assert.Empty(t, s.sort(pcommon.NewMap()), "an empty set after forget")
	for _, k := range s.keys[:cap(s.keys)] {
		assert.Empty(t, k, "forget drops the references into pdata")
	}
}
