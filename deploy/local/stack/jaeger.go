package stack

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"
)

// JaegerConfig starts Jaeger v2 with Badger storage (deploy/local/jaeger.yaml).
type JaegerConfig struct {
	// Binary is the jaeger binary (default DefaultJaegerBinary).
	Binary string
	// ConfigFile is the Jaeger v2 config; it reads the ports and the Badger
	// directory from the environment this sets.
	ConfigFile string
	Host       string
	// Ports: OTLP in, the query API (HTTP and gRPC), health, own metrics.
	OTLPGRPCPort, OTLPHTTPPort, QueryPort, QueryGRPCPort, HealthPort, MetricsPort int
	// DataDir holds Badger's keys and values; kept across restarts.
	DataDir string
	Output  io.Writer
}

// Jaeger is a running Jaeger.
type Jaeger struct {
	*Process
	cfg JaegerConfig
}

// OTLPGRPCEndpoint is where Jaeger takes OTLP over gRPC (host:port).
func (j *Jaeger) OTLPGRPCEndpoint() string { return j.addr(j.cfg.OTLPGRPCPort) }

// QueryURL is the base URL of Jaeger's query API (/api/traces, /api/v3/...).
func (j *Jaeger) QueryURL() string { return "http://" + j.addr(j.cfg.QueryPort) }

// MetricsURL is Jaeger's own Prometheus endpoint.
func (j *Jaeger) MetricsURL() string { return "http://" + j.addr(j.cfg.MetricsPort) + "/metrics" }

// DataDir is where Badger keeps the spans.
func (j *Jaeger) DataDir() string { return j.cfg.DataDir }

func (j *Jaeger) addr(port int) string { return net.JoinHostPort(j.cfg.Host, strconv.Itoa(port)) }

// Ports lists what Jaeger listens on, for a check before it starts.
func (cfg JaegerConfig) Ports() []Port {
	return []Port{
		{Host: cfg.Host, Port: cfg.OTLPGRPCPort, What: "Jaeger OTLP/gRPC"},
		{Host: cfg.Host, Port: cfg.OTLPHTTPPort, What: "Jaeger OTLP/HTTP"},
		{Host: cfg.Host, Port: cfg.QueryPort, What: "Jaeger query API"},
		{Host: cfg.Host, Port: cfg.QueryGRPCPort, What: "Jaeger query gRPC"},
		{Host: cfg.Host, Port: cfg.HealthPort, What: "Jaeger health check"},
		{Host: cfg.Host, Port: cfg.MetricsPort, What: "Jaeger internal metrics"},
	}
}

// StartJaeger starts Jaeger and returns once its query API answers.
func StartJaeger(ctx context.Context, cfg JaegerConfig) (*Jaeger, error) {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Binary == "" {
		cfg.Binary = DefaultJaegerBinary()
	}
	if _, err := os.Stat(cfg.Binary); err != nil {
		return nil, fmt.Errorf("jaeger binary not found at %s: run `make jaeger` (builds github.com/jaegertracing/jaeger@%s from the Go module proxy into the cache, ~5 min), or set $JAEGER_BIN", cfg.Binary, JaegerVersion)
	}
	if err := CheckPortsFree(cfg.Ports()...); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("jaeger data dir: %w", err)
	}
	env := []string{
		"JAEGER_HOST=" + cfg.Host,
		"JAEGER_OTLP_GRPC_PORT=" + strconv.Itoa(cfg.OTLPGRPCPort),
		"JAEGER_OTLP_HTTP_PORT=" + strconv.Itoa(cfg.OTLPHTTPPort),
		"JAEGER_QUERY_PORT=" + strconv.Itoa(cfg.QueryPort),
		"JAEGER_QUERY_GRPC_PORT=" + strconv.Itoa(cfg.QueryGRPCPort),
		"JAEGER_HEALTH_PORT=" + strconv.Itoa(cfg.HealthPort),
		"JAEGER_METRICS_PORT=" + strconv.Itoa(cfg.MetricsPort),
		"JAEGER_BADGER_DIR=" + cfg.DataDir,
	}
	p, err := StartProcess(ProcessSpec{
		Name:   "jaeger",
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
