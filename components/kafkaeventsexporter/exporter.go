package kafkaeventsexporter // import "github.com/otelcol-events/otelcol-events/components/kafkaeventsexporter"

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kzap"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/otelcol-events/otelcol-events/components/kafkaeventsexporter/internal/metadata"
)

// eventsExporter produces each request as one record and waits for it.
type eventsExporter struct {
	cfg       *Config
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	marshaler plog.Marshaler
	company   *company
	client    *kgo.Client
}

func newEventsExporter(cfg *Config, set component.TelemetrySettings) (*eventsExporter, error) {
	tb, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	var marshaler plog.Marshaler = &plog.ProtoMarshaler{}
	if cfg.Encoding == encodingJSON {
		marshaler = &plog.JSONMarshaler{}
	}
	return &eventsExporter{
		cfg: cfg, logger: set.Logger, telemetry: tb, marshaler: marshaler,
		company: newCompany(cfg.Producer.Linger),
	}, nil
}

func (e *eventsExporter) start(ctx context.Context, _ component.Host) error {
	opts, err := clientOptions(ctx, e.cfg)
	if err != nil {
		return err
	}
	opts = append(opts, kgo.WithHooks(batchHook{e.telemetry}), kgo.WithLogger(kzap.New(e.logger.Named("franz"))))
	// The client connects lazily: a broker that is away now fails the
	// first requests (retried), not the start.
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	e.client = cl
	return nil
}

func (e *eventsExporter) shutdown(ctx context.Context) error {
	if e.client != nil {
		// Records still lingering go out now rather than fail, within one
		// attempt's timeout (Kafka may be away); Close then fails whatever
		// the flush did not send, so no caller is left waiting on a promise.
		flushCtx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
		defer cancel()
		if err := e.client.Flush(flushCtx); err != nil {
			e.logger.Warn("Records still buffered at shutdown fail unsent", zap.Error(err))
		}
		e.client.Close()
		e.client = nil // a second Shutdown has nothing to flush
	}
	e.telemetry.Shutdown()
	return nil
}

// pushLogs produces the request as one record and returns once Kafka
// acknowledged it (or refused it). Unless company says enough requests
// wait already, the record waits in the partition's linger (franz-go's
// ProduceSync would end it), so records of concurrent requests share a
// produce request.
func (e *eventsExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	if ld.LogRecordCount() == 0 {
		return nil
	}
	value, err := e.marshaler.MarshalLogs(ld)
	if err != nil {
		return consumererror.NewPermanent(fmt.Errorf("marshal logs: %w", err))
	}
	rec := e.record(ctx, value)
	sendNow, joined := e.company.join()
	defer e.company.leave(sendNow, joined)
	if sendNow {
		// ProduceSync ends the linger of the record's partition: the
		// records waiting there go in the same produce request.
		return classify(rec.Topic, e.client.ProduceSync(ctx, rec).FirstErr())
	}
	done := make(chan error, 1)
	e.client.Produce(ctx, rec, func(_ *kgo.Record, err error) { done <- err })
	return classify(rec.Topic, <-done)
}

// record builds the request's record: topic, key and headers from its
// client metadata.
func (e *eventsExporter) record(ctx context.Context, value []byte) *kgo.Record {
	info := client.FromContext(ctx)
	rec := &kgo.Record{Topic: e.cfg.Topic, Value: value}
	if k := e.cfg.TopicFromMetadataKey; k != "" {
		if v := info.Metadata.Get(k); len(v) > 0 && v[0] != "" {
			rec.Topic = v[0]
		}
	}
	if k := e.cfg.MessageKeyFromMetadataKey; k != "" {
		if v := info.Metadata.Get(k); len(v) > 0 && v[0] != "" {
			rec.Key = []byte(v[0])
		}
	}
	for _, k := range e.cfg.IncludeMetadataKeys {
		for _, v := range info.Metadata.Get(k) {
			rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: k, Value: []byte(v)})
		}
	}
	return rec
}

// classify makes a refusal Kafka will repeat permanent (the caller is told
// at once: a record over producer::max_message_bytes fails with
// MESSAGE_TOO_LARGE), and leaves the rest to the retry.
func classify(topic string, err error) error {
	if err == nil {
		return nil
	}
	err = fmt.Errorf("produce to topic %q: %w", topic, err)
	var kafkaErr *kerr.Error
	if errors.As(err, &kafkaErr) && !kafkaErr.Retriable {
		return consumererror.NewPermanent(err)
	}
	return err
}

// batchHook counts the records of each batch the producer wrote.
type batchHook struct{ telemetry *metadata.TelemetryBuilder }

func (h batchHook) OnProduceBatchWritten(_ kgo.BrokerMetadata, _ string, _ int32, m kgo.ProduceBatchMetrics) {
	h.telemetry.ExporterKafkaeventsBatchRecords.Record(context.Background(), int64(m.NumRecords))
}
