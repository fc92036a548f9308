package ipgeoprocessor // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor"

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/metadata"
)

// ipgeoProcessor enriches every signal it is placed in; one instance (one
// set of opened databases, one cache) serves all of them.
type ipgeoProcessor struct {
	cfg       *Config
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	writer    attributeWriter
	records   bool // enrich spans, log records, data points
	resources bool // enrich resources

	reasonInvalid metric.MeasurementOption
	reasonPrivate metric.MeasurementOption

	// mu guards set: a batch holds the read lock while it uses a set, a
	// reload takes the write lock only to swap sets, so the old set is
	// closed only when no batch uses it.
	mu  sync.RWMutex
	set *databaseSet

	// failed remembers replacement files that could not be used, so they
	// are not retried (and logged) every interval until they change again.
	failed map[string]fileState

	// stop ends the reload watcher; closed by Shutdown.
	stop    chan struct{}
	watcher sync.WaitGroup
}

func newIPGeoProcessor(cfg *Config, set processor.Settings) (*ipgeoProcessor, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &ipgeoProcessor{
		cfg:           cfg,
		logger:        set.Logger,
		telemetry:     tb,
		writer:        newAttributeWriter(cfg.Overwrite, cfg.LegacyAttributes),
		records:       cfg.Source.Context != contextResource,
		resources:     cfg.Source.Context != contextRecord,
		reasonInvalid: metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "invalid"))),
		reasonPrivate: metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "private"))),
		failed:        map[string]fileState{},
		stop:          make(chan struct{}),
	}, nil
}

// enrich looks up the address in attrs and writes what is known about it.
func (p *ipgeoProcessor) enrich(set *databaseSet, attrs pcommon.Map, st *lookupStats) {
	if set == nil {
		return // not started, or shut down: pass data through untouched
	}
	addr, status := findAddress(attrs, p.cfg.Source.Attributes)
	switch status {
	case addressPublic:
		if loc := set.answer(addr, st); loc != nil {
			p.writer.write(attrs, loc)
		}
	case addressPrivate:
		st.private++
	case addressInvalid:
		st.invalid++
	}
}

func (p *ipgeoProcessor) record(ctx context.Context, st *lookupStats) {
	add := func(c metric.Int64Counter, n int64, opts ...metric.AddOption) {
		if n > 0 {
			c.Add(ctx, n, opts...)
		}
	}
	add(p.telemetry.ProcessorIpgeoLookups, st.lookups)
	add(p.telemetry.ProcessorIpgeoCacheHits, st.hits)
	add(p.telemetry.ProcessorIpgeoCacheMisses, st.misses)
	add(p.telemetry.ProcessorIpgeoNotFound, st.notFound)
	add(p.telemetry.ProcessorIpgeoSkippedAddresses, st.invalid, p.reasonInvalid)
	add(p.telemetry.ProcessorIpgeoSkippedAddresses, st.private, p.reasonPrivate)
}

func (p *ipgeoProcessor) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var st lookupStats
	for _, rs := range td.ResourceSpans().All() {
		if p.resources {
			p.enrich(p.set, rs.Resource().Attributes(), &st)
		}
		if !p.records {
			continue
		}
		for _, ss := range rs.ScopeSpans().All() {
			for _, span := range ss.Spans().All() {
				p.enrich(p.set, span.Attributes(), &st)
			}
		}
	}
	p.record(ctx, &st)
	return td, nil
}

func (p *ipgeoProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var st lookupStats
	for _, rl := range ld.ResourceLogs().All() {
		if p.resources {
			p.enrich(p.set, rl.Resource().Attributes(), &st)
		}
		if !p.records {
			continue
		}
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				p.enrich(p.set, lr.Attributes(), &st)
			}
		}
	}
	p.record(ctx, &st)
	return ld, nil
}

func (p *ipgeoProcessor) processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var st lookupStats
	for _, rm := range md.ResourceMetrics().All() {
		if p.resources {
			p.enrich(p.set, rm.Resource().Attributes(), &st)
		}
		if !p.records {
			continue
		}
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				p.enrichDataPoints(m, &st)
			}
		}
	}
	p.record(ctx, &st)
	return md, nil
}

func (p *ipgeoProcessor) enrichDataPoints(m pmetric.Metric, st *lookupStats) {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		for _, dp := range m.Gauge().DataPoints().All() {
			p.enrich(p.set, dp.Attributes(), st)
		}
	case pmetric.MetricTypeSum:
		for _, dp := range m.Sum().DataPoints().All() {
			p.enrich(p.set, dp.Attributes(), st)
		}
	case pmetric.MetricTypeHistogram:
		for _, dp := range m.Histogram().DataPoints().All() {
			p.enrich(p.set, dp.Attributes(), st)
		}
	case pmetric.MetricTypeExponentialHistogram:
		for _, dp := range m.ExponentialHistogram().DataPoints().All() {
			p.enrich(p.set, dp.Attributes(), st)
		}
	case pmetric.MetricTypeSummary:
		for _, dp := range m.Summary().DataPoints().All() {
			p.enrich(p.set, dp.Attributes(), st)
		}
	}
}
