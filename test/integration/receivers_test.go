//go:build integration

package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	jaegermodel "github.com/jaegertracing/jaeger-idl/model/v1"
	"github.com/jaegertracing/jaeger-idl/proto-gen/api_v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/exporters/zipkin"
	sdkresource "go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// A span sent by a Zipkin client (OpenTelemetry Go's Zipkin exporter, which
// speaks Zipkin v2 JSON) lands in ClickHouse through agent, Kafka and
// gateway with its ids intact.
func TestZipkinClientSpansReachClickHouse(t *testing.T) {
	s := startLinkedStack(t)
	exp, err := zipkin.New("http://" + s.agent.Endpoints.Zipkin + "/api/v2/spans")
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp),
		sdktrace.WithResource(sdkresource.NewSchemaless(semconv.ServiceName("zipkin-shop"))))
	_, span := tp.Tracer("zipkin-test").Start(context.Background(), "checkout")
	span.End()
	require.NoError(t, tp.Shutdown(context.Background()))

	traceID, spanID := span.SpanContext().TraceID().String(), span.SpanContext().SpanID().String()
	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_traces WHERE TraceId = '%s'", s.db, traceID), 1, 120*time.Second)
	rows := chQuery(t, fmt.Sprintf("SELECT SpanId, SpanName, ServiceName FROM %s.otel_traces WHERE TraceId = '%s'", s.db, traceID))
	assert.Equal(t, [][]string{{spanID, "checkout", "zipkin-shop"}}, rows)
}

// A span sent with the Jaeger collector's gRPC protocol (api_v2
// CollectorService.PostSpans, what Jaeger agents and clients send) lands in
// ClickHouse with its ids intact.
func TestJaegerClientSpansReachClickHouse(t *testing.T) {
	s := startLinkedStack(t)
	conn, err := grpc.NewClient(s.agent.Endpoints.JaegerGRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	traceID := jaegermodel.NewTraceID(0x1a2b3c4d5e6f7081, 0x92a3b4c5d6e7f809)
	spanID := jaegermodel.NewSpanID(0x0badc0ffee15600d)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = api_v2.NewCollectorServiceClient(conn).PostSpans(ctx, &api_v2.PostSpansRequest{Batch: jaegermodel.Batch{
		Process: &jaegermodel.Process{ServiceName: "jaeger-shop"},
		Spans: []*jaegermodel.Span{{
			TraceID: traceID, SpanID: spanID, OperationName: "reserve stock",
			StartTime: time.Now().Add(-time.Second), Duration: 250 * time.Millisecond,
		}},
	}})
	require.NoError(t, err)

	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_traces WHERE TraceId = '%s'", s.db, traceID.String()), 1, 120*time.Second)
	rows := chQuery(t, fmt.Sprintf("SELECT SpanId, SpanName, ServiceName FROM %s.otel_traces WHERE TraceId = '%s'", s.db, traceID.String()))
	assert.Equal(t, [][]string{{"0badc0ffee15600d", "reserve stock", "jaeger-shop"}}, rows)
}
