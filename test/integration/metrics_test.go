//go:build integration

package integration

import (
	"net/http"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
)

// metricValue sums a collector's internal Prometheus metric over the series
// carrying every label given, e.g. metricValue(t, ep,
// "otelcol_connector_kafkalink_kafka_records", map[string]string{"output": "logs", "result": "linked"}).
// Counters are looked up with and without the _total suffix.
func metricValue(t testing.TB, endpoint, name string, labels map[string]string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + endpoint + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	var sum float64
	for _, n := range []string{name, name + "_total"} {
		family := families[n]
		if family == nil {
			continue
		}
	series:
		for _, m := range family.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
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
			}
		}
	}
	return sum
}
