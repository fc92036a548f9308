// Package eventlogstest builds client events as the pipeline carries them,
// as log records: an upload the way eventsplit splits it, and the same
// upload with what ours adds on its way to ClickHouse. The end-to-end
// benchmark sends them to the stock pipeline, and the ClickHouse exporter's
// benchmarks and fuzz seeds insert them, so every measurement of "an event
// as ours stores it" means the same event.
package eventlogstest // import "github.com/otelcol-events/otelcol-events/internal/eventlogstest"

import (
	"crypto/rand"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Upload is one upload of n events of app in category, with ids
// prefix-0 … prefix-(n-1), each timestamped at, the way eventsplit makes
// it: the resource from the upload's meta, the attributes and the body per
// event.
func Upload(app, category, prefix string, n int, at time.Time) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	res := rl.Resource().Attributes()
	res.PutStr("service.name", app)
	res.PutStr("app.id", app)
	res.PutStr("event.category", category)
	res.PutStr("app.platform", "web")
	res.PutStr("device.id", "dev-1")
	records := rl.ScopeLogs().AppendEmpty().LogRecords()
	ts := pcommon.NewTimestampFromTime(at)
	for i := range n {
		r := records.AppendEmpty()
		r.SetTimestamp(ts)
		r.SetEventName("page_view")
		a := r.Attributes()
		a.PutStr("event.id", fmt.Sprintf("%s-%d", prefix, i))
		a.PutStr("client.address", fmt.Sprintf("81.2.69.%d", 1+i%200))
		a.PutStr("page", fmt.Sprintf("/p/%d", i))
		a.PutInt("n", int64(i))
		r.Body().SetStr(fmt.Sprintf(`{"i":%d}`, i))
	}
	return ld
}

// Enrich adds to every event of an Upload what ours adds on its way to
// ClickHouse: a backend id shaped like eventsplit's (a UUIDv7 whose random
// bits the upload shares, with a counter per event), the six fields of
// the flat GeoLite2 City database, and the upload's trace context.
func Enrich(ld plog.Logs) {
	var traceID pcommon.TraceID
	var spanID pcommon.SpanID
	var id [16]byte
	_, _ = rand.Read(traceID[:])
	_, _ = rand.Read(spanID[:])
	_, _ = rand.Read(id[:])
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for i, r := range sl.LogRecords().All() {
				r.SetTraceID(traceID)
				r.SetSpanID(spanID)
				id[6], id[7] = 0x70|byte(i>>8)&0x0f, byte(i) // version 7, counter
				a := r.Attributes()
				a.PutStr("event.backend_id", fmt.Sprintf("%x-%x-%x-%x-%x", id[0:4], id[4:6], id[6:8], id[8:10], id[10:]))
				a.PutStr("geo.country.iso_code", "GB")
				a.PutStr("geo.region.name", "England")
				a.PutStr("geo.locality.name", "Bracknell")
				a.PutStr("geo.postal_code", "RG12")
				a.PutDouble("geo.location.lat", 51.4036)
				a.PutDouble("geo.location.lon", -0.7618)
			}
		}
	}
}

// EnrichedUploads is uploads enriched uploads of perUpload events, each
// its own resource, as the gateway hands them to its ClickHouse exporter.
func EnrichedUploads(uploads, perUpload int) plog.Logs {
	ld := plog.NewLogs()
	for u := range uploads {
		one := Upload("bench-app", "page_view", fmt.Sprintf("u%d", u), perUpload, time.Now())
		Enrich(one)
		one.ResourceLogs().MoveAndAppendTo(ld.ResourceLogs())
	}
	return ld
}
