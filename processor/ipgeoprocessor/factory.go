package ipgeoprocessor // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-events/otelcol-events/components/sharedcomponent"
	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/metadata"
)

// NewFactory creates the ipgeo processor factory. One processor instance
// per configuration (sharedcomponent) serves every signal it is placed in,
// so the databases are opened (and cached) once.
func NewFactory() processor.Factory {
	processors := sharedcomponent.NewMap[*Config, *ipgeoProcessor]()
	instance := func(cfg component.Config, set processor.Settings) (*sharedcomponent.Component[*ipgeoProcessor], error) {
		c := cfg.(*Config)
		return processors.LoadOrStore(c, func() (*ipgeoProcessor, error) { return newIPGeoProcessor(c, set) })
	}
	lifecycle := func(p *sharedcomponent.Component[*ipgeoProcessor]) []processorhelper.Option {
		return []processorhelper.Option{
			processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
			processorhelper.WithStart(p.Start), processorhelper.WithShutdown(p.Shutdown),
		}
	}
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithTraces(func(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
			p, err := instance(cfg, set)
			if err != nil {
				return nil, err
			}
			return processorhelper.NewTraces(ctx, set, cfg, next, p.Unwrap().processTraces, lifecycle(p)...)
		}, metadata.TracesStability),
		processor.WithLogs(func(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
			p, err := instance(cfg, set)
			if err != nil {
				return nil, err
			}
			return processorhelper.NewLogs(ctx, set, cfg, next, p.Unwrap().processLogs, lifecycle(p)...)
		}, metadata.LogsStability),
		processor.WithMetrics(func(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
			p, err := instance(cfg, set)
			if err != nil {
				return nil, err
			}
			return processorhelper.NewMetrics(ctx, set, cfg, next, p.Unwrap().processMetrics, lifecycle(p)...)
		}, metadata.MetricsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		Merge: mergeRecord,
		Source: SourceConfig{
			Attributes: []string{"client.address", "source.address", "network.peer.address"},
			Context:    contextRecord,
		},
		Language:    "en",
		Cache:       CacheConfig{Size: 65536},
		Reload:      ReloadConfig{Enabled: true, Interval: 30 * time.Second},
		OpenTimeout: time.Minute,
	}
}
