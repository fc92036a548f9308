package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver/internal/metadata"
)

const (
	defaultEndpoint       = "localhost:8080"
	defaultPath           = "/v1/events"
	defaultMaxBodyBytes   = 4 << 20
	defaultMaxFutureSkew  = time.Hour
	defaultMaxAge         = 7 * 24 * time.Hour
	defaultRetryAfter     = 5 * time.Second
	defaultTopicTemplate  = "events." + categoryPlaceholder
	defaultMaxPayloadSize = 64 << 10
	defaultMaxBatchBytes  = 512 << 10
)

// NewFactory creates the eventsplit receiver factory. One receiver instance
// serves every pipeline it is placed in (logs for the events, traces for
// the ingest spans), so the factory keeps the instances it made per config.
func NewFactory() receiver.Factory {
	shared := &sharedReceivers{byConfig: map[*Config]*eventSplitReceiver{}}
	return receiver.NewFactory(
		metadata.Type,
		createDefaultConfig,
		receiver.WithLogs(shared.createLogs, metadata.LogsStability),
		receiver.WithTraces(shared.createTraces, metadata.TracesStability),
	)
}

func createDefaultConfig() component.Config {
	server := confighttp.NewDefaultServerConfig()
	server.NetAddr.Endpoint = defaultEndpoint
	server.MaxRequestBodySize = defaultMaxBodyBytes
	server.ReadHeaderTimeout = 10 * time.Second
	server.ReadTimeout = 30 * time.Second
	return &Config{
		ServerConfig: server,
		Path:         defaultPath,
		Limits: LimitsConfig{
			MaxEvents:       1000,
			MaxAttributes:   64,
			MaxMetaKeys:     32,
			MaxIDLength:     128,
			MaxNameLength:   256,
			MaxKeyLength:    128,
			MaxValueLength:  4096,
			MaxPayloadBytes: defaultMaxPayloadSize,
			MaxDepth:        32,
		},
		MaxFutureSkew: defaultMaxFutureSkew,
		MaxAge:        defaultMaxAge,
		Body:          bodyJSON,
		RetryAfter:    defaultRetryAfter,
		MaxBatchBytes: defaultMaxBatchBytes,
		Metadata: MetadataConfig{
			TraceParent:   "traceparent",
			TraceState:    "tracestate",
			Baggage:       "baggage",
			Category:      "event.category",
			Topic:         "event.topic",
			TopicTemplate: defaultTopicTemplate,
			PartitionKey:  "event.partition_key",
			HandedOffAt:   "event.handed_off_at",
		},
	}
}

// sharedReceivers hands out one receiver per configuration, whichever
// signal asks first; Shutdown of the last user forgets it, so a reloaded
// configuration gets a fresh instance.
type sharedReceivers struct {
	mu       sync.Mutex
	byConfig map[*Config]*eventSplitReceiver
}

func (s *sharedReceivers) get(cfg *Config, set receiver.Settings) (*eventSplitReceiver, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.byConfig[cfg]; ok {
		return r, nil
	}
	r, err := newEventSplitReceiver(cfg, set, func() {
		s.mu.Lock()
		delete(s.byConfig, cfg)
		s.mu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	s.byConfig[cfg] = r
	return r, nil
}

func (s *sharedReceivers) createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	r, err := s.get(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	r.nextLogs = next
	return r, nil
}

func (s *sharedReceivers) createTraces(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Traces) (receiver.Traces, error) {
	r, err := s.get(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	r.nextTraces = next
	return r, nil
}
