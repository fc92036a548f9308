package kafkalinkconnector // import "github.com/otelcol-events/otelcol-events/components/kafkalinkconnector"

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/pdata/pcommon"
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

// result of reading a record's metadata.
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

// linker reads the producer's trace context of a consumed Kafka record and
// derives its consumer span. Each output (logs, traces) has its own.
type linker struct {
	cfg       *Config
	settings  connector.Settings
	telemetry *metadata.TelemetryBuilder
	// output is "logs" or "traces", on every measurement.
	output      metric.MeasurementOption
	resultAttrs [numResults]metric.MeasurementOption
	now         func() time.Time
}

func newLinker(cfg *Config, set connector.Settings, output string) (*linker, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	outputAttr := attribute.String("output", output)
	l := &linker{cfg: cfg, settings: set, telemetry: tb, now: time.Now,
		output: metric.WithAttributeSet(attribute.NewSet(outputAttr))}
	for r := range numResults {
		l.resultAttrs[r] = metric.WithAttributeSet(attribute.NewSet(outputAttr, attribute.String("result", r.String())))
	}
	return l, nil
}

// consumption is one consumed record's place in the producer's trace.
type consumption struct {
	producer  tracecontext.Parent
	topic     string
	partition string
	offset    int64
	start     time.Time // zero: no usable start time header
	traceID   pcommon.TraceID
	spanID    pcommon.SpanID
}

// read derives the consumer span of the record in ctx and counts the result.
func (l *linker) read(ctx context.Context) (consumption, result) {
	c, res := l.readMetadata(client.FromContext(ctx).Metadata)
	l.telemetry.ConnectorKafkalinkKafkaRecords.Add(ctx, 1, l.resultAttrs[res])
	if res == resultLinked && !c.start.IsZero() {
		l.telemetry.ConnectorKafkalinkQueueTime.Record(ctx, l.now().Sub(c.start).Seconds(), l.output)
	}
	return c, res
}

func (l *linker) readMetadata(md client.Metadata) (consumption, result) {
	var c consumption
	carrier := metadataCarrier{md: md, traceParentKey: l.cfg.TraceParentKey, traceStateKey: l.cfg.TraceStateKey}
	c.producer = tracecontext.ExtractParent(carrier, l.cfg.Propagators)
	switch {
	case len(c.producer.Invalid) > 0 && !c.producer.Found():
		return c, resultInvalidHeader
	case !c.producer.Found():
		return c, resultMissingHeader
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
	c.traceID, c.spanID = l.consumerIDs(c)
	return c, resultLinked
}

// consumerIDs derive the consumer span's ids from what identifies the
// consumption: the producer's span, the record's coordinates and the
// consumer group. Both outputs (logs and traces) derive the same ids without
// sharing state, and a redelivered record gets the same span again. SHA-256
// rather than a random source for that reason; nothing secret depends on it.
func (l *linker) consumerIDs(c consumption) (pcommon.TraceID, pcommon.SpanID) {
	buf := make([]byte, 0, 128) // stays on the stack for usual topic names
	buf = append(buf, c.producer.TraceID[:]...)
	buf = append(buf, c.producer.SpanID[:]...)
	buf = append(append(buf, c.topic...), 0)
	buf = append(append(buf, c.partition...), 0)
	buf = binary.BigEndian.AppendUint64(buf, uint64(c.offset))
	buf = append(buf, l.cfg.ConsumerGroup...)
	sum := sha256.Sum256(buf)

	var spanID pcommon.SpanID
	copy(spanID[:], sum[:8])
	if spanID == (pcommon.SpanID{}) {
		spanID[7] = 1
	}
	traceID := pcommon.TraceID(c.producer.TraceID)
	if l.cfg.Mode == modeLink {
		copy(traceID[:], sum[8:24])
	}
	return traceID, spanID
}

// metadataCarrier reads a record's headers, which the kafka receiver puts in
// the client metadata, under the configured names for the W3C headers.
type metadataCarrier struct {
	md                            client.Metadata
	traceParentKey, traceStateKey string
}

func (m metadataCarrier) Values(key string) []string {
	switch strings.ToLower(key) {
	case tracecontext.HeaderTraceParent:
		key = m.traceParentKey
	case tracecontext.HeaderTraceState:
		if m.traceStateKey == "" {
			return nil
		}
		key = m.traceStateKey
	}
	return m.md.Get(key)
}

func (m metadataCarrier) Get(key string) string { return first(m.Values(key)) }
func (metadataCarrier) Set(string, string)      {}

// Keys is only used for baggage, which the connector does not read.
func (metadataCarrier) Keys() []string { return nil }

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
