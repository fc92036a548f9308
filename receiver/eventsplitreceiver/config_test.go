package eventsplitreceiver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-events/otelcol-events/components/tracecontext"
	"github.com/otelcol-events/otelcol-events/internal/componentconfigtest"
	"github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver/internal/metadata"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cfg, err := componentconfigtest.Load(t, NewFactory(), component.NewIDWithName(metadata.Type, name))
	return cfg.(*Config), err
}

func TestLoadConfigDefault(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.Equal(t, createDefaultConfig(), cfg)
	assert.Equal(t, "localhost:8080", cfg.ServerConfig.NetAddr.Endpoint)
	assert.Equal(t, "/v1/events", cfg.Path)
	assert.Equal(t, int64(4<<20), cfg.ServerConfig.MaxRequestBodySize)
	assert.Equal(t, 1000, cfg.Limits.MaxEvents)
	assert.Equal(t, time.Hour, cfg.MaxFutureSkew)
	assert.Equal(t, 7*24*time.Hour, cfg.MaxAge)
	assert.Equal(t, "json", cfg.Body)
	assert.Equal(t, "event", cfg.ClientAddress, "client.address on each event, as semantic conventions put it")
	assert.Equal(t, "events.{category}", cfg.Metadata.TopicTemplate)
	assert.Empty(t, cfg.Metadata.TopicCategories, "by default every category has its own topic")
	assert.Equal(t, "events.other", cfg.Metadata.SharedTopic)
	assert.Equal(t, tracecontext.DefaultFormats(), cfg.Propagators)
	assert.Empty(t, cfg.Metadata.B3, "B3 and uber-trace-id headers are opt-in")
}

func TestLoadConfigCustom(t *testing.T) {
	cfg, err := loadConfig(t, "custom")
	require.NoError(t, err)
	assert.Equal(t, "0.0.0.0:9090", cfg.ServerConfig.NetAddr.Endpoint)
	assert.Equal(t, "/collect", cfg.Path)
	assert.Equal(t, int64(1<<20), cfg.ServerConfig.MaxRequestBodySize)
	assert.Equal(t, []string{"gzip", "zstd"}, cfg.ServerConfig.CompressionAlgorithms)
	assert.Equal(t, []string{"https://app.example.com"}, cfg.ServerConfig.CORS.Get().AllowedOrigins)
	assert.Equal(t, LimitsConfig{
		MaxEvents: 200, MaxAttributes: 16, MaxMetaKeys: 4, MaxIDLength: 64, MaxNameLength: 64,
		MaxKeyLength: 32, MaxValueLength: 256, MaxPayloadBytes: 8192, MaxDepth: 10,
	}, cfg.Limits)
	assert.Equal(t, 5*time.Minute, cfg.MaxFutureSkew)
	assert.Equal(t, 24*time.Hour, cfg.MaxAge)
	assert.Equal(t, []string{"10.0.0.0/8", "192.168.1.1"}, cfg.TrustedProxies)
	assert.Equal(t, "structured", cfg.Body)
	assert.True(t, cfg.EventNameAttribute)
	assert.Equal(t, "resource", cfg.ClientAddress)
	assert.Equal(t, 30*time.Second, cfg.RetryAfter)
	assert.Equal(t, 10*time.Second, cfg.ShutdownTimeout)
	assert.Equal(t, 262144, cfg.MaxBatchBytes)
	assert.Equal(t, []tracecontext.Format{tracecontext.FormatB3, tracecontext.FormatW3C}, cfg.Propagators)
	assert.Equal(t, "x-traceparent", cfg.Metadata.TraceParent)
	assert.Equal(t, "b3", cfg.Metadata.B3)
	assert.Equal(t, "uber-trace-id", cfg.Metadata.UberTraceID)
	assert.Equal(t, "tracestate", cfg.Metadata.TraceState, "unset keys keep their defaults")
	assert.Equal(t, "kafka_topic", cfg.Metadata.Topic)
	assert.Equal(t, "client-events.{category}.v1", cfg.Metadata.TopicTemplate)
	assert.Equal(t, []string{"crash", "page_view"}, cfg.Metadata.TopicCategories)
	assert.Equal(t, "client-events.misc.v1", cfg.Metadata.SharedTopic)
	assert.Empty(t, cfg.Metadata.PartitionKey, "an empty key turns the entry off")
}

func TestLoadConfigInvalid(t *testing.T) {
	for name, want := range map[string]string{
		"bad_path":             `path "v1/events" must be an absolute, clean URL path`,
		"bad_limits":           "limits::max_events must be positive, got 0",
		"bad_body":             `body must be "json" or "structured", got "xml"`,
		"bad_client_address":   `client_address must be "event" or "resource", got "request"`,
		"bad_proxy":            `trusted_proxies: "not-an-ip" is not an address or CIDR range`,
		"bad_topic_template":   `metadata::topic_template "events" must contain {category}`,
		"bad_retry_after":      "retry_after must be at least 1s",
		"bad_shutdown_timeout": "shutdown_timeout must be positive",
		"bad_max_batch_bytes":  "max_batch_bytes must not be negative",
		"bad_propagators":      `propagators: unknown trace context format "xray"`,
		"bad_topic_categories": `metadata::topic_categories: "crash" is listed twice`,
		"bad_shared_topic":     "metadata::shared_topic must be set when metadata::topic_categories is",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(t, name)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
	_, err := loadConfig(t, "bad_limits")
	assert.Contains(t, err.Error(), "limits::max_depth must be between 4 and 128, got 1000")
	_, err = loadConfig(t, "bad_topic_categories")
	assert.Contains(t, err.Error(), `"has space" must match`)
	assert.Contains(t, err.Error(), `the topic of "other" is metadata::shared_topic "events.other"`)
}
