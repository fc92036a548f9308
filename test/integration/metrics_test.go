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
	resp, err := http.Get("http://" + endpoint + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	families, err := promscrape.Parse(body)
	require.NoError(t, err)
	sum, _ := families.Sum(name, labels)
	return sum
}
