package otlplogsextension

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-events/otelcol-events/components/otlplogsextension/internal/metadatatest"
)

// startEncoding creates the extension through its factory, as the
// collector does, and returns it as the kafka receiver sees it.
func startEncoding(t *testing.T, cfg *Config, tel *componenttest.Telemetry) plog.Unmarshaler {
	t.Helper()
	ext, err := NewFactory().Create(context.Background(), metadatatest.NewSettings(tel), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })
	u, ok := ext.(plog.Unmarshaler)
	require.True(t, ok, "the kafka receiver takes an encoding extension that is a plog.Unmarshaler")
	return u
}

// TestMessagesLeftToPdataCounted: a well-formed message is not counted,
// one left to pdata is, refused or not.
func TestMessagesLeftToPdataCounted(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	u := startEncoding(t, &Config{Protocol: protocolProto}, tel)

	_, err := u.UnmarshalLogs(marshal(t, everyValueKind()))
	require.NoError(t, err)
	_, err = u.UnmarshalLogs([]byte{0x0a, 0x7f}) // a length past the end
	require.Error(t, err)
	_, err = u.UnmarshalLogs(inRecord(message(message(nil, recordAttributes, stringAttribute("k", "1")), recordAttributes, stringAttribute("k", "2"))))
	require.NoError(t, err, "pdata decodes a duplicate key")

	metadatatest.AssertEqualOtlplogsMessagesLeftToPdata(t, tel, []metricdata.DataPoint[int64]{{Value: 2}}, metricdatatest.IgnoreTimestamp())
}

// TestJSONProtocol: otlp_json is pdata's JSON unmarshaler, unchanged.
func TestJSONProtocol(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	u := startEncoding(t, &Config{Protocol: protocolJSON}, tel)
	want := everyValueKind()
	buf, err := (&plog.JSONMarshaler{}).MarshalLogs(want)
	require.NoError(t, err)
	got, err := u.UnmarshalLogs(buf)
	require.NoError(t, err)
	assert.Equal(t, marshal(t, want), marshal(t, got))
	_, err = u.UnmarshalLogs(marshal(t, want))
	require.Error(t, err, "protobuf is not JSON")
}
