// Package measure samples what the processes under comparison cost: a
// collector's own telemetry (a Prometheus scrape, internal/promscrape) and a
// process tree's CPU time and memory (/proc).
package measure // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/measure"

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
	"github.com/otelcol-events/otelcol-events/internal/promscrape"
)

// Metric names of the collector's own telemetry (v0.165.0, Prometheus
// reader). Jaeger v2 is built on the collector and serves the same names.
const (
	MetricCPUSeconds       = "otelcol_process_cpu_seconds"
	MetricRSS              = "otelcol_process_memory_rss"
	MetricExporterSent     = "otelcol_exporter_sent_spans"
	MetricExporterFailed   = "otelcol_exporter_send_failed_spans"
	MetricExporterEnqueue  = "otelcol_exporter_enqueue_failed_spans"
	MetricReceiverAccepted = "otelcol_receiver_accepted_spans"
	MetricReceiverRefused  = "otelcol_receiver_refused_spans"
)

// Collector scrapes one collector's /metrics during ingest: the first and
// last scrape give counter deltas, every scrape updates the peak RSS (the
// process only exposes current RSS, so polling is the only way).
type Collector struct {
	cfg  config.CollectorConfig
	http *http.Client

	mu          sync.Mutex
	first, last promscrape.Families
	peakRSS     float64
	scrapes     int
	failures    int
	lastErr     error
}

// NewCollector samples cfg's metrics endpoint.
func NewCollector(cfg config.CollectorConfig, timeout time.Duration) *Collector {
	return &Collector{cfg: cfg, http: &http.Client{Timeout: timeout}}
}

// Name is the collector's name in the config.
func (c *Collector) Name() string { return c.cfg.Name }

// Scrape reads the metrics once.
func (c *Collector) Scrape(ctx context.Context) error {
	fams, err := c.scrape(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.failures++
		c.lastErr = err
		return err
	}
	if c.first == nil {
		c.first = fams
	}
	c.last = fams
	c.scrapes++
	if rss, ok := fams.Sum(MetricRSS, nil); ok && rss > c.peakRSS {
		c.peakRSS = rss
	}
	return nil
}

func (c *Collector) scrape(ctx context.Context) (promscrape.Families, error) {
	body, err := get(ctx, c.http, c.cfg.MetricsURL)
	if err != nil {
		return nil, fmt.Errorf("collector %s: %w", c.cfg.Name, err)
	}
	fams, err := promscrape.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("collector %s: metrics at %s are not in the Prometheus text format: %w", c.cfg.Name, c.cfg.MetricsURL, err)
	}
	return fams, nil
}

// Delta is last − first of a counter over samples matching labels.
func (c *Collector) Delta(name string, labels map[string]string) (float64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.first == nil {
		return 0, false
	}
	after, okAfter := c.last.Sum(name, labels)
	before, _ := c.first.Sum(name, labels)
	return after - before, okAfter
}

// CollectorFigures is what a collector's metrics said over the run.
type CollectorFigures struct {
	CPUSeconds            *float64
	PeakRSSBytes          *float64
	Scrapes, Failures     int
	ReceiverAcceptedSpans map[string]float64
	ReceiverRefusedSpans  map[string]float64
	Problems              []string
}

// Figures sums up the run.
func (c *Collector) Figures() CollectorFigures {
	var f CollectorFigures
	c.mu.Lock()
	f.Scrapes, f.Failures = c.scrapes, c.failures
	if c.lastErr != nil {
		f.Problems = append(f.Problems, c.lastErr.Error())
	}
	if c.peakRSS > 0 {
		f.PeakRSSBytes = ptr(c.peakRSS)
	}
	last := c.last
	c.mu.Unlock()
	if cpu, ok := c.Delta(MetricCPUSeconds, nil); ok {
		f.CPUSeconds = ptr(cpu)
	} else if f.Scrapes > 0 {
		f.Problems = append(f.Problems, "no "+MetricCPUSeconds+" in the metrics: is this a collector's telemetry endpoint?")
	}
	perReceiver := func(name string) map[string]float64 {
		out := map[string]float64{}
		for _, v := range last.LabelValues(name, "receiver") {
			out[v], _ = c.Delta(name, map[string]string{"receiver": v})
		}
		return out
	}
	f.ReceiverAcceptedSpans = perReceiver(MetricReceiverAccepted)
	f.ReceiverRefusedSpans = perReceiver(MetricReceiverRefused)
	return f
}

func ptr[T any](v T) *T { return &v }
