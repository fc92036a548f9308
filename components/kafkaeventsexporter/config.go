package kafkaeventsexporter // import "github.com/otelcol-events/otelcol-events/components/kafkaeventsexporter"

import (
	"errors"
	"fmt"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/kafka/configkafka"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

// The encodings of a record's value.
const (
	encodingProto = "otlp_proto"
	encodingJSON  = "otlp_json"
)

// maxLinger is the longest linger franz-go takes.
const maxLinger = time.Minute

// Config of the kafkaevents exporter. The client and producer settings are
// contrib's (configkafka), so a kafka exporter's settings carry over; the
// few this exporter cannot honor are refused by Validate.
type Config struct {
	exporterhelper.TimeoutConfig `mapstructure:",squash"`
	configkafka.ClientConfig     `mapstructure:",squash"`

	// Producer settings: acks, compression, linger, max_message_bytes, ….
	Producer configkafka.ProducerConfig `mapstructure:"producer"`
	// Topic receives a request whose metadata has no topic_from_metadata_key.
	Topic string `mapstructure:"topic"`
	// TopicFromMetadataKey names the client metadata key whose value is the
	// record's topic (eventsplit's event.topic).
	TopicFromMetadataKey string `mapstructure:"topic_from_metadata_key"`
	// MessageKeyFromMetadataKey names the client metadata key whose value is
	// the record's key, which chooses its partition (eventsplit's
	// event.partition_key). Empty or absent: the record is unkeyed.
	MessageKeyFromMetadataKey string `mapstructure:"message_key_from_metadata_key"`
	// Encoding of the record's value: otlp_proto (default) or otlp_json,
	// the encodings of contrib's kafka receiver of the same names.
	Encoding string `mapstructure:"encoding"`
	// IncludeMetadataKeys are the client metadata keys copied into the
	// record's headers, one header per value (traceparent, …).
	IncludeMetadataKeys []string `mapstructure:"include_metadata_keys"`

	BackOffConfig configretry.BackOffConfig `mapstructure:"retry_on_failure"`
}

// Validate refuses what the exporter would not do as configured.
func (c *Config) Validate() error {
	var errs []error
	if c.Topic == "" {
		errs = append(errs, errors.New("topic must be set: it takes requests without a topic in their metadata"))
	}
	if c.Encoding != encodingProto && c.Encoding != encodingJSON {
		errs = append(errs, fmt.Errorf("encoding must be %s or %s, got %q", encodingProto, encodingJSON, c.Encoding))
	}
	if c.Producer.Linger < 0 || c.Producer.Linger > maxLinger {
		errs = append(errs, fmt.Errorf("producer::linger (%s) must be between 0 and %s", c.Producer.Linger, maxLinger))
	}
	// configkafka takes 0; franz-go would then refuse every batch.
	if c.Producer.MaxMessageBytes <= 0 {
		errs = append(errs, fmt.Errorf("producer::max_message_bytes (%d) must be positive", c.Producer.MaxMessageBytes))
	}
	if c.Authentication.Kerberos != nil {
		errs = append(errs, errors.New("auth::kerberos is not supported by kafkaevents (use SASL PLAIN or SCRAM, or TLS)"))
	}
	if s := c.Authentication.SASL; s != nil {
		if _, err := saslMechanism(s); err != nil {
			errs = append(errs, fmt.Errorf("auth::sasl::mechanism: %w", err))
		}
	}
	return errors.Join(errs...)
}
