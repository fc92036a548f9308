package kafkalinkconnector

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/ptracetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-events/otelcol-events/components/kafkalinkconnector/internal/metadata"
	"github.com/otelcol-events/otelcol-events/components/kafkalinkconnector/internal/metadatatest"
)

const (
	producerTP = "00-4bf92f3577b34da6a3ce929d0e0e4736-a1b2c3d4e5f60718-01"
	producerTS = "rojo=00f067aa0ba902b7"
)

var consumedAt = time.Date(2026, 11, 21, 12, 0, 5, 0, time.UTC)

// harness is a logs-to-logs and a logs-to-traces instance of one config, as
// the collector makes them.
type harness struct {
	logs   *consumertest.LogsSink
	traces *consumertest.TracesSink
	l2l    *logsToLogs
	l2t    *logsToTraces
	tel    *componenttest.Telemetry
}

func newHarness(t *testing.T, mutate func(*Config)) *harness {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.ConsumerGroup = "gateway"
	if mutate != nil {
		mutate(cfg)
	}
	require.NoError(t, cfg.Validate())
	h := &harness{logs: new(consumertest.LogsSink), traces: new(consumertest.TracesSink), tel: componenttest.NewTelemetry()}
	t.Cleanup(func() { require.NoError(t, h.tel.Shutdown(context.Background())) })
	set := connectortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = h.tel.NewTelemetrySettings()
	set.BuildInfo.Version = "test"
	f := NewFactory()
	l2l, err := f.CreateLogsToLogs(context.Background(), set, cfg, h.logs)
	require.NoError(t, err)
	l2t, err := f.CreateLogsToTraces(context.Background(), set, cfg, h.traces)
	require.NoError(t, err)
	h.l2l, h.l2t = l2l.(*logsToLogs), l2t.(*logsToTraces)
	h.l2l.now = func() time.Time { return consumedAt }
	h.l2t.now = func() time.Time { return consumedAt }
	t.Cleanup(func() {
		require.NoError(t, l2l.Shutdown(context.Background()))
		require.NoError(t, l2t.Shutdown(context.Background()))
	})
	return h
}

// consume runs a batch through both instances with the given record
// headers, as the kafka receiver passes them.
func (h *harness) consume(t *testing.T, headers map[string]string, records int) {
	t.Helper()
	md := map[string][]string{}
	for k, v := range headers {
		md[k] = []string{v}
	}
	ctx := client.NewContext(context.Background(), client.Info{Metadata: client.NewMetadata(md)})
	ld := plog.NewLogs()
	recs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := 0; i < records; i++ {
		r := recs.AppendEmpty()
		r.Body().SetStr("event " + strconv.Itoa(i))
		// As the eventsplit receiver sent them: in the ingest span.
		r.SetTraceID(pcommon.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36})
		r.SetSpanID(pcommon.SpanID{0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18})
	}
	require.NoError(t, h.l2l.ConsumeLogs(ctx, ld))
	require.NoError(t, h.l2t.ConsumeLogs(ctx, ld))
}

func kafkaHeaders() map[string]string {
	return map[string]string{
		"traceparent":         producerTP,
		"tracestate":          producerTS,
		"event.handed_off_at": strconv.FormatInt(consumedAt.Add(-1500*time.Millisecond).UnixNano(), 10),
		"kafka.topic":         "events.checkout",
		"kafka.partition":     "2",
		"kafka.offset":        "41",
	}
}

func TestParentModeGolden(t *testing.T) {
	h := newHarness(t, nil)
	h.consume(t, kafkaHeaders(), 3)

	require.Equal(t, 1, h.traces.SpanCount())
	td := h.traces.AllTraces()[0]
	path := filepath.Join("testdata", "consumer_span_parent.yaml")
	if updateGolden() {
		require.NoError(t, golden.WriteTracesToFile(path, td))
	}
	want, err := golden.ReadTraces(path)
	require.NoError(t, err)
	require.NoError(t, ptracetest.CompareTraces(want, td))

	span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", span.TraceID().String(), "same trace as the producer")
	assert.Equal(t, "a1b2c3d4e5f60718", span.ParentSpanID().String(), "child of the producing (ingest) span")
	assert.Equal(t, ptrace.SpanKindConsumer, span.Kind())
	assert.Equal(t, "events.checkout process", span.Name())
	assert.Equal(t, 1500*time.Millisecond, span.EndTimestamp().AsTime().Sub(span.StartTimestamp().AsTime()),
		"starts when the producer handed the batch over: queue and Kafka time is visible")

	// Every passed-on record carries the consumer span.
	recs := h.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	require.Equal(t, 3, recs.Len())
	for i := 0; i < recs.Len(); i++ {
		assert.Equal(t, span.TraceID(), recs.At(i).TraceID())
		assert.Equal(t, span.SpanID(), recs.At(i).SpanID())
		assert.True(t, recs.At(i).Flags().IsSampled())
	}
}

func TestLinkMode(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Mode = modeLink })
	h.consume(t, kafkaHeaders(), 1)
	span := h.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.NotEqual(t, "4bf92f3577b34da6a3ce929d0e0e4736", span.TraceID().String(), "a trace of its own")
	assert.True(t, span.ParentSpanID().IsEmpty())
	require.Equal(t, 1, span.Links().Len())
	link := span.Links().At(0)
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", link.TraceID().String())
	assert.Equal(t, "a1b2c3d4e5f60718", link.SpanID().String())
	assert.Equal(t, producerTS, link.TraceState().AsRaw())
	rec := h.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, span.TraceID(), rec.TraceID())
	assert.Equal(t, span.SpanID(), rec.SpanID())
}

// The same record consumed again (Kafka redelivery) gets the same span;
// another offset or consumer group gets another.
func TestSpanIDsAreDeterministic(t *testing.T) {
	id := func(headers map[string]string, group string) string {
		h := newHarness(t, func(c *Config) { c.ConsumerGroup = group })
		h.consume(t, headers, 1)
		return h.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SpanID().String()
	}
	a := id(kafkaHeaders(), "gateway")
	assert.Equal(t, a, id(kafkaHeaders(), "gateway"))
	other := kafkaHeaders()
	other["kafka.offset"] = "42"
	assert.NotEqual(t, a, id(other, "gateway"))
	assert.NotEqual(t, a, id(kafkaHeaders(), "archive"))
}

func TestUnlinkableRecordsPassThroughUnchanged(t *testing.T) {
	cases := map[string]struct {
		mutate func(map[string]string)
		result string
	}{
		"no traceparent": {func(m map[string]string) { delete(m, "traceparent") }, "missing_header"},
		"version ff":     {func(m map[string]string) { m["traceparent"] = "ff" + producerTP[2:] }, "invalid_header"},
		"zero trace id": {func(m map[string]string) {
			m["traceparent"] = "00-00000000000000000000000000000000-a1b2c3d4e5f60718-01"
		}, "invalid_header"},
		"garbage":            {func(m map[string]string) { m["traceparent"] = "hello" }, "invalid_header"},
		"not from kafka":     {func(m map[string]string) { delete(m, "kafka.offset") }, "missing_kafka_metadata"},
		"non-numeric offset": {func(m map[string]string) { m["kafka.offset"] = "x" }, "missing_kafka_metadata"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, nil)
			headers := kafkaHeaders()
			tc.mutate(headers)
			h.consume(t, headers, 2)
			assert.Zero(t, h.traces.SpanCount(), "no span")
			require.Equal(t, 2, h.logs.LogRecordCount(), "the records are passed on")
			rec := h.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
			assert.Equal(t, "a1b2c3d4e5f60718", rec.SpanID().String(), "unchanged")
			metadatatest.AssertEqualConnectorKafkalinkKafkaRecords(t, h.tel, []metricdata.DataPoint[int64]{
				{Value: 1, Attributes: attribute.NewSet(attribute.String("output", "logs"), attribute.String("result", tc.result))},
				{Value: 1, Attributes: attribute.NewSet(attribute.String("output", "traces"), attribute.String("result", tc.result))},
			}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
		})
	}
}

func TestStartTimeHeader(t *testing.T) {
	for name, tc := range map[string]struct {
		value string
		want  time.Duration
	}{
		"missing":     {"", 0},
		"garbage":     {"soon", 0},
		"in future":   {strconv.FormatInt(consumedAt.Add(time.Hour).UnixNano(), 10), 0},
		"small skew":  {strconv.FormatInt(consumedAt.Add(30*time.Second).UnixNano(), 10), 0},
		"queued long": {strconv.FormatInt(consumedAt.Add(-10*time.Minute).UnixNano(), 10), 10 * time.Minute},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, nil)
			headers := kafkaHeaders()
			headers["event.handed_off_at"] = tc.value
			h.consume(t, headers, 1)
			span := h.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
			assert.Equal(t, tc.want, span.EndTimestamp().AsTime().Sub(span.StartTimestamp().AsTime()))
		})
	}
}

func TestTelemetry(t *testing.T) {
	h := newHarness(t, nil)
	h.consume(t, kafkaHeaders(), 1)
	h.consume(t, kafkaHeaders(), 1)
	noHeader := kafkaHeaders()
	delete(noHeader, "traceparent")
	h.consume(t, noHeader, 1)
	records := func(output, result string, n int64) metricdata.DataPoint[int64] {
		return metricdata.DataPoint[int64]{Value: n, Attributes: attribute.NewSet(attribute.String("output", output), attribute.String("result", result))}
	}
	metadatatest.AssertEqualConnectorKafkalinkKafkaRecords(t, h.tel, []metricdata.DataPoint[int64]{
		records("logs", "linked", 2), records("logs", "missing_header", 1),
		records("traces", "linked", 2), records("traces", "missing_header", 1),
	}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
	metadatatest.AssertEqualConnectorKafkalinkLogRecordsStamped(t, h.tel, []metricdata.DataPoint[int64]{{Value: 2}},
		metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
	metadatatest.AssertEqualConnectorKafkalinkConsumerSpans(t, h.tel, []metricdata.DataPoint[int64]{{Value: 2}},
		metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
	m, err := h.tel.GetMetric("otelcol_connector_kafkalink_queue_time")
	require.NoError(t, err)
	hist := m.Data.(metricdata.Histogram[float64])
	require.Len(t, hist.DataPoints, 2, "one series per output")
	for _, dp := range hist.DataPoints {
		assert.Equal(t, uint64(2), dp.Count)
		assert.InDelta(t, 3.0, dp.Sum, 1e-9)
	}
}

func updateGolden() bool { return os.Getenv("UPDATE_GOLDEN") != "" }
