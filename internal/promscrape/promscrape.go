// Package promscrape reads one scrape of a collector's Prometheus endpoint
// (its own telemetry) with expfmt, and sums samples across the names
// Prometheus exporters give a metric. backendcompare measures collectors
// with it; the integration tests check counters with it.
package promscrape // import "github.com/otelcol-events/otelcol-events/internal/promscrape"

import (
	"bytes"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Families are one scrape: metric families by name.
type Families map[string]*dto.MetricFamily

// Parse reads the Prometheus text format.
func Parse(text []byte) (Families, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(text))
	return Families(fams), err
}

// nameSuffixes are what Prometheus exporters may append to a collector
// metric's name: _total on counters, the unit (_bytes) on some releases
// (Jaeger v2.13's collector writes otelcol_process_memory_rss_bytes).
var nameSuffixes = []string{"", "_total", "_bytes"}

// Sum adds the values of name's samples whose labels include match, under
// any of its suffixed names. ok is false when no sample matched.
func (f Families) Sum(name string, match map[string]string) (sum float64, ok bool) {
	for _, suffix := range nameSuffixes {
	series:
		for _, m := range f[name+suffix].GetMetric() {
			labels := make(map[string]string, len(m.GetLabel()))
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for k, v := range match {
				if labels[k] != v {
					continue series
				}
			}
			switch {
			case m.Counter != nil:
				sum += m.GetCounter().GetValue()
			case m.Gauge != nil:
				sum += m.GetGauge().GetValue()
			case m.Untyped != nil:
				sum += m.GetUntyped().GetValue()
			default:
				continue
			}
			ok = true
		}
	}
	return sum, ok
}

// LabelValues lists the values label takes in name's samples.
func (f Families) LabelValues(name, label string) []string {
	seen := map[string]bool{}
	var out []string
	for _, suffix := range nameSuffixes {
		for _, m := range f[name+suffix].GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && !seen[l.GetValue()] {
					seen[l.GetValue()] = true
					out = append(out, l.GetValue())
				}
			}
		}
	}
	return out
}
