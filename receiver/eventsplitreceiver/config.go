package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"errors"
	"fmt"
	"net/netip"
	"path"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"

	"github.com/otelcol-events/otelcol-events/components/tracecontext"
)

// Config of the eventsplit receiver.
type Config struct {
	// ServerConfig: endpoint, TLS, auth extensions, CORS, request
	// decompression (gzip, zstd, ...) and max_request_body_size, which is
	// enforced on the decompressed body too (default 4 MiB).
	ServerConfig confighttp.ServerConfig `mapstructure:",squash"`

	// Path is where uploads are POSTed (default /v1/events).
	Path string `mapstructure:"path"`

	// Limits bound what one request may carry.
	Limits LimitsConfig `mapstructure:"limits"`

	// MaxFutureSkew rejects events timestamped further ahead than this
	// (client clocks run fast; default 1h).
	MaxFutureSkew time.Duration `mapstructure:"max_future_skew"`
	// MaxAge rejects events older than this (default 7 days, 168h).
	MaxAge time.Duration `mapstructure:"max_age"`

	// TrustedProxies lists the addresses or CIDR ranges of proxies in front of
	// the receiver. Only when the peer is one of them is X-Forwarded-For read:
	// the client is the first address, from the right, that is not a trusted
	// proxy. Empty: X-Forwarded-For is ignored.
	TrustedProxies []string `mapstructure:"trusted_proxies"`

	// Body chooses how an event's payload becomes the log record body:
	// "json" (default) keeps the payload's JSON text as a string body, exact
	// and cheapest; "structured" decodes it into a map/array/scalar body.
	Body string `mapstructure:"body"`

	// Propagators is the order in which the caller's trace context is looked
	// for: tracecontext (W3C traceparent/tracestate/baggage), b3 (single b3
	// header or X-B3-*), jaeger (uber-trace-id, uberctx-* baggage). The first
	// present and valid one is continued; a format not listed is not read.
	// Default: [tracecontext, b3, jaeger].
	Propagators []tracecontext.Format `mapstructure:"propagators"`

	// Metadata names the client-metadata keys the emitted logs carry for the
	// Kafka hop (kafka exporter include_metadata_keys, topic_from_metadata_key,
	// message_key_from_metadata_key).
	Metadata MetadataConfig `mapstructure:"metadata"`

	// EventNameAttribute also writes the event's name as the event.name
	// attribute (default false). Semantic conventions deprecated that
	// attribute for the log record's EventName field, which the receiver
	// always sets (ClickHouse: the EventName column); turn this on for
	// consumers that still read the attribute.
	EventNameAttribute bool `mapstructure:"event_name_attribute"`

	// ClientAddress is where an event's client.address goes: "event" (each
	// log record, where semantic conventions put it; default) or "resource":
	// once per distinct address of a batch, on a resource of its own, so the
	// events of an upload from one device share it and ipgeo (with
	// source::context resource or both) writes their geolocation once.
	// Queries then read it from the resource attributes.
	ClientAddress string `mapstructure:"client_address"`

	// RetryAfter is sent with 429 and 503 answers (default 5s).
	RetryAfter time.Duration `mapstructure:"retry_after"`

	// ShutdownTimeout bounds how long Shutdown waits for uploads in flight
	// (default 30s); then their connections are closed. An upload cut off so
	// was not acknowledged: its client sees the connection close and sends
	// it again. Uploads finish within the exporters' timeout and retries
	// unless a peer hangs (a Kafka producer waits for a vanished broker), and
	// a collector that is being stopped must not wait for that.
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`

	// MaxBatchBytes bounds the size of what one request passes to the
	// pipeline at once (default 512 KiB): a larger upload goes on as several
	// batches, each of which a Kafka exporter writes as one record. Keep it
	// at most half the producer's max_message_bytes (1 MB by default): the
	// bound is estimated from the events' JSON plus room for the attributes
	// added on the way. 0 passes every request on as one batch.
	MaxBatchBytes int `mapstructure:"max_batch_bytes"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// LimitsConfig bounds one upload. Bodies larger than
// max_request_body_size are refused with 413 before they are parsed.
type LimitsConfig struct {
	// MaxEvents per request (default 1000); more is refused with 413.
	MaxEvents int `mapstructure:"max_events"`
	// MaxAttributes per event (default 64).
	MaxAttributes int `mapstructure:"max_attributes"`
	// MaxMetaKeys is the number of meta keys beyond the known ones (default 32).
	MaxMetaKeys int `mapstructure:"max_meta_keys"`
	// MaxIDLength bounds event ids, in bytes (default 128).
	MaxIDLength int `mapstructure:"max_id_length"`
	// MaxNameLength bounds event names, in bytes (default 256).
	MaxNameLength int `mapstructure:"max_name_length"`
	// MaxKeyLength bounds attribute and meta keys, in bytes (default 128).
	MaxKeyLength int `mapstructure:"max_key_length"`
	// MaxValueLength bounds string values of attributes and meta fields, in
	// bytes (default 4096).
	MaxValueLength int `mapstructure:"max_value_length"`
	// MaxPayloadBytes bounds one event's payload as sent (default 64 KiB).
	MaxPayloadBytes int `mapstructure:"max_payload_bytes"`
	// MaxDepth bounds JSON nesting of the whole document (default 32). The
	// envelope itself uses three levels: the request object, the data array
	// and the event object; a payload may nest MaxDepth-3 levels further.
	MaxDepth int `mapstructure:"max_depth"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// MetadataConfig names the client-metadata keys put on the emitted logs.
// An empty key turns that entry off.
type MetadataConfig struct {
	// TraceParent carries the outgoing W3C traceparent, whose parent is the
	// ingest span (default "traceparent").
	TraceParent string `mapstructure:"traceparent"`
	// B3 carries the outgoing context as a single b3 header value, for
	// consumers on Zipkin-era clients (default "": not written).
	B3 string `mapstructure:"b3"`
	// UberTraceID carries it as an uber-trace-id value, for consumers on
	// Jaeger clients (default "": not written).
	UberTraceID string `mapstructure:"uber_trace_id"`
	// TraceState carries the caller's tracestate, when valid (default "tracestate").
	TraceState string `mapstructure:"tracestate"`
	// Baggage carries the caller's baggage plus request_id (default "baggage").
	Baggage string `mapstructure:"baggage"`
	// Category carries meta.category (default "event.category").
	Category string `mapstructure:"category"`
	// Topic carries TopicTemplate with {category} replaced (default "event.topic").
	Topic string `mapstructure:"topic"`
	// TopicTemplate builds the topic name (default "events.{category}").
	TopicTemplate string `mapstructure:"topic_template"`
	// TopicCategories are the categories with a topic of their own, named by
	// TopicTemplate. Events of any other category go to SharedTopic, with
	// their category under the Category key. Empty (the default): every
	// category has its own topic, created when its first record is produced.
	TopicCategories []string `mapstructure:"topic_categories"`
	// SharedTopic takes the events of categories not in TopicCategories
	// (default "events.other").
	SharedTopic string `mapstructure:"shared_topic"`
	// HandedOffAt carries the time, in Unix nanoseconds, the receiver handed
	// the request's events to the pipeline (default "event.handed_off_at").
	// The kafkalink connector starts its consumer span then, so the time in
	// the exporter's queue and in Kafka shows in the trace.
	HandedOffAt string `mapstructure:"handed_off_at"`
	// PartitionKey carries "<app_id>/<device_id>" (or "<app_id>" without a
	// device), a Kafka message key that keeps one client's events in order
	// (default "event.partition_key").
	PartitionKey string `mapstructure:"partition_key"`

	// prevent unkeyed literal initialization
	_ struct{}
}

const (
	bodyJSON       = "json"
	bodyStructured = "structured"

	clientAddressOnEvent    = "event"
	clientAddressOnResource = "resource"

	categoryPlaceholder = "{category}"
	// maxDepthLimit caps max_depth: nesting is decoded recursively for
	// structured bodies, and the cap keeps that bounded.
	maxDepthLimit = 128
)

var _ component.Config = (*Config)(nil)

// Validate checks the configuration.
func (cfg *Config) Validate() error {
	var errs []error
	if !strings.HasPrefix(cfg.Path, "/") || path.Clean(cfg.Path) != cfg.Path {
		errs = append(errs, fmt.Errorf("path %q must be an absolute, clean URL path such as /v1/events", cfg.Path))
	}
	if cfg.ServerConfig.MaxRequestBodySize <= 0 {
		errs = append(errs, errors.New("max_request_body_size must be positive"))
	}
	l := cfg.Limits
	for _, f := range []struct {
		name string
		v    int
	}{
		{"limits::max_events", l.MaxEvents},
		{"limits::max_attributes", l.MaxAttributes},
		{"limits::max_id_length", l.MaxIDLength},
		{"limits::max_name_length", l.MaxNameLength},
		{"limits::max_key_length", l.MaxKeyLength},
		{"limits::max_value_length", l.MaxValueLength},
		{"limits::max_payload_bytes", l.MaxPayloadBytes},
	} {
		if f.v <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive, got %d", f.name, f.v))
		}
	}
	if err := tracecontext.ValidateFormats(cfg.Propagators); err != nil {
		errs = append(errs, fmt.Errorf("propagators: %w", err))
	}
	if l.MaxMetaKeys < 0 {
		errs = append(errs, fmt.Errorf("limits::max_meta_keys must not be negative, got %d", l.MaxMetaKeys))
	}
	if l.MaxDepth < 4 || l.MaxDepth > maxDepthLimit {
		errs = append(errs, fmt.Errorf("limits::max_depth must be between 4 and %d, got %d", maxDepthLimit, l.MaxDepth))
	}
	if cfg.MaxFutureSkew < 0 {
		errs = append(errs, errors.New("max_future_skew must not be negative"))
	}
	if cfg.MaxAge <= 0 {
		errs = append(errs, errors.New("max_age must be positive"))
	}
	if cfg.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("shutdown_timeout must be positive"))
	}
	if cfg.MaxBatchBytes < 0 {
		errs = append(errs, errors.New("max_batch_bytes must not be negative"))
	}
	if cfg.RetryAfter < time.Second {
		errs = append(errs, errors.New("retry_after must be at least 1s (Retry-After is in whole seconds)"))
	}
	if cfg.Body != bodyJSON && cfg.Body != bodyStructured {
		errs = append(errs, fmt.Errorf("body must be %q or %q, got %q", bodyJSON, bodyStructured, cfg.Body))
	}
	if cfg.ClientAddress != clientAddressOnEvent && cfg.ClientAddress != clientAddressOnResource {
		errs = append(errs, fmt.Errorf("client_address must be %q or %q, got %q",
			clientAddressOnEvent, clientAddressOnResource, cfg.ClientAddress))
	}
	if _, err := parseTrustedProxies(cfg.TrustedProxies); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, cfg.Metadata.validateTopics()...)
	return errors.Join(errs...)
}

// validateTopics checks the topic routing: every declared category must
// make a distinct topic that is not the shared one, or two categories'
// consumers would read each other's events.
func (m *MetadataConfig) validateTopics() []error {
	if m.Topic == "" {
		return nil
	}
	if !strings.Contains(m.TopicTemplate, categoryPlaceholder) {
		return []error{fmt.Errorf("metadata::topic_template %q must contain %s", m.TopicTemplate, categoryPlaceholder)}
	}
	if len(m.TopicCategories) == 0 {
		return nil
	}
	var errs []error
	if m.SharedTopic == "" {
		errs = append(errs, errors.New("metadata::shared_topic must be set when metadata::topic_categories is"))
	}
	seen := make(map[string]bool, len(m.TopicCategories))
	for _, c := range m.TopicCategories {
		switch {
		case !validCategory(c):
			errs = append(errs, fmt.Errorf("metadata::topic_categories: %q must match ^[A-Za-z0-9_.-]{1,64}$", c))
		case seen[c]:
			errs = append(errs, fmt.Errorf("metadata::topic_categories: %q is listed twice", c))
		case strings.ReplaceAll(m.TopicTemplate, categoryPlaceholder, c) == m.SharedTopic:
			errs = append(errs, fmt.Errorf("metadata::topic_categories: the topic of %q is metadata::shared_topic %q", c, m.SharedTopic))
		}
		seen[c] = true
	}
	return errs
}

// parseTrustedProxies turns addresses and CIDR ranges into prefixes.
func parseTrustedProxies(entries []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(entries))
	for _, e := range entries {
		if strings.Contains(e, "/") {
			p, err := netip.ParsePrefix(e)
			if err != nil {
				return nil, fmt.Errorf("trusted_proxies: %q is not an address or CIDR range: %w", e, err)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(e)
		if err != nil {
			return nil, fmt.Errorf("trusted_proxies: %q is not an address or CIDR range: %w", e, err)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
