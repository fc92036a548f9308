package otlplogsextension // import "github.com/otelcol-events/otelcol-events/components/otlplogsextension"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/otelcol-events/otelcol-events/components/otlplogsextension/internal/metadata"
)

// NewFactory creates the otlplogs extension factory.
func NewFactory() extension.Factory {
	return extension.NewFactory(metadata.Type, createDefaultConfig, createExtension, metadata.ExtensionStability)
}

func createDefaultConfig() component.Config {
	return &Config{Protocol: protocolProto}
}

func createExtension(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	telemetry, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return newLogsEncoding(cfg.(*Config).Protocol, telemetry), nil
}
