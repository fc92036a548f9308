package otlplogsextension // import "github.com/otelcol-events/otelcol-events/components/otlplogsextension"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-events/otelcol-events/components/otlplogsextension/internal/metadata"
)

// logsEncoding is the extension: a plog.Unmarshaler (what the kafka
// receiver looks for in an encoding extension) with nothing to start.
type logsEncoding struct {
	plog.Unmarshaler
	telemetry *metadata.TelemetryBuilder
}

func newLogsEncoding(protocol string, telemetry *metadata.TelemetryBuilder) *logsEncoding {
	e := &logsEncoding{Unmarshaler: &plog.JSONUnmarshaler{}, telemetry: telemetry}
	if protocol == protocolProto {
		e.Unmarshaler = newLogsUnmarshaler(func() {
			telemetry.OtlplogsMessagesLeftToPdata.Add(context.Background(), 1)
		})
	}
	return e
}

func (*logsEncoding) Start(context.Context, component.Host) error { return nil }

func (e *logsEncoding) Shutdown(context.Context) error {
	e.telemetry.Shutdown()
	return nil
}
