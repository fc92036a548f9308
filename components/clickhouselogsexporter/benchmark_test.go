package clickhouselogsexporter

import (
	"fmt"
	"testing"

	"github.com/ClickHouse/ch-go/proto"
	"go.opentelemetry.io/collector/pdata/plog"
)

// BenchmarkEncodeBlock fills a reused block from a request shaped like the
// gateway's (uploads of 100 events with ours' attributes) and encodes it
// as ch-go sends it: the collector's whole share of an insert but the
// compression and the socket. Per event. The comparison with contrib's
// exporter needs a ClickHouse: BenchmarkClickHouseLogsInsert in
// test/integration.
func BenchmarkEncodeBlock(b *testing.B) {
	ld := eventLikeLogs(50, 100)
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

func eventLikeLogs(uploads, perUpload int) plog.Logs {
	ld := plog.NewLogs()
	for u := range uploads {
		rl := ld.ResourceLogs().AppendEmpty()
		res := rl.Resource().Attributes()
		res.PutStr("service.name", "shop-web")
		res.PutStr("app.id", "shop-web")
		res.PutStr("event.category", "page_view")
		res.PutStr("app.platform", "web")
		res.PutStr("device.id", fmt.Sprintf("dev-%d", u))
		records := rl.ScopeLogs().AppendEmpty().LogRecords()
		for i := range perUpload {
			r := records.AppendEmpty()
			r.SetTimestamp(1_764_576_000_000_000_000)
			r.SetEventName("page_view")
			r.SetTraceID([16]byte{1, 2, 3, byte(u)})
			r.SetSpanID([8]byte{4, 5, byte(u)})
			r.Body().SetStr(fmt.Sprintf(`{"i":%d}`, i))
			a := r.Attributes()
			a.PutStr("event.id", fmt.Sprintf("e-%d-%d", u, i))
			a.PutStr("event.backend_id", fmt.Sprintf("019ad0b5-7%03x-8a3b-9c4d-5e6f7a8b9c0d", i))
			a.PutStr("client.address", "81.2.69.160")
			a.PutStr("page", fmt.Sprintf("/p/%d", i))
			a.PutInt("n", int64(i))
			a.PutStr("geo.country.iso_code", "GB")
			a.PutStr("geo.region.name", "England")
			a.PutStr("geo.locality.name", "Bracknell")
			a.PutStr("geo.postal_code", "RG12")
			a.PutDouble("geo.location.lat", 51.4036)
			a.PutDouble("geo.location.lon", -0.7618)
		}
	}
	return ld
}
