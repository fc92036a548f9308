//go:build integration

package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/collector/pdata/plog"
	b3prop "go.opentelemetry.io/contrib/propagators/b3"
	jaegerprop "go.opentelemetry.io/contrib/propagators/jaeger"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-events/otelcol-events/internal/kafkatopictest"
)

// recordHeaders lets the OpenTelemetry propagators read a Kafka record's
// headers, as a consumer on a Zipkin or Jaeger client would.
type recordHeaders []kgo.RecordHeader

func (h recordHeaders) Get(key string) string {
	for _, rh := range h {
		if strings.EqualFold(rh.Key, key) {
			return string(rh.Value)
		}
	}
	return ""
}
func (recordHeaders) Set(string, string) {}
func (h recordHeaders) Keys() []string {
	keys := make([]string, len(h))
	for i, rh := range h {
		keys[i] = rh.Key
	}
	return keys
}

// An upload that carries only B3 headers, or only uber-trace-id, continues
// the caller's trace through the agent, Kafka and the gateway; with the
// legacy-trace-headers overlay every record also carries the ingest span in
// both forms, and a consumer using the B3 or the Jaeger propagator reads it.
func TestB3AndJaegerCallersAcrossKafka(t *testing.T) {
	s := startLinkedStackWith(t, linkedOptions{agentOverlays: []string{"overlays/legacy-trace-headers.yaml"}})
	for _, tc := range []struct {
		name, category, traceID, spanID string
		headers                         map[string]string
	}{
		{"b3", "crash", "5bf92f3577b34da6a3ce929d0e0e4736", "10f067aa0ba902b7",
			map[string]string{"X-B3-TraceId": "5bf92f3577b34da6a3ce929d0e0e4736", "X-B3-SpanId": "10f067aa0ba902b7", "X-B3-Sampled": "1"}},
		{"jaeger", "performance", "000000000000000039e6f67f630a6a30", "29e6f67f630a6a30",
			map[string]string{"uber-trace-id": "39e6f67f630a6a30:29e6f67f630a6a30:0:1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, a := uploadEvents(t, s.agent.Endpoints.Events, eventsBody(tc.category, tc.name, 5), tc.headers)
			require.Equal(t, http.StatusOK, code)
			require.Equal(t, 5, a.Accepted)

			// Stored: caller -> ingest -> consumer, one trace.
			waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_traces WHERE TraceId = '%s'", s.db, tc.traceID), 2, 120*time.Second)
			spans := map[string][]string{}
			for _, r := range chQuery(t, fmt.Sprintf("SELECT SpanName, SpanId, ParentSpanId, SpanAttributes['eventsplit.trace_context.format'] FROM %s.otel_traces WHERE TraceId = '%s'", s.db, tc.traceID)) {
				spans[r[0]] = r[1:]
			}
			ingest, consumer := spans["POST /v1/events"], spans[eventTopic(tc.category)+" process"]
			require.NotNil(t, ingest, "%v", spans)
			require.NotNil(t, consumer, "%v", spans)
			assert.Equal(t, tc.spanID, ingest[1], "the ingest span is the caller's child")
			assert.Equal(t, tc.name, ingest[2])
			assert.Equal(t, ingest[0], consumer[1], "the consumer span is the ingest span's child")

			// A consumer of the topic on an older client continues the same trace.
			headers := firstRecordHeaders(t, s.kafkaAddr, eventTopic(tc.category))
			for name, prop := range map[string]propagation.TextMapPropagator{"b3": b3prop.New(), "jaeger": jaegerprop.Jaeger{}} {
				sc := trace.SpanContextFromContext(prop.Extract(context.Background(), headers))
				require.True(t, sc.IsValid(), "%s header on the record: %v", name, headers.Keys())
				assert.Equal(t, tc.traceID, sc.TraceID().String(), name)
				assert.Equal(t, ingest[0], sc.SpanID().String(), "%s: the record's parent is the ingest span", name)
			}
		})
	}
}

// Records written by producers on Zipkin or Jaeger clients, with only a b3
// or uber-trace-id header, are linked by the gateway too.
func TestGatewayLinksB3AndJaegerProducers(t *testing.T) {
	s := startLinkedStack(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(s.kafkaAddr), kgo.AllowAutoTopicCreation())
	require.NoError(t, err)
	defer cl.Close()
	producers := map[string]kgo.RecordHeader{
		"6bf92f3577b34da6a3ce929d0e0e4736": {Key: "b3", Value: []byte("6bf92f3577b34da6a3ce929d0e0e4736-a1b2c3d4e5f60718-1")},
		"7bf92f3577b34da6a3ce929d0e0e4736": {Key: "uber-trace-id", Value: []byte("7bf92f3577b34da6a3ce929d0e0e4736:b1b2c3d4e5f60718:0:1")},
	}
	for _, header := range producers {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", "legacy-producer")
		rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr(header.Key)
		value, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		require.NoError(t, cl.ProduceSync(ctx, &kgo.Record{Topic: "events.legacy", Value: value, Headers: []kgo.RecordHeader{header}}).FirstErr())
		cancel()
	}
	for traceID, header := range producers {
		waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_traces WHERE TraceId = '%s'", s.db, traceID), 1, 120*time.Second)
		rows := chQuery(t, fmt.Sprintf("SELECT SpanName, ParentSpanId, SpanAttributes['kafkalink.trace_context.format'] FROM %s.otel_traces WHERE TraceId = '%s'", s.db, traceID))
		want := map[string]string{"b3": "a1b2c3d4e5f60718", "uber-trace-id": "b1b2c3d4e5f60718"}[header.Key]
		format := map[string]string{"b3": "b3", "uber-trace-id": "jaeger"}[header.Key]
		assert.Equal(t, [][]string{{"events.legacy process", want, format}}, rows)
		waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_logs WHERE TraceId = '%s'", s.db, traceID), 1, 60*time.Second)
	}
}

// firstRecordHeaders reads the first record of topic with a consumer of
// its own.
func firstRecordHeaders(t *testing.T, brokers, topic string) recordHeaders {
	t.Helper()
	var headers recordHeaders
	kafkatopictest.ReadFromStart(t, []string{brokers}, topic, func(rec *kgo.Record) bool {
		headers = recordHeaders(rec.Headers)
		return true
	})
	return headers
}
