package clickhouselogsexporter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter/internal/metadata"
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
	address, err := cfg.address()
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9000", address)

	cfg, err = loadConfig(t, "full")
	require.NoError(t, err)
	address, err = cfg.address()
	require.NoError(t, err)
	assert.Equal(t, "clickhouse.example:9440", address)
	assert.Equal(t, "writer", cfg.Username)
	assert.Equal(t, "secret", string(cfg.Password))
	assert.Equal(t, "events", cfg.Database)
	assert.Equal(t, "client_events", cfg.Table)
	assert.Equal(t, "zstd", cfg.Compression)
	assert.False(t, cfg.AsyncInsert)
	assert.Equal(t, map[string]string{"materialize_skip_indexes_on_insert": "0"}, cfg.Settings)
	assert.Equal(t, "ZSTD(1)", cfg.ColumnCodec)
	assert.Equal(t, map[string]string{"merge_selector_base": "10", "merge_selector_algorithm": "Simple"}, cfg.TableSettings)
	assert.Equal(t, 2*time.Second, cfg.DialTimeout)
	assert.Equal(t, 30*time.Second, cfg.TimeoutConfig.Timeout)
	assert.False(t, cfg.TLS.Insecure)
	assert.Equal(t, "/etc/ssl/clickhouse-ca.pem", cfg.TLS.CAFile)
	assert.Equal(t, 10*time.Second, cfg.BackOffConfig.MaxElapsedTime)
	require.NotNil(t, cfg.QueueConfig.Get())
	assert.Equal(t, 2, cfg.QueueConfig.Get().NumConsumers)
}

func TestConfigErrors(t *testing.T) {
	for name, want := range map[string]string{
		"http_endpoint":     "scheme must be tcp or clickhouse (the native protocol)",
		"dsn_endpoint":      "give credentials, database and settings as their own keys",
		"no_port":           `endpoint "clickhouse.example" must be host:port`,
		"bad_compression":   `compression must be one of lz4, zstd, none, got "gzip"`,
		"empty_names":       "database must not be empty\ntable must not be empty",
		"no_dial_timeout":   "dial_timeout must be positive",
		"no_timeout":        "timeout must be positive",
		"async_in_settings": "settings: set wait_for_async_insert through async_insert",
		"bad_codec":         `column_codec must be LZ4, LZ4HC(1..12), ZSTD(1..22) or NONE, got "ZSTD"`,
		"codec_injection":   "column_codec must be",
		"batch_in_bytes":    "sending_queue::batch::sizer must be items (rows per insert), got bytes",
		"bad_table_settings": `table_settings: "merge_selector_base = 1, x" is not a setting name (letters, digits and _)` +
			"\ntable_settings: min_bytes_for_wide_part needs a value",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(t, name)
			require.ErrorContains(t, err, want)
		})
	}
}
