//go:build integration

package integration

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
)

// linkedStack is agent -> Kafka -> gateway -> ClickHouse as two collector
// processes, with an OTLP sink standing in for Jaeger.
type linkedStack struct {
	kafka     *kafkaRun
	kafkaAddr string
	jaeger    *stack.Jaeger // nil unless started with one
	db        string
	agent     *collectorRun
	gateway   *collectorRun
}

func startLinkedStack(t testing.TB) *linkedStack {
	t.Helper()
	return startLinkedStackWith(t, linkedOptions{})
}

// linkedOptions vary the linked stack.
type linkedOptions struct {
	// jaeger: a real Jaeger v2 (Badger) behind the gateway instead of an
	// OTLP sink that only counts.
	jaeger bool
	// linkMode is the kafkalink connector's mode (default parent).
	linkMode string
	// agentOverlays are config files merged over config/agent.yaml.
	agentOverlays []string
	// env is added to both collectors' environment.
	env map[string]string
}

func startLinkedStackWith(t testing.TB, o linkedOptions) *linkedStack {
	t.Helper()
	kafka := startKafka(t, pipelineTopics...)
	s := &linkedStack{kafka: kafka, kafkaAddr: kafka.Addr, db: newDatabase(t)}
	gatewayEnv := map[string]string{
		"KAFKA_BROKERS":       kafka.Addr,
		"CLICKHOUSE_ENDPOINT": suite.ch.TCPEndpoint(),
		"CLICKHOUSE_DATABASE": s.db,
	}
	if o.jaeger {
		s.jaeger = startJaeger(t)
		gatewayEnv["JAEGER_OTLP_ENDPOINT"] = s.jaeger.OTLPGRPCEndpoint()
	} else {
		gatewayEnv["JAEGER_OTLP_ENDPOINT"] = startOTLPSink(t).addr
	}
	if o.linkMode != "" {
		gatewayEnv["KAFKALINK_MODE"] = o.linkMode
	}
	agentEnv := map[string]string{"KAFKA_BROKERS": kafka.Addr}
	maps.Copy(gatewayEnv, o.env)
	maps.Copy(agentEnv, o.env)
	s.gateway = startCollectorConfigs(t, "gateway", []string{"gateway.yaml"}, gatewayEnv)
	s.agent = startCollectorConfigs(t, "agent", append([]string{"agent.yaml"}, o.agentOverlays...), agentEnv)
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
	client, ingest, consumer := spans["upload events"], spans["POST /v1/events"], spans[eventTopic(category)+" process"]
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
	s := startLinkedStack(t)
	traceID, clientSpan := tracedUpload(t, s, "checkout", 25)
	assertLinkedTrace(t, s.db, traceID, clientSpan, "checkout", 25)
	assert.Equal(t, 1.0, metricValue(t, s.gateway.Endpoints.Metrics, "otelcol_connector_kafkalink_kafka_records", map[string]string{"output": "logs", "result": "linked"}),
		"otlp_proto: one record, one consumer span, for the whole request")
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
	assert.Equal(t, 2.0, metricValue(t, s.gateway.Endpoints.Metrics, "otelcol_connector_kafkalink_kafka_records", map[string]string{"output": "logs", "result": "invalid_header"}))
	assert.Equal(t, 1.0, metricValue(t, s.gateway.Endpoints.Metrics, "otelcol_connector_kafkalink_kafka_records", map[string]string{"output": "logs", "result": "missing_header"}))
	assert.Zero(t, metricValue(t, s.gateway.Endpoints.Metrics, "otelcol_connector_kafkalink_kafka_records", map[string]string{"output": "logs", "result": "linked"}))
}
