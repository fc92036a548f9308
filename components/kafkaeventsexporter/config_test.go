package kafkaeventsexporter

import (
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/kafka/configkafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-events/otelcol-events/components/kafkaeventsexporter/internal/metadata"
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

	cfg, err = loadConfig(t, "full")
	require.NoError(t, err)
	assert.Equal(t, []string{"kafka-0.example:9092", "kafka-1.example:9092"}, cfg.Brokers)
	assert.Equal(t, "agent-1", cfg.ClientID)
	assert.Equal(t, "events.unrouted", cfg.Topic)
	assert.Equal(t, "event.topic", cfg.TopicFromMetadataKey)
	assert.Equal(t, "event.partition_key", cfg.MessageKeyFromMetadataKey)
	assert.Equal(t, []string{"traceparent", "tracestate"}, cfg.IncludeMetadataKeys)
	assert.Equal(t, "otlp_json", cfg.Encoding)
	assert.Equal(t, 5*time.Second, cfg.Timeout)
	assert.Equal(t, configkafka.WaitForAll, cfg.Producer.RequiredAcks)
	assert.Equal(t, "zstd", cfg.Producer.Compression)
	assert.Equal(t, 5*time.Millisecond, cfg.Producer.Linger)
	assert.Equal(t, 5*time.Second, cfg.BackOffConfig.MaxElapsedTime)
	require.NotNil(t, cfg.Authentication.SASL)
	assert.Equal(t, "SCRAM-SHA-512", cfg.Authentication.SASL.Mechanism)
}

func TestConfigErrors(t *testing.T) {
	for name, want := range map[string]string{
		"no_topic":               "topic must be set",
		"negative_linger":        "producer::linger (-1ms) must be between 0 and 1m0s",
		"zero_message_bytes":     "producer::max_message_bytes (0) must be positive",
		"oauth":                  `auth::sasl::mechanism: "OAUTHBEARER" is not supported by kafkaevents (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)`,
		"kerberos":               "auth::kerberos is not supported by kafkaevents",
		"inflight_with_acks_all": "max_inflight_requests_per_broker (5) must be 1 when required_acks is 'all'",
		"queue":                  "sending_queue",
		"bad_encoding":           `encoding must be otlp_proto or otlp_json, got "avro"`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(t, name)
			require.ErrorContains(t, err, want)
		})
	}
}
