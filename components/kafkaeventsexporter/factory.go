package kafkaeventsexporter // import "github.com/otelcol-events/otelcol-events/components/kafkaeventsexporter"

import (
	"context"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/kafka/configkafka"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/otelcol-events/otelcol-events/components/kafkaeventsexporter/internal/metadata"
)

// NewFactory creates the kafkaevents exporter factory.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(
		metadata.Type,
		createDefaultConfig,
		exporter.WithLogs(createLogsExporter, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		TimeoutConfig: exporterhelper.NewDefaultTimeoutConfig(),
		ClientConfig:  configkafka.NewDefaultClientConfig(),
		Producer:      configkafka.NewDefaultProducerConfig(),
		Topic:         "otlp_logs",
		Encoding:      encodingProto,
		BackOffConfig: configretry.NewDefaultBackOffConfig(),
	}
}

func createLogsExporter(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	c := cfg.(*Config)
	e, err := newEventsExporter(c, set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	// No sending queue: the caller waits for its record to be in Kafka.
	return exporterhelper.NewLogs(ctx, set, cfg, e.pushLogs,
		// The request is marshaled before push returns; nothing is changed.
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown),
		exporterhelper.WithTimeout(c.TimeoutConfig),
		exporterhelper.WithRetry(c.BackOffConfig),
	)
}
