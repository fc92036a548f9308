package main

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What the collector v0.158.0 served on :8888 (trimmed from a local run).
const collectorMetrics = `# HELP otelcol_exporter_sent_spans Number of spans successfully sent to destination. [Alpha]
# TYPE otelcol_exporter_sent_spans counter
otelcol_exporter_sent_spans{exporter="clickhouse"} 1940
otelcol_exporter_sent_spans{exporter="kafka"} 1937
otelcol_exporter_send_failed_spans_total{exporter="otlp_grpc/jaeger",error_type="Unavailable"} 12
# TYPE otelcol_process_cpu_seconds counter
otelcol_process_cpu_seconds 0.28
otelcol_process_memory_rss 7.6951552e+07
otelcol_receiver_accepted_spans{receiver="otlp",transport="http"} 1934
weird_label{path="C:\\dir",msg="say \"hi\"\nbye"} +Inf 1700000000000
`

func TestParsePromText(t *testing.T) {
	samples, err := parsePromText(collectorMetrics)
	require.NoError(t, err)
	require.Len(t, samples, 7)

	v, ok := sumMetric(samples, metricExporterSent, map[string]string{"exporter": "clickhouse"})
	assert.True(t, ok)
	assert.Equal(t, 1940.0, v)
	v, ok = sumMetric(samples, metricExporterFailed, map[string]string{"exporter": "otlp_grpc/jaeger"})
	assert.True(t, ok, "the _total suffix is accepted")
	assert.Equal(t, 12.0, v)
	v, _ = sumMetric(samples, metricRSS, nil)
	assert.Equal(t, 76951552.0, v)
	_, ok = sumMetric(samples, metricExporterSent, map[string]string{"exporter": "nope"})
	assert.False(t, ok)

	last := samples[6]
	assert.Equal(t, map[string]string{"path": `C:\dir`, "msg": "say \"hi\"\nbye"}, last.Labels)
	assert.True(t, math.IsInf(last.Value, 1))
}

func TestParsePromTextErrors(t *testing.T) {
	for _, bad := range []string{
		"{a=\"b\"} 1",
		"metric{a=\"b\" 1",
		"metric{a=b} 1",
		"metric{a=\"b\"c} 1",
		"metric one",
		"metric 1 2 3",
		"metric",
		`metric{a="unterminated} 1`,
	} {
		_, err := parsePromText("ok 1\n" + bad + "\n")
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "metrics line 2")
	}
}

func FuzzParsePromText(f *testing.F) {
	f.Add(collectorMetrics)
	f.Add(`a{b="c",d="e"} 1e3`)
	f.Add(`a{} NaN`)
	f.Add("a{b=\"\\\"} 1")
	f.Fuzz(func(t *testing.T, text string) {
		samples, err := parsePromText(text)
		if err != nil {
			return
		}
		for _, s := range samples {
			if s.Name == "" {
				t.Fatalf("sample without a name from %q", text)
			}
		}
	})
}
