package kafkalinkconnector // import "github.com/otelcol-events/otelcol-events/components/kafkalinkconnector"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"

	"github.com/otelcol-events/otelcol-events/components/kafkalinkconnector/internal/metadata"
	"github.com/otelcol-events/otelcol-events/components/tracecontext"
)

// NewFactory creates the kafkalink connector factory.
//
// Used as an exporter in a logs pipeline and as a receiver in a logs and a
// traces pipeline, the collector makes two instances that both see every
// Kafka record: logs-to-logs stamps its log records with the consumer span,
// logs-to-traces emits that span. They agree without sharing state because
// the span's ids are derived from the record's Kafka coordinates (topic,
// partition, offset) and the producer's trace: the same batch always gets
// the same span, also when Kafka redelivers it.
func NewFactory() connector.Factory {
	return connector.NewFactory(
		metadata.Type,
		createDefaultConfig,
		connector.WithLogsToLogs(createLogsToLogs, metadata.LogsToLogsStability),
		connector.WithLogsToTraces(createLogsToTraces, metadata.LogsToTracesStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		Mode:           modeParent,
		TraceParentKey: "traceparent",
		TraceStateKey:  "tracestate",
		StartTimeKey:   "event.handed_off_at",
		Propagators:    tracecontext.DefaultFormats(),
	}
}

func createLogsToLogs(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Logs) (connector.Logs, error) {
	l, err := newLinker(cfg.(*Config), set, "logs")
	if err != nil {
		return nil, err
	}
	return &logsToLogs{linker: l, next: next}, nil
}

func createLogsToTraces(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Traces) (connector.Logs, error) {
	l, err := newLinker(cfg.(*Config), set, "traces")
	if err != nil {
		return nil, err
	}
	return &logsToTraces{linker: l, next: next}, nil
}
