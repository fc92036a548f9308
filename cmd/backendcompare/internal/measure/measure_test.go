package measure

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
)

// A collector whose counters move between scrapes: deltas and the peak RSS
// come from the first and every scrape.
func TestCollectorDeltasAndPeak(t *testing.T) {
	bodies := []string{
		"otelcol_process_cpu_seconds_total 1.5\notelcol_process_memory_rss_bytes 100\notelcol_exporter_sent_spans_total{exporter=\"clickhouse\"} 10\n",
		"otelcol_process_cpu_seconds_total 2.0\notelcol_process_memory_rss_bytes 300\notelcol_exporter_sent_spans_total{exporter=\"clickhouse\"} 60\n",
		"otelcol_process_cpu_seconds_total 4.0\notelcol_process_memory_rss_bytes 200\notelcol_exporter_sent_spans_total{exporter=\"clickhouse\"} 110\n",
	}
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(bodies[min(n, len(bodies)-1)]))
		n++
	}))
	defer srv.Close()
	c := NewCollector(config.CollectorConfig{Name: "gw", MetricsURL: srv.URL}, time.Second)
	for range bodies {
		require.NoError(t, c.Scrape(context.Background()))
	}
	f := c.Figures()
	require.NotNil(t, f.CPUSeconds)
	assert.InDelta(t, 2.5, *f.CPUSeconds, 1e-9)
	assert.Equal(t, 300.0, *f.PeakRSSBytes)
	sent, ok := c.Delta(MetricExporterSent, map[string]string{"exporter": "clickhouse"})
	assert.True(t, ok)
	assert.Equal(t, 100.0, sent)
}
