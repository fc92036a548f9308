package kafkalinkconnector

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-events/otelcol-events/components/kafkalinkconnector/internal/metadata"
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

	cfg, err = loadConfig(t, "link")
	require.NoError(t, err)
	assert.Equal(t, "link", cfg.Mode)
	assert.Equal(t, "x-traceparent", cfg.TraceParentKey)
	assert.Empty(t, cfg.TraceStateKey)
	assert.Equal(t, "produced_at", cfg.StartTimeKey)
	assert.Equal(t, "gateway", cfg.ConsumerGroup)

	_, err = loadConfig(t, "bad_mode")
	require.ErrorContains(t, err, `mode must be "parent" or "link", got "sibling"`)
	_, err = loadConfig(t, "no_key")
	require.ErrorContains(t, err, "traceparent_key must not be empty")
}
