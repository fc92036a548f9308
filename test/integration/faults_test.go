//go:build integration

package integration

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/collector/pdata/plog"
)

// uploadPhase uploads n events with ids <prefix>-0..n-1 to the agent.
func uploadPhase(t *testing.T, s *linkedStack, prefix string, n int) {
	t.Helper()
	code, a := uploadEvents(t, s.agent.Endpoints.Events, eventsBody("faults", prefix, n), nil)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, n, a.Accepted)
}

// assertExactlyStored checks that every uploaded event is stored once.
func assertExactlyStored(t *testing.T, db string, total int) {
	t.Helper()
	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_logs WHERE ServiceName = 'it-app'", db), total, 180*time.Second)
	distinct := chQuery(t, fmt.Sprintf("SELECT uniqExact(LogAttributes['event.id']) FROM %s.otel_logs WHERE ServiceName = 'it-app'", db))
	assert.Equal(t, fmt.Sprint(total), distinct[0][0], "no event lost, none stored twice")
}

// The gateway stops while the agent keeps producing, and starts again: it
// resumes from its committed offsets, and nothing is lost.
func TestGatewayRestartResumesFromCommittedOffsets(t *testing.T) {
	s := startLinkedStack(t)
	uploadPhase(t, s, "before", 30)
	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_logs WHERE ServiceName = 'it-app'", s.db), 30, 120*time.Second)

	require.NoError(t, s.gateway.Stop())
	uploadPhase(t, s, "while-down-1", 20)
	uploadPhase(t, s, "while-down-2", 20)
	time.Sleep(2 * time.Second) // the agent produces to Kafka meanwhile
	s.gateway.start(t)
	uploadPhase(t, s, "after", 30)

	assertExactlyStored(t, s.db, 100)
}

// ClickHouse stops while the gateway consumes, and starts again: the
// exporter's retries and persistent queue deliver everything.
func TestClickHouseOutageLosesNothing(t *testing.T) {
	s := startLinkedStack(t)
	uploadPhase(t, s, "before", 25)
	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_logs WHERE ServiceName = 'it-app'", s.db), 25, 120*time.Second)

	stopClickHouse(t)
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			startClickHouseAgain(t)
		}
	})
	uploadPhase(t, s, "during-1", 40)
	uploadPhase(t, s, "during-2", 35)
	// Wait until the gateway has consumed them from Kafka: then they are
	// only in its sending queue.
	require.Eventually(t, func() bool {
		return metricValue(t, s.gateway.Endpoints.Metrics, "otelcol_connector_kafkalink_batches", `result="linked"`) >= 3
	}, 120*time.Second, 250*time.Millisecond)
	time.Sleep(3 * time.Second) // a few failed export attempts

	startClickHouseAgain(t)
	restarted = true
	uploadPhase(t, s, "after", 10)
	assertExactlyStored(t, s.db, 110)
}

// Records whose traceparent header is missing or malformed are stored
// unchanged and counted; they never fail a batch.
func TestMalformedHeadersPassThrough(t *testing.T) {
	s := startLinkedStack(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(s.kafkaAddr), kgo.AllowAutoTopicCreation())
	require.NoError(t, err)
	defer cl.Close()
	for i, headers := range [][]kgo.RecordHeader{
		{{Key: "traceparent", Value: []byte("00-not-a-traceparent")}},
		{{Key: "traceparent", Value: []byte("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")}},
		nil, // no header at all
	} {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", "foreign-producer")
		rec := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		rec.Body().SetStr(fmt.Sprintf("record %d", i))
		rec.SetTimestamp(1)
		value, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		require.NoError(t, cl.ProduceSync(ctx, &kgo.Record{Topic: "events.foreign", Value: value, Headers: headers}).FirstErr())
		cancel()
	}
	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_logs WHERE ServiceName = 'foreign-producer'", s.db), 3, 120*time.Second)
	assert.Equal(t, 2.0, metricValue(t, s.gateway.Endpoints.Metrics, "otelcol_connector_kafkalink_batches", `result="invalid_header"`))
	assert.Equal(t, 1.0, metricValue(t, s.gateway.Endpoints.Metrics, "otelcol_connector_kafkalink_batches", `result="missing_header"`))
	assert.Zero(t, metricValue(t, s.gateway.Endpoints.Metrics, "otelcol_connector_kafkalink_batches", `result="linked"`))
}
