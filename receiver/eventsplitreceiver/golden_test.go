package eventsplitreceiver

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/ptracetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Golden files hold what the receiver emits for a fixed upload; regenerate
// them with UPDATE_GOLDEN=1 go test -run TestGolden ./receiver/eventsplitreceiver/
// and review the diff.

// goldenUpload has fixed timestamps (2025-11-21), a caller's traceparent,
// extra meta keys, every kind of attribute value, an event ip, a nested
// payload, and one invalid event that must not appear.
const goldenUpload = `{
  "meta": {"app_id": "shop-ios", "category": "page_view", "platform": "ios", "app_version": "5.2.0",
           "sdk_version": "1.8.1", "device_id": "D-42", "locale": "de-DE", "ab_bucket": 7},
  "data": [
    {"id": "e1", "name": "screen_view", "timestamp": 1763730000000, "ip": "203.0.113.7",
     "attributes": {"screen": "cart", "items": 3, "total": 59.9, "logged_in": true},
     "payload": {"duration_ms": 1234, "path": ["home", "cart"], "referrer": null}},
    {"id": "e2", "name": "tap", "timestamp": 1763730000500},
    {"id": "e3", "timestamp": 1763730001000},
    {"id": "e4", "name": "scroll", "timestamp": 1763730001500, "payload": "plain text \u00e9"}
  ]
}`

const goldenTraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

func goldenHarness(t *testing.T, body string, configure ...func(*Config)) *harness {
	h := startHarness(t, withConfig(func(c *Config) {
		c.MaxAge = 100 * 365 * 24 * time.Hour // the golden events are from 2025
		c.Body = body
		for _, f := range configure {
			f(c)
		}
	}))
	code, a, _ := h.post(goldenUpload, "traceparent", goldenTraceParent, "X-Request-ID", "req-golden", "User-Agent", "golden-test/1.0")
	require.Equal(t, http.StatusMultiStatus, code, "%+v", a)
	require.Equal(t, 3, a.Accepted)
	return h
}

func TestGoldenLogs(t *testing.T) {
	for _, body := range []string{bodyJSON, bodyStructured} {
		t.Run(body, func(t *testing.T) {
			h := goldenHarness(t, body)
			logs := h.logs.AllLogs()[0]
			ingest := h.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
			normalizeLogs(t, logs, ingest.SpanID())
			compareGoldenLogs(t, filepath.Join("testdata", "golden", "logs_"+body+"_body.yaml"), logs)
		})
	}
}

func TestGoldenIngestSpan(t *testing.T) {
	h := goldenHarness(t, bodyJSON)
	traces := h.traces.AllTraces()[0]
	span := traces.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	require.False(t, span.SpanID().IsEmpty())
	require.NotZero(t, span.StartTimestamp())
	require.LessOrEqual(t, span.StartTimestamp(), span.EndTimestamp())
	span.SetSpanID(pcommon.SpanID{0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa})
	span.SetStartTimestamp(0)
	span.SetEndTimestamp(0)

	path := filepath.Join("testdata", "golden", "traces_ingest_span.yaml")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		require.NoError(t, golden.WriteTracesToFile(path, traces))
	}
	want, err := golden.ReadTraces(path)
	require.NoError(t, err)
	require.NoError(t, ptracetest.CompareTraces(want, traces))
}

// normalizeLogs replaces what differs per run (the random ingest span id,
// generated backend ids, receipt time) with fixed values, after checking
// each is what it should be.
func normalizeLogs(t *testing.T, logs plog.Logs, ingestSpanID pcommon.SpanID) {
	for _, rl := range logs.ResourceLogs().All() {
		for _, r := range rl.ScopeLogs().At(0).LogRecords().All() {
			require.Equal(t, ingestSpanID, r.SpanID())
			r.SetSpanID(pcommon.SpanID{0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa})
			bid, ok := r.Attributes().Get("event.backend_id")
			require.True(t, ok)
			require.Regexp(t, uuidV7, bid.Str())
			bid.SetStr("<uuidv7>")
			require.NotZero(t, r.ObservedTimestamp())
			r.SetObservedTimestamp(0)
		}
	}
}

// With client_address: resource the golden upload's events make two
// resources, each carrying its address: e1's own ip, then the request's
// peer address for e2 and e4, which name none.
func TestGoldenLogsAddressOnResource(t *testing.T) {
	h := goldenHarness(t, bodyJSON, func(c *Config) { c.ClientAddress = clientAddressOnResource })
	logs := h.logs.AllLogs()[0]
	require.Equal(t, 2, logs.ResourceLogs().Len())
	ingest := h.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	normalizeLogs(t, logs, ingest.SpanID())
	compareGoldenLogs(t, filepath.Join("testdata", "golden", "logs_address_on_resource.yaml"), logs)
}

func compareGoldenLogs(t *testing.T, path string, logs plog.Logs) {
	t.Helper()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		require.NoError(t, golden.WriteLogsToFile(path, logs))
	}
	want, err := golden.ReadLogs(path)
	require.NoError(t, err)
	require.NoError(t, plogtest.CompareLogs(want, logs))
}

// event_name_attribute writes the name twice: the EventName field, and the
// event.name attribute that semantic conventions deprecated for it.
func TestEventNameAttribute(t *testing.T) {
	h := startHarness(t, withConfig(func(c *Config) { c.EventNameAttribute = true }))
	code, a, _ := h.post(upload(defaultMeta, ev(`"id":"e1"`, `"name":"screen_view"`, fmt.Sprintf(`"timestamp":%d`, nowMs()))))
	require.Equal(t, http.StatusOK, code, "%+v", a)
	rec := h.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, "screen_view", rec.EventName())
	assert.Equal(t, "screen_view", rec.Attributes().AsRaw()["event.name"])
}
