package clickhouselogsexporter

import (
	"testing"

	"github.com/ClickHouse/ch-go/proto"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-events/otelcol-events/internal/eventlogstest"
)

// FuzzAppendLogs feeds whatever OTLP logs a Kafka record could decode to
// (duplicate keys, odd value types, zero or huge timestamps) through the
// block and its encoding: no panic, one row per log record, one map entry
// per attribute.
func FuzzAppendLogs(f *testing.F) {
	var m plog.ProtoMarshaler
	for _, ld := range []plog.Logs{logsWith("seed", 3), eventlogstest.EnrichedUploads(2, 3), plog.NewLogs()} {
		seed, err := m.MarshalLogs(ld)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var u plog.ProtoUnmarshaler
		ld, err := u.UnmarshalLogs(data)
		if err != nil {
			return
		}
		b := newLogsBlock(true)
		b.appendLogs(ld)
		if b.rows() != ld.LogRecordCount() {
			t.Fatalf("%d rows for %d log records", b.rows(), ld.LogRecordCount())
		}
		attributes := 0
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, r := range sl.LogRecords().All() {
					attributes += r.Attributes().Len()
				}
			}
		}
		if got := b.logAttributes.keys.Rows(); got != attributes {
			t.Fatalf("%d map entries for %d attributes", got, attributes)
		}
		var buf proto.Buffer
		for _, c := range b.input {
			if p, ok := c.Data.(proto.Preparable); ok {
				if err := p.Prepare(); err != nil {
					t.Fatal(err)
				}
			}
			c.Data.EncodeColumn(&buf)
		}
	})
}
