// Package config reads the comparison's YAML file.
package config // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"

import (
	"context"
	"fmt"
	"time"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
)

// Config is the comparison's YAML file. It is read with the collector's own
// confmap resolver, so `${env:NAME}` and `${env:NAME:-default}` work as they
// do in collector configs: keep passwords in the environment, not the file.
type Config struct {
	Run        RunConfig         `mapstructure:"run"`
	Workload   workload.Config   `mapstructure:"workload"`
	Collector  TargetConfig      `mapstructure:"collector"`
	Collectors []CollectorConfig `mapstructure:"collectors"`
	Processes  []ProcessConfig   `mapstructure:"processes"`
	Queries    QueryConfig       `mapstructure:"queries"`
	Backends   []BackendConfig   `mapstructure:"backends"`
}

// RunConfig controls one run as a whole.
type RunConfig struct {
	// RunID marks every span and event of the run (resource attribute
	// benchmark.run_id) so counts and queries see this run only. Empty: one
	// is made from the seed and the start time.
	RunID string `mapstructure:"run_id"`
	// OutDir receives report.md, report.json and charts/*.png.
	OutDir string `mapstructure:"out_dir"`
	// IngestTimeout bounds the wait for every backend to hold all data,
	// counted from the end of sending. Reaching it is a failure.
	IngestTimeout time.Duration `mapstructure:"ingest_timeout"`
	// PollInterval is how often counts and collector metrics are read.
	PollInterval time.Duration `mapstructure:"poll_interval"`
	// RecordDir, when set, saves every raw backend response there (one file
	// per request kind and backend), to refresh the adapters' test fixtures
	// from real services.
	RecordDir string `mapstructure:"record_dir"`
}

// TargetConfig is where the workload is sent: the collector under test.
type TargetConfig struct {
	// OTLPEndpoint is the OTLP/HTTP base URL; traces go to /v1/traces.
	OTLPEndpoint string `mapstructure:"otlp_endpoint"`
	// EventsEndpoint is the eventsplit receiver's base URL; events go to
	// /v1/events. Needed only when workload.events > 0.
	EventsEndpoint string                         `mapstructure:"events_endpoint"`
	Headers        map[string]configopaque.String `mapstructure:"headers"`
	TLS            configtls.ClientConfig         `mapstructure:"tls"`
	Timeout        time.Duration                  `mapstructure:"timeout"`
}

// CollectorConfig is a collector whose own Prometheus metrics are scraped
// for CPU, memory and exporter results: the one under test, a gateway behind
// it, or Jaeger v2 (itself built on the collector).
type CollectorConfig struct {
	Name       string `mapstructure:"name"`
	MetricsURL string `mapstructure:"metrics_url"`
}

// ProcessConfig is a process on this machine whose CPU time and resident
// memory are measured from /proc during the run, with everything it
// started (a backend's server and its workers): the local stack's
// ClickHouse and Jaeger, say.
type ProcessConfig struct {
	Name string `mapstructure:"name"`
	// PIDFile holds the process id (the local stack writes one per service,
	// rewritten when the service restarts).
	PIDFile string `mapstructure:"pid_file"`
}

// QueryConfig sets the query phase.
type QueryConfig struct {
	// Repeat is how many queries of each kind run per backend; each one asks
	// for a different trace or window so no cache answers twice.
	Repeat  int           `mapstructure:"repeat"`
	Timeout time.Duration `mapstructure:"timeout"`
	// SearchLimit caps the traces one search returns (Jaeger's limit, the
	// SQL LIMIT). Windows are chosen so that the expected result is smaller.
	SearchLimit int `mapstructure:"search_limit"`
}

// BackendConfig is one storage backend the collector fans out to.
type BackendConfig struct {
	Name string `mapstructure:"name"`
	// Type is clickhouse or jaeger.
	Type string `mapstructure:"type"`
	// Exporter names the collector exporter writing to this backend, for the
	// write success and failure counts (e.g. {collector: gateway, name:
	// otlp_grpc/jaeger}). Optional.
	Exporter ExporterRef `mapstructure:"exporter"`
	// Process names the entry of processes (or collectors, for Jaeger v2,
	// which is a collector) whose CPU and memory are this backend's cost.
	Process string `mapstructure:"process"`
	// SkipQueries names query kinds (trace_by_id, search) this backend
	// cannot answer, each with the reason, which the report prints in place
	// of the figures. A skipped kind does not make the run incomplete; a
	// kind that is not skipped and fails does.
	SkipQueries map[string]string `mapstructure:"skip_queries"`
	ClickHouse  ClickHouseConfig  `mapstructure:"clickhouse"`
	Jaeger      JaegerConfig      `mapstructure:"jaeger"`
}

// ExporterRef points at an exporter in one of the scraped collectors.
type ExporterRef struct {
	Collector string `mapstructure:"collector"`
	Name      string `mapstructure:"name"`
}

// HTTPEndpoint is an HTTP API with optional basic auth and TLS.
type HTTPEndpoint struct {
	Endpoint string                 `mapstructure:"endpoint"`
	Username string                 `mapstructure:"username"`
	Password configopaque.String    `mapstructure:"password"`
	TLS      configtls.ClientConfig `mapstructure:"tls"`
}

// ClickHouseConfig reaches ClickHouse's HTTP interface and the tables the
// contrib clickhouse exporter writes.
type ClickHouseConfig struct {
	HTTPEndpoint `mapstructure:",squash"`
	Database     string `mapstructure:"database"`
	TracesTable  string `mapstructure:"traces_table"`
	LogsTable    string `mapstructure:"logs_table"`
}

// JaegerConfig reaches Jaeger's query API, and the storage it writes to for
// the bytes on disk: spans are counted and queried through Jaeger itself.
type JaegerConfig struct {
	Query HTTPEndpoint `mapstructure:"query"`
	// Storage is Jaeger's backend: elasticsearch, badger or clickhouse.
	Storage       string              `mapstructure:"storage"`
	Elasticsearch ElasticsearchConfig `mapstructure:"elasticsearch"`
	Badger        BadgerConfig        `mapstructure:"badger"`
	ClickHouse    JaegerClickHouse    `mapstructure:"clickhouse"`
}

// BadgerConfig is where Jaeger's Badger storage keeps its files.
type BadgerConfig struct {
	Directory string `mapstructure:"directory"`
}

// JaegerClickHouse is the ClickHouse (HTTP interface) and database Jaeger's
// clickhouse storage writes to.
type JaegerClickHouse struct {
	HTTPEndpoint `mapstructure:",squash"`
	Database     string `mapstructure:"database"`
}

// ElasticsearchConfig names Jaeger's indices. The patterns match any index
// prefix and date layout Jaeger uses.
type ElasticsearchConfig struct {
	HTTPEndpoint   `mapstructure:",squash"`
	SpanIndices    string `mapstructure:"span_indices"`
	ServiceIndices string `mapstructure:"service_indices"`
}

// Default is the configuration a file is read over.
func Default() Config {
	return Config{
		Run: RunConfig{
			OutDir:        "results/compare",
			IngestTimeout: 2 * time.Minute,
			PollInterval:  250 * time.Millisecond,
		},
		Workload: workload.DefaultConfig(),
		Collector: TargetConfig{
			OTLPEndpoint: "http://127.0.0.1:4318",
			Timeout:      10 * time.Second,
		},
		Queries: QueryConfig{Repeat: 50, Timeout: 10 * time.Second, SearchLimit: 200},
	}
}

func (b *BackendConfig) applyDefaults() {
	switch b.Type {
	case BackendClickHouse:
		if b.ClickHouse.Database == "" {
			b.ClickHouse.Database = "otel"
		}
		if b.ClickHouse.TracesTable == "" {
			b.ClickHouse.TracesTable = "otel_traces"
		}
		if b.ClickHouse.LogsTable == "" {
			b.ClickHouse.LogsTable = "otel_logs"
		}
		if b.ClickHouse.Username == "" {
			b.ClickHouse.Username = "default"
		}
	case BackendJaeger:
		if b.Jaeger.Storage == "" {
			b.Jaeger.Storage = StorageElasticsearch
		}
		if b.Jaeger.Elasticsearch.SpanIndices == "" {
			b.Jaeger.Elasticsearch.SpanIndices = "*jaeger-span-*"
		}
		if b.Jaeger.Elasticsearch.ServiceIndices == "" {
			b.Jaeger.Elasticsearch.ServiceIndices = "*jaeger-service-*"
		}
		if b.Jaeger.ClickHouse.Database == "" {
			b.Jaeger.ClickHouse.Database = "jaeger"
		}
		if b.Jaeger.ClickHouse.Username == "" {
			b.Jaeger.ClickHouse.Username = "default"
		}
	}
}

// Backend types, Jaeger storages and query kinds.
const (
	QueryTraceByID = "trace_by_id"
	QuerySearch    = "search"

	BackendClickHouse = "clickhouse"
	BackendJaeger     = "jaeger"

	StorageElasticsearch = "elasticsearch"
	StorageBadger        = "badger"
	StorageClickHouse    = "clickhouse"
)

// Load resolves path with the collector's file and env providers and
// decodes it over the defaults.
func Load(ctx context.Context, path string) (Config, error) {
	cfg := Default()
	resolver, err := confmap.NewResolver(confmap.ResolverSettings{
		URIs:              []string{"file:" + path},
		ProviderFactories: []confmap.ProviderFactory{fileprovider.NewFactory(), envprovider.NewFactory()},
		DefaultScheme:     "env",
	})
	if err != nil {
		return cfg, err
	}
	conf, err := resolver.Resolve(ctx)
	if err != nil {
		return cfg, fmt.Errorf("reading %s: %w", path, err)
	}
	if err := conf.Unmarshal(&cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	for i := range cfg.Backends {
		cfg.Backends[i].applyDefaults()
	}
	return cfg, nil
}
