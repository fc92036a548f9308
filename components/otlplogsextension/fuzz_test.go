package otlplogsextension

import (
	"os"
	"testing"

	"github.com/otelcol-events/otelcol-events/internal/eventlogstest"
)

// FuzzUnmarshalLogs: for any bytes, the decoder answers what pdata's
// unmarshaler answers, the same logs or the same error, and never panics.
func FuzzUnmarshalLogs(f *testing.F) {
	recorded, err := os.ReadFile("testdata/events-record.pb")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(recorded)
	f.Add(marshal(f, everyValueKind()))
	f.Add(marshal(f, eventlogstest.EnrichedUploads(2, 3)))
	f.Add(inRecord(message(nil, recordAttributes, stringAttribute("k", "v"))))
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeAsPdata(t, data)
	})
}
