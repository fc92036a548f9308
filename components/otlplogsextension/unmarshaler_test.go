package otlplogsextension

import (
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/otelcol-events/otelcol-events/internal/eventlogstest"
)

// decodeAsPdata decodes buf with both unmarshalers, fails t unless the
// results (or the errors) are the same, and says whether the decoder left
// the message to pdata.
func decodeAsPdata(t testing.TB, buf []byte) (leftToPdata bool) {
	t.Helper()
	want, wantErr := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(buf)
	got, err := newLogsUnmarshaler(func() { leftToPdata = true }).UnmarshalLogs(buf)
	if wantErr != nil {
		if err == nil || err.Error() != wantErr.Error() {
			t.Fatalf("pdata refused the message (%v), the decoder answered %v", wantErr, err)
		}
		return leftToPdata
	}
	if err != nil {
		t.Fatalf("pdata decoded the message, the decoder refused it: %v", err)
	}
	var m plog.ProtoMarshaler
	wantBytes, err := m.MarshalLogs(want)
	require.NoError(t, err)
	gotBytes, err := m.MarshalLogs(got)
	require.NoError(t, err)
	if string(gotBytes) != string(wantBytes) {
		t.Fatalf("the decoder's logs differ from pdata's:\npdata: %x\nours:  %x", wantBytes, gotBytes)
	}
	return leftToPdata
}

func marshal(t testing.TB, ld plog.Logs) []byte {
	t.Helper()
	buf, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
	require.NoError(t, err)
	return buf
}

// TestRecordedEventsAsPdata decodes a Kafka record the agent wrote on the
// local stack (`make run`, one upload of 100 events from 100 addresses).
func TestRecordedEventsAsPdata(t *testing.T) {
	buf, err := os.ReadFile("testdata/events-record.pb")
	require.NoError(t, err)
	assert.False(t, decodeAsPdata(t, buf), "the agent's record was left to pdata")
	assert.False(t, decodeAsPdata(t, marshal(t, eventlogstest.EnrichedUploads(3, 5))))
}

// everyValueKind has every kind of value, in attributes, bodies, arrays and
// maps, and every field of the resource, scope and log record.
func everyValueKind() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.SetSchemaUrl("https://opentelemetry.io/schemas/1.30.0")
	rl.Resource().Attributes().PutStr("service.name", "shop")
	rl.Resource().SetDroppedAttributesCount(2)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.SetSchemaUrl("https://example.com/scope")
	sl.Scope().SetName("scope")
	sl.Scope().SetVersion("1.2.3")
	sl.Scope().Attributes().PutBool("scope.flag", true)
	sl.Scope().SetDroppedAttributesCount(1)
	for i := range 3 {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.Timestamp(1_700_000_000_000_000_000 + i))
		lr.SetObservedTimestamp(pcommon.Timestamp(1_700_000_000_000_000_001 + i))
		lr.SetSeverityNumber(plog.SeverityNumberWarn)
		lr.SetSeverityText("WARN")
		lr.SetFlags(plog.DefaultLogRecordFlags.WithIsSampled(true))
		lr.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, byte(i)})
		lr.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, byte(i)})
		lr.SetEventName("page_view")
		lr.SetDroppedAttributesCount(uint32(i))
		body := lr.Body().SetEmptyMap()
		body.PutStr("s", "text")
		body.PutEmptySlice("list").AppendEmpty().SetInt(-7)
		attrs := lr.Attributes()
		attrs.PutStr("str", "value")
		attrs.PutStr("differs", string(rune('a'+i)))
		attrs.PutInt("int", -42)
		attrs.PutDouble("double", 51.4036)
		attrs.PutBool("bool", i%2 == 0)
		attrs.PutEmptyBytes("bytes").FromRaw([]byte{0, 1, 2})
		attrs.PutEmptyBytes("no bytes")
		attrs.PutEmpty("empty")
		list := attrs.PutEmptySlice("list")
		list.AppendEmpty().SetStr("x")
		list.AppendEmpty().SetEmptyMap().PutDouble("d", 1.5)
		list.AppendEmpty()
		nested := attrs.PutEmptyMap("map")
		nested.PutEmptyMap("inner").PutStr("deep", "yes")
		nested.PutEmptySlice("none")
	}
	sl.LogRecords().AppendEmpty() // a record with nothing set
	ld.ResourceLogs().AppendEmpty()
	return ld
}

func TestEveryValueKindAsPdata(t *testing.T) {
	assert.False(t, decodeAsPdata(t, marshal(t, everyValueKind())), "a well-formed message was left to pdata")
	assert.False(t, decodeAsPdata(t, nil), "an empty message is empty logs")
}

// Raw protobuf builders for what no pdata value marshals to.
func tag(b []byte, num protowire.Number, typ protowire.Type) []byte {
	return protowire.AppendTag(b, num, typ)
}

func message(b []byte, num protowire.Number, msg []byte) []byte {
	return protowire.AppendBytes(tag(b, num, protowire.BytesType), msg)
}

// inRecord wraps log record fields in a request of one resource, one scope
// and one record.
func inRecord(record []byte) []byte {
	return message(nil, requestResourceLogs, message(nil, resourceLogsScopeLogs, message(nil, scopeLogsLogRecords, record)))
}

func stringAttribute(key, value string) []byte {
	kv := message(nil, keyValueKey, []byte(key))
	return message(kv, keyValueValue, message(nil, anyValueString, []byte(value)))
}

// TestUnusualMessagesAsPdata: whatever the decoder does not build itself
// is left to pdata, which answers exactly as it would alone, refusals
// included; fields unknown to both are skipped by both.
func TestUnusualMessagesAsPdata(t *testing.T) {
	valid := marshal(t, everyValueKind())
	deep := message(nil, anyValueString, []byte("bottom"))
	for range maxDepth + 2 {
		deep = message(nil, anyValueArray, message(nil, repeatedValuesField, deep))
	}
	for _, tc := range []struct {
		name        string
		buf         []byte
		leftToPdata bool
	}{
		{"truncated", valid[:len(valid)/2], true},
		{"a length past the end", []byte{0x0a, 0x7f, 0x0a}, true},
		{"a bad tag", []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, true},
		{"a group", tag(nil, 7, protowire.StartGroupType), true},
		{"field number 0 (found by FuzzUnmarshalLogs)", []byte("00\x000"), true},
		{"resource logs as a varint", protowire.AppendVarint(tag(nil, requestResourceLogs, protowire.VarintType), 1), true},
		{"a time as a varint", inRecord(protowire.AppendVarint(tag(nil, recordTime, protowire.VarintType), 1)), true},
		{"a trace id of 3 bytes", inRecord(message(nil, recordTraceID, []byte{1, 2, 3})), true},
		{"an empty trace id", inRecord(message(nil, recordTraceID, nil)), false},
		{"a duplicate key", inRecord(message(message(nil, recordAttributes, stringAttribute("k", "1")), recordAttributes, stringAttribute("k", "2"))), true},
		{"two bodies", inRecord(message(message(nil, recordBody, message(nil, anyValueString, []byte("a"))), recordBody, nil)), true},
		{"two values in one AnyValue", inRecord(message(nil, recordBody, protowire.AppendVarint(tag(message(nil, anyValueString, []byte("a")), anyValueInt, protowire.VarintType), 5))), true},
		{"a string index", inRecord(message(nil, recordBody, protowire.AppendVarint(tag(nil, anyValueStrindex, protowire.VarintType), 3))), true},
		{"a key index", inRecord(message(nil, recordAttributes, protowire.AppendVarint(tag(nil, 3, protowire.VarintType), 3))), true},
		{"resource entity refs", message(nil, requestResourceLogs, message(nil, resourceLogsResource, message(nil, resourceEntityRefs, nil))), true},
		{"two resources", message(nil, requestResourceLogs, message(message(nil, resourceLogsResource, nil), resourceLogsResource, nil)), true},
		{"deprecated scope logs", message(nil, requestResourceLogs, message(nil, resourceLogsDeprecated, nil)), true},
		{"nested deeper than the decoder goes", inRecord(message(nil, recordBody, deep)), true},
		{"unknown fields", append(inRecord(message(nil, 99, []byte("x"))), message(nil, 42, nil)...), false},
		{"a severity past int32", inRecord(protowire.AppendVarint(tag(nil, recordSeverityNumber, protowire.VarintType), 1<<40)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.leftToPdata, decodeAsPdata(t, tc.buf))
		})
	}
}

// TestConcurrentDecodes: the kafka receiver decodes a partition's records
// concurrently through one extension; each decode takes a decoder of its
// own (run with -race).
func TestConcurrentDecodes(t *testing.T) {
	records := recordedUploads(t, 8, false)
	var m plog.ProtoMarshaler
	want := make([][]byte, len(records))
	for i, r := range records {
		ld, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(r)
		require.NoError(t, err)
		want[i], err = m.MarshalLogs(ld)
		require.NoError(t, err)
	}
	u := newLogsUnmarshaler(func() { t.Error("left to pdata") })
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 50 {
				r := (w + i) % len(records)
				ld, err := u.UnmarshalLogs(records[r])
				if err != nil {
					t.Error(err) // not require: this is not the test's goroutine
					return
				}
				got, err := m.MarshalLogs(ld)
				if err != nil || !assert.Equal(t, want[r], got) {
					t.Error("decode", r, "differs from pdata's", err)
					return
				}
			}
		})
	}
	wg.Wait()
}
