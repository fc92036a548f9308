//go:build integration

package integration

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
)

// spanRef is one span's place in its trace, as the SDK made it and as
// ClickHouse must hold it.
type spanRef struct {
	TraceID, SpanID, ParentSpanID string
}

func (s spanRef) String() string { return s.TraceID + "/" + s.SpanID + "<-" + s.ParentSpanID }

// newSDK returns a tracer provider of the real OpenTelemetry Go SDK that
// exports over OTLP/gRPC to endpoint and also records every ended span, so
// the test knows the exact tree it sent.
func newSDK(t testing.TB, endpoint, service string) (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	t.Helper()
	exp, err := otlptracegrpc.New(context.Background(),
		otlptracegrpc.WithEndpoint(endpoint), otlptracegrpc.WithInsecure())
	require.NoError(t, err)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(100*time.Millisecond)),
		sdktrace.WithSpanProcessor(rec),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName(service))),
	)
	return tp, rec
}

// sendTraceTrees sends `traces` traces, each a tree of the given depth and
// fan-out, and returns every span it sent. depth 3, fan-out 2 is 1+2+4 = 7
// spans per trace.
func sendTraceTrees(t *testing.T, endpoint, service string, traces, depth, fanout int) []spanRef {
	t.Helper()
	tp, rec := newSDK(t, endpoint, service)
	tracer := tp.Tracer("otelcol-events/integration")
	var grow func(ctx context.Context, level int, name string)
	grow = func(ctx context.Context, level int, name string) {
		ctx, span := tracer.Start(ctx, name, trace.WithAttributes(attribute.Int("level", level)))
		if level+1 < depth {
			for i := 0; i < fanout; i++ {
				grow(ctx, level+1, fmt.Sprintf("%s.%d", name, i))
			}
		}
		span.End()
	}
	for i := 0; i < traces; i++ {
		grow(context.Background(), 0, fmt.Sprintf("op%d", i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, tp.Shutdown(ctx), "SDK export")
	return spanRefs(rec.Ended())
}

func spanRefs(spans []sdktrace.ReadOnlySpan) []spanRef {
	out := make([]spanRef, 0, len(spans))
	for _, s := range spans {
		ref := spanRef{TraceID: s.SpanContext().TraceID().String(), SpanID: s.SpanContext().SpanID().String()}
		if s.Parent().IsValid() {
			ref.ParentSpanID = s.Parent().SpanID().String()
		}
		out = append(out, ref)
	}
	sortRefs(out)
	return out
}

func sortRefs(refs []spanRef) {
	sort.Slice(refs, func(i, j int) bool { return refs[i].String() < refs[j].String() })
}

// storedSpans reads back the spans of a service from the clickhouse
// exporter's traces table.
func storedSpans(t *testing.T, database, service string) []spanRef {
	t.Helper()
	rows := chQuery(t, fmt.Sprintf(
		"SELECT TraceId, SpanId, ParentSpanId FROM %s.otel_traces WHERE ServiceName = '%s'", database, service))
	out := make([]spanRef, 0, len(rows))
	for _, r := range rows {
		require.Len(t, r, 3)
		out = append(out, spanRef{TraceID: r[0], SpanID: r[1], ParentSpanID: r[2]})
	}
	sortRefs(out)
	return out
}
