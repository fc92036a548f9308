package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// JaegerConfig starts Jaeger v2 with Badger storage (deploy/local/jaeger.yaml)
// or ClickHouse storage (deploy/local/jaeger-clickhouse.yaml).
type JaegerConfig struct {
	// Name names the process in logs and pid files (default "jaeger").
	Name string
	// Binary is the jaeger binary (default DefaultJaegerBinary).
	Binary string
	// ConfigFile is the Jaeger v2 config; it reads the ports and the storage
	// location from the environment this sets.
	ConfigFile string
	Host       string
	Ports      JaegerPorts
	// DataDir holds Badger's keys and values; kept across restarts. Set it
	// for Badger storage.
	DataDir string
	// ClickHouse is the server and database for ClickHouse storage.
	ClickHouse *JaegerClickHouse
	Output     io.Writer
}

// JaegerPorts are what one Jaeger listens on: OTLP in, the query API (HTTP
// and gRPC), health, its own metrics.
type JaegerPorts struct {
	OTLPGRPC, OTLPHTTP, Query, QueryGRPC, Health, Metrics int
}

// JaegerClickHouse is where Jaeger's ClickHouse storage writes.
type JaegerClickHouse struct {
	// TCPAddr is host:port of the native protocol (Jaeger writes with it).
	TCPAddr string
	// HTTPAddr is host:port of the HTTP interface, used to create Database
	// before Jaeger starts: Jaeger creates its tables, not the database.
	HTTPAddr string
	Database string
}

// Jaeger is a running Jaeger.
type Jaeger struct {
	*Process
	cfg JaegerConfig
}

// OTLPGRPCEndpoint is where Jaeger takes OTLP over gRPC (host:port).
func (j *Jaeger) OTLPGRPCEndpoint() string { return j.cfg.addr(j.cfg.Ports.OTLPGRPC) }

// QueryURL is the base URL of Jaeger's query API (/api/traces, /api/v3/...).
func (j *Jaeger) QueryURL() string { return j.cfg.QueryURL() }

// MetricsURL is Jaeger's own Prometheus endpoint.
func (j *Jaeger) MetricsURL() string { return "http://" + j.cfg.addr(j.cfg.Ports.Metrics) + "/metrics" }

// DataDir is where Badger keeps the spans.
func (j *Jaeger) DataDir() string { return j.cfg.DataDir }

// QueryURL is the base URL of the query API this config serves.
func (cfg JaegerConfig) QueryURL() string { return "http://" + cfg.addr(cfg.Ports.Query) }

func (cfg JaegerConfig) addr(port int) string { return Port{Host: cfg.Host, Port: port}.Addr() }

// PortList lists what Jaeger listens on, for a check before it starts.
func (cfg JaegerConfig) PortList() []Port {
	what := cfg.Name
	if what == "" {
		what = "jaeger"
	}
	return []Port{
		{Host: cfg.Host, Port: cfg.Ports.OTLPGRPC, What: what + " OTLP/gRPC"},
		{Host: cfg.Host, Port: cfg.Ports.OTLPHTTP, What: what + " OTLP/HTTP"},
		{Host: cfg.Host, Port: cfg.Ports.Query, What: what + " query API"},
		{Host: cfg.Host, Port: cfg.Ports.QueryGRPC, What: what + " query gRPC"},
		{Host: cfg.Host, Port: cfg.Ports.Health, What: what + " health check"},
		{Host: cfg.Host, Port: cfg.Ports.Metrics, What: what + " internal metrics"},
	}
}

// StartJaeger starts Jaeger and returns once its query API answers.
func StartJaeger(ctx context.Context, cfg JaegerConfig) (*Jaeger, error) {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Name == "" {
		cfg.Name = "jaeger"
	}
	if cfg.Binary == "" {
		cfg.Binary = DefaultJaegerBinary()
	}
	if _, err := os.Stat(cfg.Binary); err != nil {
		return nil, fmt.Errorf("jaeger binary not found at %s: run `make jaeger` (builds github.com/jaegertracing/jaeger@%s from the Go module proxy into the cache, ~5 min), or set $JAEGER_BIN", cfg.Binary, JaegerVersion)
	}
	if err := CheckPortsFree(cfg.PortList()...); err != nil {
		return nil, err
	}
	storageEnv, err := cfg.prepareStorage(ctx)
	if err != nil {
		return nil, err
	}
	env := append([]string{
		"JAEGER_HOST=" + cfg.Host,
		"JAEGER_OTLP_GRPC_PORT=" + strconv.Itoa(cfg.Ports.OTLPGRPC),
		"JAEGER_OTLP_HTTP_PORT=" + strconv.Itoa(cfg.Ports.OTLPHTTP),
		"JAEGER_QUERY_PORT=" + strconv.Itoa(cfg.Ports.Query),
		"JAEGER_QUERY_GRPC_PORT=" + strconv.Itoa(cfg.Ports.QueryGRPC),
		"JAEGER_HEALTH_PORT=" + strconv.Itoa(cfg.Ports.Health),
		"JAEGER_METRICS_PORT=" + strconv.Itoa(cfg.Ports.Metrics),
	}, storageEnv...)
	p, err := StartProcess(ProcessSpec{
		Name:   cfg.Name,
		Path:   cfg.Binary,
		Args:   []string{"--config", cfg.ConfigFile},
		Env:    env,
		Output: cfg.Output,
	})
	if err != nil {
		return nil, err
	}
	j := &Jaeger{Process: p, cfg: cfg}
	if err := p.WaitReady(ctx, 60*time.Second, HTTPReady(j.QueryURL()+"/api/services")); err != nil {
		_ = p.Stop()
		return nil, err
	}
	return j, nil
}

// prepareStorage makes the Badger directory or the ClickHouse database and
// returns the environment the config file reads them from.
func (cfg JaegerConfig) prepareStorage(ctx context.Context) ([]string, error) {
	switch {
	case cfg.ClickHouse != nil && cfg.DataDir != "":
		return nil, errors.New("jaeger: set DataDir (Badger) or ClickHouse, not both")
	case cfg.ClickHouse != nil:
		ch := cfg.ClickHouse
		if _, err := ClickHouseQuery(ctx, ch.HTTPAddr, "CREATE DATABASE IF NOT EXISTS "+ch.Database); err != nil {
			return nil, fmt.Errorf("jaeger: create ClickHouse database %s: %w", ch.Database, err)
		}
		return []string{"JAEGER_CLICKHOUSE_ADDRESS=" + ch.TCPAddr, "JAEGER_CLICKHOUSE_DATABASE=" + ch.Database}, nil
	case cfg.DataDir != "":
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("jaeger data dir: %w", err)
		}
		return []string{"JAEGER_BADGER_DIR=" + cfg.DataDir}, nil
	default:
		return nil, errors.New("jaeger: no storage: set DataDir (Badger) or ClickHouse")
	}
}
