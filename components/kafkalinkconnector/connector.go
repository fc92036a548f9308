package kafkalinkconnector // import "github.com/otelcol-events/otelcol-events/components/kafkalinkconnector"

import (
	"context"
	"encoding/binary"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-events/otelcol-events/components/kafkalinkconnector/internal/metadata"
	"github.com/otelcol-events/otelcol-events/components/tracecontext"
)

// Metadata keys the kafka receiver sets for every record.
const (
	keyTopic     = "kafka.topic"
	keyPartition = "kafka.partition"
	keyOffset    = "kafka.offset"
)

// result of reading a batch's metadata.
type result uint8

const (
	resultLinked result = iota
	resultMissingHeader
	resultInvalidHeader
	resultMissingKafka
	numResults
)

func (r result) String() string {
	return [...]string{"linked", "missing_header", "invalid_header", "missing_kafka_metadata"}[r]
}

// maxClockSkew bounds how far in the future a start time header may be
// before it is distrusted (clocks of producer and consumer differ).
const maxClockSkew = time.Minute

// linker reads the producer's trace context of a batch and derives its
// consumer span.
type linker struct {
	cfg         *Config
	settings    connector.Settings
	telemetry   *metadata.TelemetryBuilder
	resultAttrs [numResults]metric.MeasurementOption
	now         func() time.Time
}

func newLinker(cfg *Config, set connector.Settings) (*linker, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	l := &linker{cfg: cfg, settings: set, telemetry: tb, now: time.Now}
	for r := range numResults {
		l.resultAttrs[r] = metric.WithAttributeSet(attribute.NewSet(attribute.String("result", r.String())))
	}
	return l, nil
}

// consumption is one consumed batch's place in the producer's trace.
type consumption struct {
	producer   tracecontext.TraceParent
	traceState string
	topic      string
	partition  string
	offset     int64
	start      time.Time // zero: no usable start time header
	traceID    pcommon.TraceID
	spanID     pcommon.SpanID
}

// read derives the consumer span of the batch in ctx. The tracestate is
// read only when wanted (for the span; the records do not carry it).
func (l *linker) read(ctx context.Context, withState bool) (consumption, result) {
	var c consumption
	md := client.FromContext(ctx).Metadata
	values := md.Get(l.cfg.TraceParentKey)
	if len(values) == 0 {
		return c, resultMissingHeader
	}
	tp, ok, err := tracecontext.ParseTraceParentHeaders(values)
	if err != nil || !ok {
		return c, resultInvalidHeader
	}
	c.producer = tp
	if withState && l.cfg.TraceStateKey != "" {
		if ts := md.Get(l.cfg.TraceStateKey); len(ts) > 0 {
			if state, err := tracecontext.ParseTraceState(ts); err == nil {
				c.traceState = state
			}
		}
	}
	topic, partition, offset := first(md.Get(keyTopic)), first(md.Get(keyPartition)), first(md.Get(keyOffset))
	off, err := strconv.ParseInt(offset, 10, 64)
	if topic == "" || partition == "" || err != nil {
		return c, resultMissingKafka
	}
	c.topic, c.partition, c.offset = topic, partition, off
	if l.cfg.StartTimeKey != "" {
		if ns, err := strconv.ParseInt(first(md.Get(l.cfg.StartTimeKey)), 10, 64); err == nil && ns > 0 {
			if t := time.Unix(0, ns); !t.After(l.now().Add(maxClockSkew)) {
				c.start = t
			}
		}
	}

	// The span's ids come from what identifies this consumption: the
	// producer's span, the record's coordinates and the consumer group
	// (hashed with three seeds for 192 bits).
	// Both connector instances (logs and traces) derive the same ids, and a
	// redelivered record gets the same span again.
	var key [8]byte
	binary.BigEndian.PutUint64(key[:], uint64(off))
	a, b, d := newIDHash(1), newIDHash(2), newIDHash(3)
	for _, part := range [][]byte{tp.TraceID[:], tp.SpanID[:], []byte(topic), {0}, []byte(partition), {0}, key[:], []byte(l.cfg.ConsumerGroup)} {
		a.write(part)
		b.write(part)
		d.write(part)
	}
	binary.BigEndian.PutUint64(c.spanID[:], a.sum())
	if c.spanID == (pcommon.SpanID{}) {
		c.spanID[7] = 1
	}
	if l.cfg.Mode == modeLink {
		binary.BigEndian.PutUint64(c.traceID[:8], b.sum())
		binary.BigEndian.PutUint64(c.traceID[8:], d.sum())
	} else {
		c.traceID = tp.TraceID
	}
	return c, resultLinked
}

// idHash is 64-bit FNV-1a from a seeded offset: ids derived from it are the
// same in every process (unlike maphash), which redelivery needs, and
// nothing secret depends on them.
type idHash uint64

func newIDHash(seed uint64) idHash { return idHash(14695981039346656037 ^ seed*0x9e3779b97f4a7c15) }

func (h *idHash) write(p []byte) {
	for _, c := range p {
		*h ^= idHash(c)
		*h *= 1099511628211
	}
}

// sum finishes with a mix, so nearby inputs (offsets) give unrelated ids.
func (h idHash) sum() uint64 {
	x := uint64(h)
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// logsToLogs stamps the records of a linked batch with its consumer span.
type logsToLogs struct {
	*linker
	next consumer.Logs
}

func (c *logsToLogs) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

func (c *logsToLogs) Start(context.Context, component.Host) error { return nil }

func (c *logsToLogs) Shutdown(context.Context) error {
	c.telemetry.Shutdown()
	return nil
}

// ConsumeLogs passes the batch on, stamped when it is linked, unchanged when
// its header is missing or malformed (counted, never an error).
func (c *logsToLogs) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	cons, res := c.read(ctx, false)
	c.telemetry.ConnectorKafkalinkBatches.Add(ctx, 1, c.resultAttrs[res])
	if res == resultLinked {
		if !cons.start.IsZero() {
			c.telemetry.ConnectorKafkalinkQueueTime.Record(ctx, c.now().Sub(cons.start).Seconds())
		}
		flags := plog.DefaultLogRecordFlags.WithIsSampled(cons.producer.Sampled())
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					lr.SetTraceID(cons.traceID)
					lr.SetSpanID(cons.spanID)
					lr.SetFlags(flags)
				}
			}
		}
	}
	return c.next.ConsumeLogs(ctx, ld)
}

// logsToTraces emits the consumer span of a linked batch.
type logsToTraces struct {
	*linker
	next consumer.Traces
}

func (c *logsToTraces) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

func (c *logsToTraces) Start(context.Context, component.Host) error { return nil }

func (c *logsToTraces) Shutdown(context.Context) error {
	c.telemetry.Shutdown()
	return nil
}

func (c *logsToTraces) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	cons, res := c.read(ctx, true)
	if res != resultLinked {
		return nil
	}
	return c.next.ConsumeTraces(ctx, c.consumerSpan(cons, ld.LogRecordCount()))
}

// consumerSpan builds the CONSUMER span of a batch, following the
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
	if l.cfg.Mode == modeLink {
		link := span.Links().AppendEmpty()
		link.SetTraceID(c.producer.TraceID)
		link.SetSpanID(c.producer.SpanID)
		link.TraceState().FromRaw(c.traceState)
	} else {
		span.SetParentSpanID(c.producer.SpanID)
		span.TraceState().FromRaw(c.traceState)
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
	return td
}
