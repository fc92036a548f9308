package promscrape

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What Jaeger v2.13's own collector served (make jaeger-fixtures): the
// collector's metric names with the suffixes its Prometheus exporter adds.
func TestRecordedCollectorMetrics(t *testing.T) {
	text, err := os.ReadFile("testdata/jaeger-2.13.0-metrics.txt")
	require.NoError(t, err)
	fams, err := Parse(text)
	require.NoError(t, err)
	cpu, ok := fams.Sum("otelcol_process_cpu_seconds", nil)
	require.True(t, ok, "the _total suffix of counters is found")
	assert.Positive(t, cpu)
	rss, ok := fams.Sum("otelcol_process_memory_rss", nil)
	require.True(t, ok, "the _bytes unit suffix is found")
	assert.Greater(t, rss, float64(1<<20))
	assert.Contains(t, fams.LabelValues("otelcol_receiver_accepted_spans", "receiver"), "otlp")
	otlp, ok := fams.Sum("otelcol_receiver_accepted_spans", map[string]string{"receiver": "otlp"})
	require.True(t, ok)
	all, _ := fams.Sum("otelcol_receiver_accepted_spans", nil)
	assert.LessOrEqual(t, otlp, all, "a label filter narrows the sum")
	_, ok = fams.Sum("otelcol_receiver_accepted_spans", map[string]string{"receiver": "no-such"})
	assert.False(t, ok, "a label filter that matches nothing is no figure")
}

func TestParseRejectsWhatIsNotPrometheusText(t *testing.T) {
	_, err := Parse([]byte("<html>not metrics</html>\n"))
	require.Error(t, err)
}
