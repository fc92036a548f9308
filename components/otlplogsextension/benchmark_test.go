package otlplogsextension

import (
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Benchmarks (recorded in BENCHMARKS.md):
//
//	go test -run '^$' -bench BenchmarkUnmarshal -count 6 ./components/otlplogsextension/

// recordedUploads returns n copies of the recorded Kafka record whose event
// ids and backend ids differ from copy to copy, as they do between uploads;
// with device set, every event of a copy has the first event's address and
// geolocation, as a device's upload has.
func recordedUploads(tb testing.TB, n int, device bool) [][]byte {
	tb.Helper()
	buf, err := os.ReadFile("testdata/events-record.pb")
	require.NoError(tb, err)
	ld, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(buf)
	require.NoError(tb, err)
	records := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	if device {
		first := records.At(0).Attributes()
		for j := 1; j < records.Len(); j++ {
			attrs := records.At(j).Attributes()
			for k, v := range first.All() {
				if k != "event.id" && k != "event.backend_id" && k != "page" && k != "n" {
					v.CopyTo(attrs.PutEmpty(k))
				}
			}
		}
	}
	out := make([][]byte, n)
	for i := range out {
		for j := 0; j < records.Len(); j++ {
			attrs := records.At(j).Attributes()
			attrs.PutStr("event.id", fmt.Sprintf("upload-%d-event-%d", i, j))
			attrs.PutStr("event.backend_id", fmt.Sprintf("01a23d5a-179a-7%03d-960c-%012d", j, i))
		}
		out[i], err = (&plog.ProtoMarshaler{}).MarshalLogs(ld)
		require.NoError(tb, err)
	}
	return out
}

// BenchmarkUnmarshal decodes Kafka records of 100 enriched events each, as
// the gateway reads them, with pdata's unmarshaler and with this one.
func BenchmarkUnmarshal(b *testing.B) {
	for _, upload := range []struct {
		name   string
		device bool
	}{{"relay", false}, {"device", true}} {
		records := recordedUploads(b, 64, upload.device)
		for _, decoder := range []struct {
			name string
			u    plog.Unmarshaler
		}{
			{"pdata", &plog.ProtoUnmarshaler{}},
			{"otlplogs", newLogsUnmarshaler(func() { b.Fatal("left to pdata") })},
		} {
			b.Run(upload.name+"/"+decoder.name, func(b *testing.B) {
				b.SetBytes(int64(len(records[0])))
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if _, err := decoder.u.UnmarshalLogs(records[i%len(records)]); err != nil {
						b.Fatal(err)
					}
					i++
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100, "ns/event")
			})
		}
	}
}
