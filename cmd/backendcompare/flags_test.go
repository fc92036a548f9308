package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Flags that are given override the file, even with a zero value; flags
// that are not given leave the file's settings alone.
func TestConfigureAppliesOnlyTheFlagsGiven(t *testing.T) {
	path := writeConfig(t, `
run: {out_dir: from-file, ingest_timeout: 3m}
workload: {traces: 10, seed: 7, rate: 500}
collector: {otlp_endpoint: http://127.0.0.1:1}
queries: {repeat: 4}
backends:
  - name: clickhouse
    type: clickhouse
    clickhouse: {endpoint: http://127.0.0.1:2}
`)
	var stderr bytes.Buffer
	cfg, code := configure(context.Background(), []string{
		"-config", path, "-out", "from-flag", "-rate", "0", "-seed", "9", "-ingest-timeout", "5s",
	}, &stderr)
	require.Equal(t, exitComplete, code, stderr.String())
	assert.Equal(t, "from-flag", cfg.Run.OutDir)
	assert.Zero(t, cfg.Workload.Rate, "a zero given as a flag is a setting")
	assert.Equal(t, uint64(9), cfg.Workload.Seed)
	assert.Equal(t, 5*time.Second, cfg.Run.IngestTimeout)
	assert.Equal(t, 10, cfg.Workload.Traces, "not given: the file's value")
	assert.Equal(t, 4, cfg.Queries.Repeat, "not given: the file's value")

	_, code = configure(context.Background(), []string{"-config", path, "extra"}, &stderr)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr.String(), "unexpected arguments [extra]")
}
