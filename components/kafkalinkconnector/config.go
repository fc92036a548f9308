package kafkalinkconnector // import "github.com/otelcol-events/otelcol-events/components/kafkalinkconnector"

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-events/otelcol-events/components/tracecontext"
)

// Config of the kafkalink connector.
type Config struct {
	// Mode is "parent" (default): the consumer span is a child of the
	// producing span, in its trace; or "link": the consumer span starts a new
	// trace with a span link to the producing span (for consumers that
	// process long after, or fan in many producers).
	Mode string `mapstructure:"mode"`

	// Propagators is the order in which the producer's trace context is
	// looked for in the record headers: tracecontext (W3C traceparent, under
	// TraceParentKey), b3 (b3 or X-B3-*), jaeger (uber-trace-id), so that
	// records from producers on Zipkin or Jaeger clients are linked too.
	// Default: [tracecontext, b3, jaeger].
	Propagators []tracecontext.Format `mapstructure:"propagators"`

	// TraceParentKey is the client-metadata key (Kafka record header) with
	// the producer's W3C traceparent (default "traceparent").
	TraceParentKey string `mapstructure:"traceparent_key"`
	// TraceStateKey carries the producer's tracestate (default "tracestate").
	TraceStateKey string `mapstructure:"tracestate_key"`
	// StartTimeKey carries the time, in Unix nanoseconds, the producer handed
	// the batch to its Kafka exporter (default "event.handed_off_at", which
	// the eventsplit receiver sets). The consumer span starts then, so the
	// time spent in the producer's queue and in Kafka shows in the trace.
	// The kafka receiver does not pass on the record's own Kafka timestamp;
	// without the header the span starts when the batch is consumed.
	StartTimeKey string `mapstructure:"start_time_key"`

	// ConsumerGroup is recorded as messaging.consumer.group.name (the kafka
	// receiver's group_id; it is not in the record metadata).
	ConsumerGroup string `mapstructure:"consumer_group"`

	// prevent unkeyed literal initialization
	_ struct{}
}

const (
	modeParent = "parent"
	modeLink   = "link"
)

var _ component.Config = (*Config)(nil)

// Validate checks the configuration.
func (cfg *Config) Validate() error {
	var errs []error
	if cfg.Mode != modeParent && cfg.Mode != modeLink {
		errs = append(errs, fmt.Errorf("mode must be %q or %q, got %q", modeParent, modeLink, cfg.Mode))
	}
	if cfg.TraceParentKey == "" {
		errs = append(errs, errors.New("traceparent_key must not be empty"))
	}
	if err := tracecontext.ValidateFormats(cfg.Propagators); err != nil {
		errs = append(errs, fmt.Errorf("propagators: %w", err))
	}
	return errors.Join(errs...)
}
