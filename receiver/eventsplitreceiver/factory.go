package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"context"
	"time"

	"github.com/otelcol-events/otelcol-events/components/sharedcomponent"
	"github.com/otelcol-events/otelcol-events/components/tracecontext"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver/internal/metadata"
)

const (
	defaultEndpoint        = "localhost:8080"
	defaultPath            = "/v1/events"
	defaultMaxBodyBytes    = 4 << 20
	defaultMaxFutureSkew   = time.Hour
	defaultMaxAge          = 7 * 24 * time.Hour
	defaultRetryAfter      = 5 * time.Second
	defaultTopicTemplate   = "events." + categoryPlaceholder
	defaultSharedTopic     = "events.other"
	defaultMaxPayloadSize  = 64 << 10
	defaultMaxBatchBytes   = 512 << 10
	defaultShutdownTimeout = 30 * time.Second
)

// NewFactory creates the eventsplit receiver factory. One receiver instance
// (one HTTP server) serves every pipeline it is placed in: logs for the
// events, traces for the ingest spans.
func NewFactory() receiver.Factory {
	receivers := sharedcomponent.NewMap[*Config, *eventSplitReceiver]()
	instance := func(cfg component.Config, set receiver.Settings) (*sharedcomponent.Component[*eventSplitReceiver], error) {
		c := cfg.(*Config)
		return receivers.LoadOrStore(c, func() (*eventSplitReceiver, error) { return newEventSplitReceiver(c, set) })
	}
	return receiver.NewFactory(
		metadata.Type,
		createDefaultConfig,
		receiver.WithLogs(func(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
			r, err := instance(cfg, set)
			if err != nil {
				return nil, err
			}
			r.Unwrap().nextLogs = next
			return r, nil
		}, metadata.LogsStability),
		receiver.WithTraces(func(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Traces) (receiver.Traces, error) {
			r, err := instance(cfg, set)
			if err != nil {
				return nil, err
			}
			r.Unwrap().nextTraces = next
			return r, nil
		}, metadata.TracesStability),
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
		MaxFutureSkew:   defaultMaxFutureSkew,
		MaxAge:          defaultMaxAge,
		Body:            bodyJSON,
		ClientAddress:   clientAddressOnEvent,
		RetryAfter:      defaultRetryAfter,
		MaxBatchBytes:   defaultMaxBatchBytes,
		ShutdownTimeout: defaultShutdownTimeout,
		Propagators:     tracecontext.DefaultFormats(),
		Metadata: MetadataConfig{
			TraceParent:   "traceparent",
			TraceState:    "tracestate",
			Baggage:       "baggage",
			Category:      "event.category",
			Topic:         "event.topic",
			TopicTemplate: defaultTopicTemplate,
			SharedTopic:   defaultSharedTopic,
			PartitionKey:  "event.partition_key",
			HandedOffAt:   "event.handed_off_at",
		},
	}
}
