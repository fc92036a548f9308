package ipgeoprocessor // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor"

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/metadata"
)

// NewFactory creates the ipgeo processor factory. One processor instance
// per configuration serves every signal it is placed in, so the databases
// are opened (and cached) once.
func NewFactory() processor.Factory {
	shared := &sharedProcessors{byConfig: map[*Config]*ipgeoProcessor{}}
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithTraces(shared.createTraces, metadata.TracesStability),
		processor.WithLogs(shared.createLogs, metadata.LogsStability),
		processor.WithMetrics(shared.createMetrics, metadata.MetricsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		Merge: mergeRecord,
		Source: SourceConfig{
			Attributes: []string{"client.address", "source.address", "network.peer.address"},
			Context:    contextRecord,
		},
		Language: "en",
		Cache:    CacheConfig{Size: 65536},
		Reload:   ReloadConfig{Enabled: true, Interval: 30 * time.Second},
	}
}

type sharedProcessors struct {
	mu       sync.Mutex
	byConfig map[*Config]*ipgeoProcessor
}

func (s *sharedProcessors) get(cfg *Config, set processor.Settings) (*ipgeoProcessor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.byConfig[cfg]; ok {
		return p, nil
	}
	p, err := newIPGeoProcessor(cfg, set, func() {
		s.mu.Lock()
		delete(s.byConfig, cfg)
		s.mu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	s.byConfig[cfg] = p
	return p, nil
}

func (s *sharedProcessors) createTraces(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	p, err := s.get(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewTraces(ctx, set, cfg, next, p.processTraces,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithStart(p.start), processorhelper.WithShutdown(p.shutdown))
}

func (s *sharedProcessors) createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	p, err := s.get(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, p.processLogs,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithStart(p.start), processorhelper.WithShutdown(p.shutdown))
}

func (s *sharedProcessors) createMetrics(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	p, err := s.get(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewMetrics(ctx, set, cfg, next, p.processMetrics,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithStart(p.start), processorhelper.WithShutdown(p.shutdown))
}
