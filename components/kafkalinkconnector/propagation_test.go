package kafkalinkconnector

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-events/otelcol-events/components/tracecontext"
)

// Records from producers on Zipkin (B3) or Jaeger (uber-trace-id) clients
// are linked as W3C ones are.
func TestLinksRecordsFromB3AndJaegerProducers(t *testing.T) {
	const traceID, spanID = "4bf92f3577b34da6a3ce929d0e0e4736", "a1b2c3d4e5f60718"
	for name, tc := range map[string]struct {
		header, value, format string
	}{
		"b3 single": {"b3", traceID + "-" + spanID + "-1", "b3"},
		"b3 multi":  {"X-B3-TraceId", traceID, "b3"},
		"jaeger":    {"uber-trace-id", traceID + ":" + spanID + ":0:1", "jaeger"},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, nil)
			headers := kafkaHeaders()
			delete(headers, "traceparent")
			headers[tc.header] = tc.value
			if tc.header == "X-B3-TraceId" {
				headers["X-B3-SpanId"] = spanID
				headers["X-B3-Sampled"] = "1"
			}
			h.consume(t, headers, 2)
			require.Equal(t, 1, h.traces.SpanCount())
			span := h.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
			assert.Equal(t, traceID, span.TraceID().String())
			assert.Equal(t, spanID, span.ParentSpanID().String())
			format, _ := span.Attributes().Get("kafkalink.trace_context.format")
			assert.Equal(t, tc.format, format.Str())
			rec := h.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
			assert.Equal(t, span.SpanID(), rec.SpanID())
			assert.True(t, rec.Flags().IsSampled())
		})
	}
}

func TestPropagatorsLimitWhatIsRead(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Propagators = []tracecontext.Format{tracecontext.FormatW3C} })
	headers := kafkaHeaders()
	delete(headers, "traceparent")
	headers["b3"] = "4bf92f3577b34da6a3ce929d0e0e4736-a1b2c3d4e5f60718-1"
	h.consume(t, headers, 1)
	assert.Zero(t, h.traces.SpanCount(), "b3 is not listed: the record is not linked")
}

func TestInvalidB3FallsBackToAValidTraceparent(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Propagators = []tracecontext.Format{tracecontext.FormatB3, tracecontext.FormatW3C}
	})
	headers := kafkaHeaders()
	headers["b3"] = "junk"
	h.consume(t, headers, 1)
	require.Equal(t, 1, h.traces.SpanCount())
	span := h.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.Equal(t, "a1b2c3d4e5f60718", span.ParentSpanID().String())
	_, hasFormat := span.Attributes().Get("kafkalink.trace_context.format")
	assert.False(t, hasFormat, "W3C is the default, not recorded")
}
