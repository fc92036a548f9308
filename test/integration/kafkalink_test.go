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
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// linkedStack is agent -> Kafka -> gateway -> ClickHouse as two collector
// processes, with an OTLP sink standing in for Jaeger.
type linkedStack struct {
	kafkaAddr string
	db        string
	agent     *collectorRun
	gateway   *collectorRun
}

func startLinkedStack(t testing.TB, agentOverlays, gatewayOverlays []string) *linkedStack {
	t.Helper()
	kafka := startKafka(t, "otlp_spans", "otlp_logs", "otlp_metrics")
	s := &linkedStack{kafkaAddr: kafka.Addr, db: newDatabase(t)}
	jaeger := startOTLPSink(t)
	s.gateway = startCollectorConfigs(t, "gateway", append([]string{"gateway.yaml"}, gatewayOverlays...), map[string]string{
		"KAFKA_BROKERS":        kafka.Addr,
		"CLICKHOUSE_ENDPOINT":  suite.ch.TCPEndpoint(),
		"CLICKHOUSE_DATABASE":  s.db,
		"JAEGER_OTLP_ENDPOINT": jaeger.addr,
	})
	s.agent = startCollectorConfigs(t, "agent", append([]string{"agent.yaml"}, agentOverlays...), map[string]string{
		"KAFKA_BROKERS": kafka.Addr,
	})
	return s
}

// tracedUpload is a client span, made with the real OpenTelemetry Go SDK
// and exported to the agent, around an upload of n events that carries the
// span's traceparent.
func tracedUpload(t testing.TB, s *linkedStack, category string, n int) (traceID, clientSpanID string) {
	t.Helper()
	tp, _ := newSDK(t, s.agent.Endpoints.OTLPGRPC, "checkout-web")
	ctx, span := tp.Tracer("checkout").Start(context.Background(), "upload events", trace.WithSpanKind(trace.SpanKindClient))
	headers := propagation.HeaderCarrier(http.Header{})
	propagation.TraceContext{}.Inject(ctx, headers)
	code, a := uploadEvents(t, s.agent.Endpoints.Events, eventsBody(category, "link", n),
		map[string]string{"traceparent": http.Header(headers).Get("traceparent")})
	span.End()
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, n, a.Accepted)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, tp.Shutdown(shutdownCtx))
	return span.SpanContext().TraceID().String(), span.SpanContext().SpanID().String()
}

// assertLinkedTrace checks, with SQL on ClickHouse, that the client span,
// the ingest span and the consumer span are one nested trace, and that the
// n events are stored in it under the consumer span, with geo attributes.
func assertLinkedTrace(t *testing.T, db, traceID, clientSpanID, category string, n int) {
	t.Helper()
	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_traces WHERE TraceId = '%s'", db, traceID), 3, 120*time.Second)
	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_logs WHERE TraceId = '%s'", db, traceID), n, 60*time.Second)

	spans := map[string][]string{} // name -> SpanId, ParentSpanId, SpanKind, ServiceName
	for _, r := range chQuery(t, fmt.Sprintf(
		"SELECT SpanName, SpanId, ParentSpanId, SpanKind, ServiceName FROM %s.otel_traces WHERE TraceId = '%s'", db, traceID)) {
		spans[r[0]] = r[1:]
	}
	client, ingest, consumer := spans["upload events"], spans["POST /v1/events"], spans["events."+category+" process"]
	require.NotNil(t, client, "client span: %v", spans)
	require.NotNil(t, ingest, "ingest span: %v", spans)
	require.NotNil(t, consumer, "consumer span: %v", spans)
	assert.Equal(t, clientSpanID, client[0])
	assert.Equal(t, []string{"Client", "checkout-web"}, client[2:])
	assert.Equal(t, clientSpanID, ingest[1], "ingest span is the client span's child")
	assert.Equal(t, "Server", ingest[2])
	assert.Equal(t, ingest[0], consumer[1], "consumer span is the ingest span's child, not its sibling")
	assert.Equal(t, "Consumer", consumer[2])

	rows := chQuery(t, fmt.Sprintf(
		"SELECT SpanId, LogAttributes['geo.country.iso_code'], LogAttributes['geo.locality.name'], count() FROM %s.otel_logs WHERE TraceId = '%s' GROUP BY ALL", db, traceID))
	assert.Equal(t, [][]string{{consumer[0], "GB", "London", fmt.Sprint(n)}}, rows,
		"every event carries the consumer span and geo attributes")
}

// Events cross Kafka as one unbroken trace: client -> ingest -> consumer,
// with the default lossless encoding (one Kafka record per request batch).
func TestKafkaLinkedTraceOTLPProto(t *testing.T) {
	s := startLinkedStack(t, nil, nil)
	traceID, clientSpan := tracedUpload(t, s, "checkout", 25)
	assertLinkedTrace(t, s.db, traceID, clientSpan, "checkout", 25)
	assert.Equal(t, 1.0, metricValue(t, s.gateway.Endpoints.Metrics, "otelcol_connector_kafkalink_batches", `result="linked"`),
		"otlp_proto: one record, one consumer span, for the whole request")
}

// The same with one Kafka record per event, whose value is the event's JSON
// (config/overlays/events-json-*.yaml): every record still carries the
// header and the client's message key.
func TestKafkaLinkedTraceEventJSON(t *testing.T) {
	s := startLinkedStack(t, []string{"overlays/events-json-agent.yaml"}, []string{"overlays/events-json-gateway.yaml"})
	const n = 12
	traceID, clientSpan := tracedUpload(t, s, "search", n)

	// Consumers that are not collectors see plain JSON events with the header and key.
	records := readEventRecords(t, s.kafkaAddr, "events.search", n)
	for _, r := range records {
		assert.Equal(t, "it-app/dev-1", r.key, "one client's events share a message key, so they stay in order")
		assert.True(t, strings.HasPrefix(r.headers["traceparent"], "00-"+traceID+"-"), r.headers["traceparent"])
		assert.Contains(t, r.value, `"event.id":"link-`)
		assert.Contains(t, r.value, `"geo.country.iso_code":"GB"`)
		assert.Contains(t, r.value, `"payload":{"i":`)
	}

	// Every event is its own record, so the consumer side makes one span per
	// event: n consumer spans, all children of the ingest span.
	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_logs WHERE TraceId = '%s'", s.db, traceID), n, 120*time.Second)
	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_traces WHERE TraceId = '%s'", s.db, traceID), 2+n, 60*time.Second)
	ingest := chQuery(t, fmt.Sprintf("SELECT SpanId, ParentSpanId FROM %s.otel_traces WHERE TraceId = '%s' AND SpanName = 'POST /v1/events'", s.db, traceID))
	require.Len(t, ingest, 1)
	assert.Equal(t, clientSpan, ingest[0][1])
	consumers := chQuery(t, fmt.Sprintf(
		"SELECT count(), uniqExact(SpanId), any(ParentSpanId) FROM %s.otel_traces WHERE TraceId = '%s' AND SpanName = 'events.search process' AND SpanKind = 'Consumer'", s.db, traceID))
	assert.Equal(t, []string{fmt.Sprint(n), fmt.Sprint(n), ingest[0][0]}, consumers[0])
	logs := chQuery(t, fmt.Sprintf(
		"SELECT count(), countIf(SpanId IN (SELECT SpanId FROM %s.otel_traces WHERE TraceId = '%s' AND SpanKind = 'Consumer')), "+
			"countIf(LogAttributes['geo.country.iso_code'] = 'GB'), countIf(ResourceAttributes['app.id'] = 'it-app'), "+
			"countIf(Body LIKE '{\"i\":%%') FROM %s.otel_logs WHERE TraceId = '%s'", s.db, traceID, s.db, traceID))
	assert.Equal(t, []string{fmt.Sprint(n), fmt.Sprint(n), fmt.Sprint(n), fmt.Sprint(n), fmt.Sprint(n)}, logs[0],
		"each event under its consumer span, attributes, resource and payload restored")
	assert.Equal(t, float64(n), metricValue(t, s.gateway.Endpoints.Metrics, "otelcol_connector_kafkalink_batches", `result="linked"`))
}

// kafkaRecord is a record as a non-collector consumer sees it.
type kafkaRecord struct {
	key, value string
	headers    map[string]string
}

// readEventRecords reads n records of topic from the start, as a plain
// Kafka consumer would.
func readEventRecords(t *testing.T, brokers, topic string, n int) []kafkaRecord {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	require.NoError(t, err)
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out []kafkaRecord
	for len(out) < n {
		fetches := cl.PollFetches(ctx)
		require.NoError(t, ctx.Err(), "read %d of %d records from %s", len(out), n, topic)
		fetches.EachRecord(func(r *kgo.Record) {
			h := map[string]string{}
			for _, hd := range r.Headers {
				h[hd.Key] = string(hd.Value)
			}
			out = append(out, kafkaRecord{key: string(r.Key), value: string(r.Value), headers: h})
		})
	}
	return out
}
