package measure

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// The process sampler reads the real /proc: a shell and the sleep it
// started are one tree, whose memory is the sum of both.
func TestProcessSamplesTheTree(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 30 & sleep 30; wait")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	pidFile := filepath.Join(t.TempDir(), "p.pid")
	require.NoError(t, os.WriteFile(pidFile, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o600))
	p := NewProcess(config.ProcessConfig{Name: "sh", PIDFile: pidFile})
	require.Eventually(t, func() bool {
		cpu, _, err := p.read()
		return err == nil && len(cpu) >= 3 // sh and its two sleeps
	}, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, p.Sample())
	require.NoError(t, p.Sample())
	f := p.Figures()
	require.NotNil(t, f.CPUSeconds)
	assert.GreaterOrEqual(t, *f.CPUSeconds, 0.0)
	assert.Greater(t, *f.PeakRSSBytes, 0.0)
	assert.Equal(t, 2, f.Samples)
}

func TestProcessErrorsSayWhat(t *testing.T) {
	p := NewProcess(config.ProcessConfig{Name: "gone", PIDFile: filepath.Join(t.TempDir(), "missing.pid")})
	require.ErrorContains(t, p.Sample(), "process gone")
	f := p.Figures()
	assert.Nil(t, f.CPUSeconds, "never measured: missing, not zero")
	assert.NotEmpty(t, f.Problems)

	self, err := os.ReadFile("/proc/self/stat")
	require.NoError(t, err)
	st, ok := parseStat(self, 4096)
	require.True(t, ok)
	assert.Equal(t, os.Getppid(), st.ppid, "the real stat line of this test")
}
