package clickhouselogsexporter

import (
	"testing"

	"github.com/ClickHouse/ch-go/proto"

	"github.com/otelcol-events/otelcol-events/internal/eventlogstest"
)

// BenchmarkEncodeBlock fills a reused block from a request shaped like the
// gateway's (uploads of 100 events with ours' attributes) and encodes it
// as ch-go sends it: the collector's whole share of an insert but the
// compression and the socket. Per event. The comparison with contrib's
// exporter needs a ClickHouse: BenchmarkClickHouseLogsInsert in
// test/integration.
func BenchmarkEncodeBlock(b *testing.B) {
	ld := eventlogstest.EnrichedUploads(50, 100)
	block := newLogsBlock(true)
	var buf proto.Buffer
	b.ReportAllocs()
	for b.Loop() {
		block.appendLogs(ld)
		for _, c := range block.input {
			if p, ok := c.Data.(proto.Preparable); ok {
				if err := p.Prepare(); err != nil {
					b.Fatal(err)
				}
			}
			c.Data.EncodeColumn(&buf)
		}
		buf.Reset()
		block.reset()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*ld.LogRecordCount()), "ns/event")
}
