package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Metric names of the collector's own telemetry (v0.165.0, Prometheus
// reader). Jaeger v2 is built on the collector and serves the same names.
const (
	metricCPUSeconds       = "otelcol_process_cpu_seconds"
	metricRSS              = "otelcol_process_memory_rss"
	metricExporterSent     = "otelcol_exporter_sent_spans"
	metricExporterFailed   = "otelcol_exporter_send_failed_spans"
	metricExporterEnqueue  = "otelcol_exporter_enqueue_failed_spans"
	metricReceiverAccepted = "otelcol_receiver_accepted_spans"
	metricReceiverRefused  = "otelcol_receiver_refused_spans"
)

// collectorSampler scrapes one collector's /metrics during ingest: the
// first and last scrape give counter deltas, every scrape updates the peak
// RSS (the process only exposes current RSS, so polling is the only way).
type collectorSampler struct {
	cfg  CollectorConfig
	http *http.Client

	mu          sync.Mutex
	first, last []promSample
	peakRSS     float64
	scrapes     int
	failures    int
	lastErr     error
}

func newCollectorSampler(cfg CollectorConfig, timeout time.Duration) *collectorSampler {
	return &collectorSampler{cfg: cfg, http: &http.Client{Timeout: timeout}}
}

func (c *collectorSampler) scrape(ctx context.Context) error {
	err := c.scrapeOnce(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.failures++
		c.lastErr = err
	}
	return err
}

func (c *collectorSampler) scrapeOnce(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.MetricsURL, nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("collector %s: cannot read metrics at %s: %w", c.cfg.Name, c.cfg.MetricsURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("collector %s: reading metrics: %w", c.cfg.Name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("collector %s: metrics at %s answered HTTP %d", c.cfg.Name, c.cfg.MetricsURL, resp.StatusCode)
	}
	samples, err := parsePromText(string(body))
	if err != nil {
		return fmt.Errorf("collector %s: %w", c.cfg.Name, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.first == nil {
		c.first = samples
	}
	c.last = samples
	c.scrapes++
	if rss, ok := sumMetric(samples, metricRSS, nil); ok && rss > c.peakRSS {
		c.peakRSS = rss
	}
	return nil
}

// poll scrapes every interval until ctx ends.
func (c *collectorSampler) poll(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = c.scrape(ctx)
		}
	}
}

// delta is last − first of a counter over samples matching labels.
func (c *collectorSampler) delta(name string, labels map[string]string) (float64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.first == nil {
		return 0, false
	}
	after, okAfter := sumMetric(c.last, name, labels)
	before, _ := sumMetric(c.first, name, labels)
	return after - before, okAfter
}

func (c *collectorSampler) report() CollectorReport {
	r := CollectorReport{Name: c.cfg.Name, MetricsURL: c.cfg.MetricsURL}
	c.mu.Lock()
	r.Scrapes, r.FailedScrapes = c.scrapes, c.failures
	if c.lastErr != nil {
		r.Problems = append(r.Problems, c.lastErr.Error())
	}
	if c.peakRSS > 0 {
		r.PeakRSSBytes = ptr(c.peakRSS)
	}
	c.mu.Unlock()
	if cpu, ok := c.delta(metricCPUSeconds, nil); ok {
		r.CPUSeconds = ptr(cpu)
	} else if r.Scrapes > 0 {
		r.Problems = append(r.Problems, "no "+metricCPUSeconds+" in the metrics: is this a collector's telemetry endpoint?")
	}
	r.ReceiverAcceptedSpans = c.perLabel(metricReceiverAccepted, "receiver")
	r.ReceiverRefusedSpans = c.perLabel(metricReceiverRefused, "receiver")
	return r
}

// perLabel returns counter deltas keyed by one label's values.
func (c *collectorSampler) perLabel(name, label string) map[string]float64 {
	c.mu.Lock()
	values := map[string]bool{}
	for _, s := range c.last {
		if s.Name == name || s.Name == name+"_total" {
			values[s.Labels[label]] = true
		}
	}
	c.mu.Unlock()
	out := map[string]float64{}
	for v := range values {
		d, _ := c.delta(name, map[string]string{label: v})
		out[v] = d
	}
	return out
}

func ptr[T any](v T) *T { return &v }
