//go:build integration

package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	jaegermodel "github.com/jaegertracing/jaeger-idl/model/v1"
	"github.com/jaegertracing/jaeger-idl/proto-gen/api_v2"
	"github.com/openzipkin/zipkin-go"
	zipkinhttp "github.com/openzipkin/zipkin-go/reporter/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// A span sent by a Zipkin client (openzipkin/zipkin-go with its HTTP
// reporter, Zipkin v2 JSON) lands in ClickHouse through agent, Kafka and
// gateway with its ids intact.
func TestZipkinClientSpansReachClickHouse(t *testing.T) {
	s := startLinkedStack(t)
	reporter := zipkinhttp.NewReporter("http://" + s.agent.Endpoints.Zipkin + "/api/v2/spans")
	endpoint, err := zipkin.NewEndpoint("zipkin-shop", "127.0.0.1:8081")
	require.NoError(t, err)
	tracer, err := zipkin.NewTracer(reporter, zipkin.WithLocalEndpoint(endpoint))
	require.NoError(t, err)
	span := tracer.StartSpan("checkout")
	span.Finish()
	require.NoError(t, reporter.Close(), "the reporter flushed the span")

	// zipkin-go makes 64-bit trace ids by default, as most Zipkin clients
	// do; the receiver left-pads them to OpenTelemetry's 128 bits.
	traceID, spanID := fmt.Sprintf("%032s", span.Context().TraceID.String()), span.Context().ID.String()
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
