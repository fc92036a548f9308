//go:build integration

package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// uploadAnswer is the eventsplit receiver's answer.
type uploadAnswer struct {
	Accepted int `json:"accepted"`
	Rejected int `json:"rejected"`
	Parts    []struct {
		ID        string `json:"id"`
		Status    string `json:"status"`
		BackendID string `json:"backend_id"`
		Reason    string `json:"reason"`
	} `json:"parts"`
}

// acceptedIDs are the ids of the parts the answer accepted.
func (a uploadAnswer) acceptedIDs() []string {
	var ids []string
	for _, p := range a.Parts {
		if p.Status == "accepted" {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

// eventsBody builds an upload of n events of app "it-app" with ids
// prefix-0..n-1, each with a public client ip.
func eventsBody(category, prefix string, n int) []byte {
	return appEventsBody("it-app", category, prefix, n)
}

// appEventsBody is eventsBody for another app (another service.name).
func appEventsBody(app, category, prefix string, n int) []byte {
	return appEventsBodyAt(app, category, prefix, n, time.Now())
}

// appEventsBodyAt is appEventsBody with every event timestamped at (to the
// millisecond, as the upload format carries it).
func appEventsBodyAt(app, category, prefix string, n int, at time.Time) []byte {
	return eventsBodyFrom(app, category, prefix, n, at, func(i int) int { return 1 + i%200 })
}

// deviceEventsBodyAt is appEventsBodyAt with every event from one address,
// as a device's upload comes: 81.2.69.1 to .200, chosen by prefix, so
// uploads vary the address as different devices would.
func deviceEventsBodyAt(app, category, prefix string, n int, at time.Time) []byte {
	h := fnv.New32a()
	_, _ = h.Write([]byte(prefix))
	host := 1 + int(h.Sum32()%200)
	return eventsBodyFrom(app, category, prefix, n, at, func(int) int { return host })
}

// eventsBodyFrom builds the upload; event i's ip is 81.2.69.host(i).
func eventsBodyFrom(app, category, prefix string, n int, at time.Time, host func(i int) int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"meta":{"app_id":%q,"category":%q,"platform":"web","device_id":"dev-1"},"data":[`, app, category)
	ts := at.UnixMilli()
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"%s-%d","name":"page_view","timestamp":%d,"ip":"81.2.69.%d",`+
			`"attributes":{"page":"/p/%d","n":%d},"payload":{"i":%d}}`, prefix, i, ts, host(i), i, i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// uploadEvents posts an upload to a collector's eventsplit endpoint.
func uploadEvents(t testing.TB, endpoint string, body []byte, headers map[string]string) (int, uploadAnswer) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+endpoint+"/v1/events", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var a uploadAnswer
	require.NoError(t, json.Unmarshal(raw, &a), "%s", raw)
	// The benchmark's clients read only the leading count (postEvents):
	// every real answer here checks that it is what the parts say.
	leading, err := leadingAcceptedCount(bytes.NewReader(raw))
	require.NoError(t, err, "%s", raw)
	require.Len(t, a.acceptedIDs(), leading, "the leading accepted count against the parts: %s", raw)
	return resp.StatusCode, a
}

// Events uploaded to the all-in-one collector cross Kafka and land in
// ClickHouse, one row per event, in the caller's trace: caller -> ingest
// span -> consumer span, with the events under the consumer span.
func TestLocalConfigEventsReachClickHouse(t *testing.T) {
	kafka := startKafka(t, pipelineTopics...)
	db := newDatabase(t)
	col := startCollectorConfigs(t, "collector", localConfigs(), map[string]string{
		"KAFKA_BROKERS":       kafka.Addr,
		"CLICKHOUSE_ENDPOINT": suite.ch.TCPEndpoint(),
		"CLICKHOUSE_DATABASE": db,
	})

	const n = 40
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	code, a := uploadEvents(t, col.Endpoints.Events, eventsBody("checkout", "ev", n), map[string]string{
		"traceparent":  "00-" + traceID + "-00f067aa0ba902b7-01",
		"X-Request-ID": "it-req-1",
	})
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, n, a.Accepted)

	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_logs WHERE ServiceName = 'it-app'", db), n, 90*time.Second)
	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_traces WHERE TraceId = '%s'", db, traceID), 2, 30*time.Second)

	ingest := chQuery(t, fmt.Sprintf("SELECT TraceId, SpanId, ParentSpanId, SpanKind FROM %s.otel_traces WHERE SpanName = 'POST /v1/events'", db))
	require.Len(t, ingest, 1)
	assert.Equal(t, []string{traceID, ingest[0][1], "00f067aa0ba902b7", "Server"}, ingest[0], "the ingest span continues the caller's trace")
	consumer := chQuery(t, fmt.Sprintf("SELECT SpanId, ParentSpanId, SpanKind FROM %s.otel_traces WHERE SpanName = '%s process'", db, eventTopic("checkout")))
	require.Len(t, consumer, 1)
	assert.Equal(t, []string{consumer[0][0], ingest[0][1], "Consumer"}, consumer[0], "the consumer span is the ingest span's child")

	rows := chQuery(t, fmt.Sprintf(
		"SELECT DISTINCT TraceId, SpanId, LogAttributes['request.id'], ResourceAttributes['event.category'] FROM %s.otel_logs WHERE ServiceName = 'it-app'", db))
	require.Len(t, rows, 1, "every record of the request carries the same trace context")
	assert.Equal(t, []string{traceID, consumer[0][0], "it-req-1", "checkout"}, rows[0], "records carry the consumer span")

	geo := chQuery(t, fmt.Sprintf("SELECT DISTINCT LogAttributes['geo.country.iso_code'], LogAttributes['geo.locality.name'], LogAttributes['geo.location.lat'] FROM %s.otel_logs WHERE ServiceName = 'it-app'", db))
	assert.Equal(t, [][]string{{"GB", "London", "51.5142"}}, geo, "ipgeo enriched every event from its ip")

	ids := chQuery(t, fmt.Sprintf("SELECT count(DISTINCT LogAttributes['event.backend_id']), count(DISTINCT LogAttributes['event.id']) FROM %s.otel_logs WHERE ServiceName = 'it-app'", db))
	assert.Equal(t, []string{fmt.Sprint(n), fmt.Sprint(n)}, ids[0])
}
