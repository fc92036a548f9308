package clickhouselogsexporter // import "github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exporterhelper/xexporterhelper"

	"github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter/internal/metadata"
)

// NewFactory creates the clickhouselogs exporter factory.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(
		metadata.Type,
		createDefaultConfig,
		exporter.WithLogs(createLogsExporter, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		Endpoint:      "tcp://127.0.0.1:9000",
		Username:      "default",
		Database:      "otel",
		Table:         "otel_logs",
		Compression:   "lz4",
		AsyncInsert:   true,
		DialTimeout:   5 * time.Second,
		TLS:           configtls.ClientConfig{Insecure: true},
		TimeoutConfig: exporterhelper.NewDefaultTimeoutConfig(),
		BackOffConfig: configretry.NewDefaultBackOffConfig(),
		QueueConfig:   configoptional.Some(exporterhelper.NewDefaultQueueConfig()),
	}
}

func createLogsExporter(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	c := cfg.(*Config)
	e, err := newLogsExporter(c, set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	exp, err := xexporterhelper.NewLogsRequest(ctx, set, newLogsRequest, e.pushRequest,
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown),
		exporterhelper.WithTimeout(c.TimeoutConfig),
		exporterhelper.WithRetry(c.BackOffConfig),
		xexporterhelper.WithQueueBatch(c.QueueConfig, xexporterhelper.QueueBatchSettings{
			Encoding: queueEncoding{}, ReferenceCounter: queueReferences{},
		}),
	)
	if err != nil {
		return nil, err
	}
	return logsReader{exp}, nil
}

// logsReader is the exporter as the pipeline sees it: one that reads the
// logs it is given and changes nothing. The exporter helper declares every
// exporter with a batcher mutating, because its own logs request merges
// batches by moving records; logsRequest only references them, so the
// fan-out in front of this exporter need not copy what it shares with
// other consumers (TestSharedLogsAreNotCopied).
type logsReader struct{ exporter.Logs }

func (logsReader) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}
