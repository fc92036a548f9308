package otlplogsextension

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-events/otelcol-events/components/otlplogsextension/internal/metadata"
	"github.com/otelcol-events/otelcol-events/internal/componentconfigtest"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cfg, err := componentconfigtest.Load(t, NewFactory(), component.NewIDWithName(metadata.Type, name))
	return cfg.(*Config), err
}

func TestLoadConfig(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.Equal(t, createDefaultConfig(), cfg)

	cfg, err = loadConfig(t, "json")
	require.NoError(t, err)
	assert.Equal(t, &Config{Protocol: protocolJSON}, cfg)

	_, err = loadConfig(t, "bad_protocol")
	require.ErrorContains(t, err, `protocol must be "otlp_proto" or "otlp_json", got "otlp_avro"`)
}
