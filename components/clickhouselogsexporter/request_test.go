package clickhouselogsexporter

import (
	"context"
	"fmt"
	"testing"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exporterhelper/xexporterhelper"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/xpdata/pref"

	"github.com/otelcol-events/otelcol-events/internal/eventlogstest"
)

// unevenLogs has resources and scopes of uneven sizes, empty ones among
// them, so that cuts fall at and between their edges: 9 records.
func unevenLogs() plog.Logs {
	ld := plog.NewLogs()
	n := 0
	addResource := func(service string, scopeSizes ...int) {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", service)
		rl.SetSchemaUrl("https://opentelemetry.io/schemas/" + service)
		for si, size := range scopeSizes {
			sl := rl.ScopeLogs().AppendEmpty()
			sl.Scope().SetName(fmt.Sprintf("%s/scope%d", service, si))
			for range size {
				r := sl.LogRecords().AppendEmpty()
				r.SetTimestamp(pcommon.Timestamp(1000 + n))
				r.Body().SetStr(fmt.Sprintf("record %d", n))
				r.Attributes().PutInt("n", int64(n))
				n++
			}
		}
	}
	addResource("a", 3, 0, 2)
	addResource("b")
	addResource("c", 4)
	return ld
}

// blockBytes encodes the rows the parts make as ch-go sends them.
func blockBytes(t *testing.T, parts ...logsPart) []byte {
	t.Helper()
	b := newLogsBlock(true)
	for _, p := range parts {
		b.appendPart(p)
	}
	var buf proto.Buffer
	for _, c := range b.input {
		if p, ok := c.Data.(proto.Preparable); ok {
			require.NoError(t, p.Prepare())
		}
		c.Data.EncodeColumn(&buf)
	}
	return buf.Buf
}

func requestOf(t *testing.T, ld plog.Logs) *logsRequest {
	t.Helper()
	req, err := newLogsRequest(context.Background(), ld)
	require.NoError(t, err)
	return req.(*logsRequest)
}

func protoBytes(t *testing.T, ld plog.Logs) []byte {
	t.Helper()
	data, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
	require.NoError(t, err)
	return data
}

// TestMergeSplitKeepsEveryRecordInOrder: requests merged and cut at every
// size write, piece by piece, the same rows as their logs written whole;
// no piece is over the limit, the last is the smallest, and the logs,
// shared read-only as the pipeline shares them, are never changed (a
// change would panic).
func TestMergeSplitKeepsEveryRecordInOrder(t *testing.T) {
	first, second := unevenLogs(), eventlogstest.EnrichedUploads(2, 5)
	want := blockBytes(t, logsPart{logs: first, count: 9}, logsPart{logs: second, count: 10})
	first.MarkReadOnly()
	second.MarkReadOnly()
	before := append(protoBytes(t, first), protoBytes(t, second)...)

	for maxSize := 1; maxSize <= 20; maxSize++ {
		t.Run(fmt.Sprint(maxSize), func(t *testing.T) {
			pieces, err := requestOf(t, first).MergeSplit(context.Background(), maxSize, exporterhelper.RequestSizerTypeItems, requestOf(t, second))
			require.NoError(t, err)
			var parts []logsPart
			items := 0
			for i, piece := range pieces {
				r := piece.(*logsRequest)
				assert.LessOrEqual(t, r.ItemsCount(), maxSize)
				assert.LessOrEqual(t, pieces[len(pieces)-1].ItemsCount(), r.ItemsCount(), "piece %d", i)
				counted := 0
				for _, p := range r.parts {
					counted += p.count
				}
				assert.Equal(t, counted, r.ItemsCount())
				items += r.ItemsCount()
				parts = append(parts, r.parts...)
			}
			assert.Equal(t, 19, items)
			assert.Equal(t, want, blockBytes(t, parts...))
		})
	}
	assert.Equal(t, before, append(protoBytes(t, first), protoBytes(t, second)...))
}

// TestMergeSplitPiecesAreIndependent: merging into one piece of a split
// does not write into another piece's parts (they were cut from one
// slice).
func TestMergeSplitPiecesAreIndependent(t *testing.T) {
	pieces, err := requestOf(t, unevenLogs()).MergeSplit(context.Background(), 4, exporterhelper.RequestSizerTypeItems, nil)
	require.NoError(t, err)
	require.Len(t, pieces, 3)
	secondParts := append([]logsPart(nil), pieces[1].(*logsRequest).parts...)
	_, err = pieces[0].MergeSplit(context.Background(), 0, exporterhelper.RequestSizerTypeItems, requestOf(t, logsWith("other", 2)))
	require.NoError(t, err)
	assert.Equal(t, secondParts, pieces[1].(*logsRequest).parts)
	assert.Equal(t, 6, pieces[0].ItemsCount())
}

func TestMergeSplitRefusals(t *testing.T) {
	req := requestOf(t, unevenLogs())
	_, err := req.MergeSplit(context.Background(), 4, exporterhelper.RequestSizerTypeBytes, nil)
	require.ErrorContains(t, err, "clickhouselogs batches by items, not by bytes")
	_, err = req.MergeSplit(context.Background(), 0, exporterhelper.RequestSizerTypeItems, otherRequest{})
	require.ErrorContains(t, err, "cannot merge a clickhouselogsexporter.otherRequest into a clickhouselogs request")
	assert.Equal(t, 9, req.ItemsCount(), "unchanged by the refusals")
}

type otherRequest struct{ xexporterhelper.Request }

// TestBytesSize: a whole request counts as the exporter helper's logs
// request does (the OTLP message); a cut one counts its records.
func TestBytesSize(t *testing.T) {
	ld := unevenLogs()
	var sizer plog.ProtoMarshaler
	assert.Equal(t, sizer.LogsSize(ld), requestOf(t, ld).BytesSize())

	pieces, err := requestOf(t, ld).MergeSplit(context.Background(), 5, exporterhelper.RequestSizerTypeItems, nil)
	require.NoError(t, err)
	records := 0
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, r := range sl.LogRecords().All() {
				records += sizer.LogRecordSize(r)
			}
		}
	}
	assert.Equal(t, records, pieces[0].BytesSize()+pieces[1].BytesSize())
}

// TestQueueEncodingRoundTrip: a request read back from a persistent queue
// writes the rows it was stored with, a cut one included, and bare OTLP
// logs (a queue written before contexts were stored) read as well.
func TestQueueEncodingRoundTrip(t *testing.T) {
	pieces, err := requestOf(t, unevenLogs()).MergeSplit(context.Background(), 4, exporterhelper.RequestSizerTypeItems, requestOf(t, logsWith("z", 3)))
	require.NoError(t, err)
	for i, piece := range append(pieces, requestOf(t, unevenLogs())) {
		data, err := queueEncoding{}.Marshal(context.Background(), piece)
		require.NoError(t, err)
		_, back, err := queueEncoding{}.Unmarshal(data)
		require.NoError(t, err)
		assert.Equal(t, blockBytes(t, piece.(*logsRequest).parts...), blockBytes(t, back.(*logsRequest).parts...), "piece %d", i)
	}

	_, back, err := queueEncoding{}.Unmarshal(protoBytes(t, unevenLogs()))
	require.NoError(t, err)
	assert.Equal(t, 9, back.ItemsCount())

	_, _, err = queueEncoding{}.Unmarshal([]byte{0xff, 0xff})
	require.ErrorContains(t, err, "read a queued clickhouselogs request")
	_, err = queueEncoding{}.Marshal(context.Background(), otherRequest{})
	require.ErrorContains(t, err, "cannot store")
}

// TestQueueReferencesFollowTheConvertedLogs: a queue holding requests that
// were merged and split takes and releases exactly one reference on each
// logs it was handed, so pdata's pooling neither reuses logs still queued
// nor releases any twice (which panics).
func TestQueueReferencesFollowTheConvertedLogs(t *testing.T) {
	first, second := unevenLogs(), logsWith("b", 3)
	a, b := requestOf(t, first), requestOf(t, second)
	refs := queueReferences{}
	refs.Ref(a)
	refs.Ref(b)
	pieces, err := a.MergeSplit(context.Background(), 0, exporterhelper.RequestSizerTypeItems, b)
	require.NoError(t, err)
	pieces, err = pieces[0].MergeSplit(context.Background(), 5, exporterhelper.RequestSizerTypeItems, nil)
	require.NoError(t, err)
	for _, piece := range pieces {
		refs.Ref(piece) // a piece of a split references nothing of its own
		refs.Unref(piece)
	}
	refs.Unref(a)
	refs.Unref(b)
	for _, ld := range []plog.Logs{first, second} {
		pref.UnrefLogs(ld) // the reference the logs were made with
		assert.Panics(t, func() { pref.UnrefLogs(ld) }, "released once too often")
	}
}
