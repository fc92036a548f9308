package config

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"
)

func TestLoadConfig(t *testing.T) {
	t.Setenv("TEST_OUT_DIR", "/tmp/out")
	t.Setenv("TEST_CLICKHOUSE_PASSWORD", "s3cret")
	cfg, err := Load(context.Background(), "testdata/config.yaml")
	require.NoError(t, err)
	require.NoError(t, cfg.Validate())

	assert.Equal(t, "fixed-run", cfg.Run.RunID)
	assert.Equal(t, "/tmp/out", cfg.Run.OutDir, "${env:...} is expanded")
	assert.Equal(t, 30*time.Second, cfg.Run.IngestTimeout)
	assert.Equal(t, 250*time.Millisecond, cfg.Run.PollInterval, "unset keys keep their defaults")
	assert.Equal(t, uint64(7), cfg.Workload.Seed)
	assert.Equal(t, 100, cfg.Workload.Traces)
	assert.Equal(t, workload.DefaultConfig().Services, cfg.Workload.Services)
	assert.Equal(t, "team-a", string(cfg.Collector.Headers["x-tenant"]))

	require.Len(t, cfg.Backends, 2)
	ch := cfg.Backends[0].ClickHouse
	assert.Equal(t, "s3cret", string(ch.Password))
	assert.Equal(t, "default", ch.Username)
	assert.Equal(t, "otel", ch.Database)
	assert.Equal(t, "otel_traces", ch.TracesTable)
	es := cfg.Backends[1].Jaeger.Elasticsearch
	assert.Equal(t, "changeme", string(es.Password), "${env:NAME:-default}")
	assert.Equal(t, "*jaeger-span-*", es.SpanIndices)
}

func TestLoadConfigErrors(t *testing.T) {
	_, err := Load(context.Background(), filepath.Join(t.TempDir(), "missing.yaml"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing.yaml")

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("workload:\n  traces: many\n"), 0o600))
	_, err = Load(context.Background(), bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "traces")
}

func validConfig() Config {
	cfg := Default()
	cfg.Collectors = []CollectorConfig{{Name: "c", MetricsURL: "http://127.0.0.1:8888/metrics"}}
	cfg.Backends = []BackendConfig{{Name: "ch", Type: BackendClickHouse, ClickHouse: ClickHouseConfig{HTTPEndpoint: HTTPEndpoint{Endpoint: "http://127.0.0.1:8123"}}}}
	cfg.Backends[0].applyDefaults()
	return cfg
}

func TestConfigValidate(t *testing.T) {
	require.NoError(t, func() error { c := validConfig(); return c.Validate() }())
	for name, tc := range map[string]struct {
		mutate func(*Config)
		want   string
	}{
		"no backends":          {func(c *Config) { c.Backends = nil }, "at least one backend"},
		"unknown type":         {func(c *Config) { c.Backends[0].Type = "tempo" }, `type "tempo"`},
		"duplicate backend":    {func(c *Config) { c.Backends = append(c.Backends, c.Backends[0]) }, "used twice"},
		"bad endpoint":         {func(c *Config) { c.Backends[0].ClickHouse.Endpoint = "127.0.0.1:8123" }, "want an http:// or https:// URL"},
		"unknown collector":    {func(c *Config) { c.Backends[0].Exporter = ExporterRef{Collector: "x", Name: "clickhouse"} }, `"x" is not in collectors`},
		"zero traces":          {func(c *Config) { c.Workload.Traces = 0 }, "workload.traces"},
		"negative rate":        {func(c *Config) { c.Workload.Rate = -1 }, "workload.rate"},
		"error ratio":          {func(c *Config) { c.Workload.ErrorRatio = 1.5 }, "workload.error_ratio"},
		"events need endpoint": {func(c *Config) { c.Workload.Events = 10 }, "collector.events_endpoint"},
		"jaeger needs es": {func(c *Config) {
			c.Backends[0] = BackendConfig{Name: "j", Type: BackendJaeger, Jaeger: JaegerConfig{Storage: StorageElasticsearch, Query: HTTPEndpoint{Endpoint: "http://127.0.0.1:16686"}}}
		}, "jaeger.elasticsearch.endpoint"},
		"badger needs its directory": {func(c *Config) {
			c.Backends[0] = BackendConfig{Name: "j", Type: BackendJaeger, Jaeger: JaegerConfig{Storage: StorageBadger, Query: HTTPEndpoint{Endpoint: "http://127.0.0.1:16686"}}}
		}, "jaeger.badger.directory must be set"},
		"unknown jaeger storage": {func(c *Config) {
			c.Backends[0] = BackendConfig{Name: "j", Type: BackendJaeger, Jaeger: JaegerConfig{Storage: "cassandra", Query: HTTPEndpoint{Endpoint: "http://127.0.0.1:16686"}}}
		}, `storage "cassandra"`},
		"unknown process":          {func(c *Config) { c.Backends[0].Process = "nope" }, `process "nope" is neither`},
		"process without pid file": {func(c *Config) { c.Processes = []ProcessConfig{{Name: "p"}} }, "needs a name and a pid_file"},
		"unknown skipped query":    {func(c *Config) { c.Backends[0].SkipQueries = map[string]string{"aggregate": "x"} }, `unknown query kind "aggregate"`},
		"skip without reason":      {func(c *Config) { c.Backends[0].SkipQueries = map[string]string{"search": ""} }, "give the reason"},
		"no timeout":               {func(c *Config) { c.Run.IngestTimeout = 0 }, "run.ingest_timeout"},
		"zero repeats":             {func(c *Config) { c.Queries.Repeat = 0 }, "queries.repeat"},
	} {
		t.Run(name, func(t *testing.T) {
			c := validConfig()
			tc.mutate(&c)
			err := c.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// The shipped comparison configs load and validate, and point the write
// figures at exporters the collector configs really have.
func TestShippedConfigsValidate(t *testing.T) {
	for _, tc := range []struct {
		file      string
		backends  []string
		exporters []string
		configs   []string
	}{
		{"../../../../deploy/local/compare.yaml", []string{"clickhouse", "jaeger-badger", "jaeger-clickhouse"}, []string{"clickhouse", "otlp_grpc/jaeger", "otlp_grpc/jaeger_clickhouse"}, []string{"../../../../config/gateway.yaml", "../../../../config/agent.yaml", "../../../../deploy/local/compare-collector.yaml"}},
		{"../../../../deploy/compose/compare.yaml", []string{"clickhouse", "jaeger-elasticsearch"}, []string{"clickhouse", "otlp_grpc/jaeger"}, []string{"../../../../config/gateway.yaml"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Setenv("CLICKHOUSE_PASSWORD", "x")
			cfg, err := Load(context.Background(), tc.file)
			require.NoError(t, err)
			require.NoError(t, cfg.Validate())
			var names, exporters []string
			for _, b := range cfg.Backends {
				names = append(names, b.Name)
				exporters = append(exporters, b.Exporter.Name)
			}
			assert.Equal(t, tc.backends, names)
			assert.Equal(t, tc.exporters, exporters)
			var collectorConfig string
			for _, c := range tc.configs {
				data, err := os.ReadFile(c)
				require.NoError(t, err)
				collectorConfig += string(data)
			}
			for _, e := range tc.exporters {
				assert.Contains(t, collectorConfig, "\n  "+e+":", "%v define exporter %s", tc.configs, e)
			}
		})
	}
}
