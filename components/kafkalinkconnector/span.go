package kafkalinkconnector // import "github.com/otelcol-events/otelcol-events/components/kafkalinkconnector"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-events/otelcol-events/components/kafkalinkconnector/internal/metadata"
	"github.com/otelcol-events/otelcol-events/components/tracecontext"
)

// consumerSpan builds the CONSUMER span of a record, following the
// messaging semantic conventions.
func (l *linker) consumerSpan(c consumption, records int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	l.settings.Resource.CopyTo(rs.Resource())
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName(metadata.ScopeName)
	ss.Scope().SetVersion(l.settings.BuildInfo.Version)
	span := ss.Spans().AppendEmpty()
	span.SetTraceID(c.traceID)
	span.SetSpanID(c.spanID)
	span.SetFlags(uint32(c.producer.Flags & (tracecontext.FlagSampled | tracecontext.FlagRandom)))
	traceState := ""
	if c.producer.TraceState.Len() > 0 {
		traceState = c.producer.TraceState.String()
	}
	if l.cfg.Mode == modeLink {
		link := span.Links().AppendEmpty()
		link.SetTraceID(c.producer.TraceID)
		link.SetSpanID(c.producer.SpanID)
		link.TraceState().FromRaw(traceState)
	} else {
		span.SetParentSpanID(c.producer.SpanID)
		span.TraceState().FromRaw(traceState)
	}
	span.SetKind(ptrace.SpanKindConsumer)
	span.SetName(c.topic + " process")
	end := l.now()
	start := c.start
	if start.IsZero() || start.After(end) {
		start = end
	}
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	span.SetEndTimestamp(pcommon.NewTimestampFromTime(end))
	attrs := span.Attributes()
	attrs.EnsureCapacity(9)
	attrs.PutStr("messaging.system", "kafka")
	attrs.PutStr("messaging.operation.type", "process")
	attrs.PutStr("messaging.operation.name", "process")
	attrs.PutStr("messaging.destination.name", c.topic)
	attrs.PutStr("messaging.destination.partition.id", c.partition)
	attrs.PutInt("messaging.kafka.offset", c.offset)
	attrs.PutInt("messaging.batch.message_count", int64(records))
	if l.cfg.ConsumerGroup != "" {
		attrs.PutStr("messaging.consumer.group.name", l.cfg.ConsumerGroup)
	}
	if c.producer.Format != tracecontext.FormatW3C {
		// The producer's context came as B3 or uber-trace-id.
		attrs.PutStr("kafkalink.trace_context.format", string(c.producer.Format))
	}
	return td
}
