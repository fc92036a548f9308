package stack

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"time"
)

// Binaries that `make build` leaves in bin/.
const (
	CollectorBinary  = "otelcol-events"
	ClickHouseBinary = "chdb-server"
	KafkaBinary      = "kafka-broker"
)

// ClickHouseConfig starts a ClickHouse server through the chdb-server launcher.
type ClickHouseConfig struct {
	BinDir   string
	Library  string // libchdb.so; empty: DefaultCHDBLibrary
	DataDir  string
	Host     string
	TCPPort  int
	HTTPPort int
	Output   io.Writer
	// ReadyTimeout bounds the wait for SELECT 1 (default 90s: the first start
	// maps a 566 MB library).
	ReadyTimeout time.Duration
	// SystemLogs keeps system.query_log and system.part_log (chdb-server
	// -system-logs), to measure where the server's CPU goes.
	SystemLogs bool
}

// ClickHouse is a running local ClickHouse.
type ClickHouse struct {
	*Process
	Host     string
	TCPPort  int
	HTTPPort int
	DataDir  string
}

// TCPEndpoint is the clickhouse exporter's endpoint for this server.
func (c *ClickHouse) TCPEndpoint() string {
	return "tcp://" + net.JoinHostPort(c.Host, strconv.Itoa(c.TCPPort))
}

// HTTPAddr is host:port of the HTTP interface.
func (c *ClickHouse) HTTPAddr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.HTTPPort)) }

// Query runs a statement over HTTP and returns its raw answer.
func (c *ClickHouse) Query(ctx context.Context, query string) (string, error) {
	return ClickHouseQuery(ctx, c.HTTPAddr(), query)
}

// PortList lists what the server listens on, for a check before it starts.
func (cfg ClickHouseConfig) PortList() []Port {
	return []Port{
		{Host: cfg.Host, Port: cfg.TCPPort, What: "ClickHouse native protocol"},
		{Host: cfg.Host, Port: cfg.HTTPPort, What: "ClickHouse HTTP"},
	}
}

// StartClickHouse starts the server and returns once SELECT 1 answers.
func StartClickHouse(ctx context.Context, cfg ClickHouseConfig) (*ClickHouse, error) {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Library == "" {
		cfg.Library = DefaultCHDBLibrary()
	}
	if cfg.ReadyTimeout == 0 {
		cfg.ReadyTimeout = 90 * time.Second
	}
	if err := CheckPortsFree(cfg.PortList()...); err != nil {
		return nil, err
	}
	p, err := StartProcess(ProcessSpec{
		Name: "clickhouse",
		Path: filepath.Join(cfg.BinDir, ClickHouseBinary),
		Args: []string{
			"-lib", cfg.Library,
			"-data-dir", cfg.DataDir,
			"-listen-host", cfg.Host,
			"-tcp-port", strconv.Itoa(cfg.TCPPort),
			"-http-port", strconv.Itoa(cfg.HTTPPort),
			"-ready-timeout", cfg.ReadyTimeout.String(),
			"-system-logs=" + strconv.FormatBool(cfg.SystemLogs),
		},
		Output: cfg.Output,
	})
	if err != nil {
		return nil, err
	}
	ch := &ClickHouse{Process: p, Host: cfg.Host, TCPPort: cfg.TCPPort, HTTPPort: cfg.HTTPPort, DataDir: cfg.DataDir}
	if err := p.WaitReady(ctx, cfg.ReadyTimeout+10*time.Second, ClickHouseReady(ch.HTTPAddr())); err != nil {
		_ = p.Stop()
		return nil, err
	}
	return ch, nil
}
