//go:build integration

package integration

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-events/otelcol-events/internal/promscrape"
)

// metricValue sums a collector's internal Prometheus metric over the series
// carrying every label given, e.g. metricValue(t, ep,
// "otelcol_connector_kafkalink_kafka_records", map[string]string{"output": "logs", "result": "linked"}).
// A metric with no matching series is 0.
func metricValue(t testing.TB, endpoint, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := scrape(endpoint)
	require.NoError(t, err)
	sum, _ := families.Sum(name, labels)
	return sum
}

// scrape reads a collector's own metrics, once.
func scrape(endpoint string) (promscrape.Families, error) {
	resp, err := http.Get("http://" + endpoint + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return promscrape.Parse(body)
}
