package kafkalinkconnector

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-events/otelcol-events/components/kafkalinkconnector/internal/metadata"
)

// BenchmarkConnector: the cost kafkalink adds per consumed batch and per
// log record (both instances: stamping the records, building the span),
// against a pass-through connector that only forwards, in the same run.
// Batches of 100 records are what otlp_proto carries per upload; batches
// of 1 what the per-event JSON encoding carries.
//
//	go test -run '^$' -bench BenchmarkConnector -benchmem ./components/kafkalinkconnector/
func BenchmarkConnector(b *testing.B) {
	for _, records := range []int{1, 100} {
		ld := plog.NewLogs()
		recs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
		for i := 0; i < records; i++ {
			r := recs.AppendEmpty()
			r.Body().SetStr(`{"duration_ms":1234}`)
			r.Attributes().PutStr("event.id", strconv.Itoa(i))
		}
		md := map[string][]string{
			"traceparent": {producerTP}, "tracestate": {producerTS},
			"event.handed_off_at": {strconv.FormatInt(time.Now().UnixNano(), 10)},
			"kafka.topic":         {"events.checkout"}, "kafka.partition": {"2"}, "kafka.offset": {"41"},
		}
		ctx := client.NewContext(context.Background(), client.Info{Metadata: client.NewMetadata(md)})

		b.Run(fmt.Sprintf("records=%d/impl=passthrough", records), func(b *testing.B) {
			next := consumertest.NewNop()
			forward, err := consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error { return next.ConsumeLogs(ctx, ld) })
			require.NoError(b, err)
			run(b, records, func() error { return forward.ConsumeLogs(ctx, ld) })
		})
		b.Run(fmt.Sprintf("records=%d/impl=kafkalink", records), func(b *testing.B) {
			set := connectortest.NewNopSettings(metadata.Type)
			cfg := createDefaultConfig().(*Config)
			l2l, err := createLogsToLogs(context.Background(), set, cfg, consumertest.NewNop())
			require.NoError(b, err)
			l2t, err := createLogsToTraces(context.Background(), set, cfg, consumertest.NewNop())
			require.NoError(b, err)
			run(b, records, func() error {
				if err := l2l.ConsumeLogs(ctx, ld); err != nil {
					return err
				}
				return l2t.ConsumeLogs(ctx, ld)
			})
		})
	}
}

func run(b *testing.B, records int, consume func() error) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := consume(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*records), "ns/record")
}
