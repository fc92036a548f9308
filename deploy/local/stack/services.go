package stack

import (
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
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
	if err := CheckPortsFree(
		Port{Host: cfg.Host, Port: cfg.TCPPort, What: "ClickHouse native protocol"},
		Port{Host: cfg.Host, Port: cfg.HTTPPort, What: "ClickHouse HTTP"},
	); err != nil {
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
		},
		Output: cfg.Output,
	})
	if err != nil {
		return nil, err
	}
	ch := &ClickHouse{Process: p, Host: cfg.Host, TCPPort: cfg.TCPPort, HTTPPort: cfg.HTTPPort, DataDir: cfg.DataDir}
	if err := p.WaitReady(ctx, cfg.ReadyTimeout+10*time.Second, ClickHouseReady(ch.HTTPAddr())); err != nil {
		_ = p.Stop(10 * time.Second)
		return nil, err
	}
	return ch, nil
}

// KafkaConfig starts the kfake broker through the kafka-broker command.
type KafkaConfig struct {
	BinDir     string
	Host       string
	Port       int
	Partitions int
	Topics     []string
	DataDir    string // empty: in memory
	Output     io.Writer
}

// Kafka is a running local broker.
type Kafka struct {
	*Process
	Addr string
}

// StartKafka starts the broker and returns once it answers metadata requests.
func StartKafka(ctx context.Context, cfg KafkaConfig) (*Kafka, error) {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Partitions == 0 {
		cfg.Partitions = 3
	}
	if err := CheckPortsFree(Port{Host: cfg.Host, Port: cfg.Port, What: "Kafka broker"}); err != nil {
		return nil, err
	}
	args := []string{
		"-listen-host", cfg.Host,
		"-port", strconv.Itoa(cfg.Port),
		"-partitions", strconv.Itoa(cfg.Partitions),
		"-topics", strings.Join(cfg.Topics, ","),
	}
	if cfg.DataDir != "" {
		args = append(args, "-data-dir", cfg.DataDir)
	}
	p, err := StartProcess(ProcessSpec{
		Name:   "kafka",
		Path:   filepath.Join(cfg.BinDir, KafkaBinary),
		Args:   args,
		Output: cfg.Output,
	})
	if err != nil {
		return nil, err
	}
	k := &Kafka{Process: p, Addr: net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))}
	if err := p.WaitReady(ctx, 30*time.Second, KafkaReady(k.Addr)); err != nil {
		_ = p.Stop(10 * time.Second)
		return nil, err
	}
	return k, nil
}

// CollectorConfig starts the built distribution.
type CollectorConfig struct {
	Name   string // for logs and errors; default "collector"
	BinDir string
	// Configs are passed as --config, in order (later ones merge over earlier).
	Configs []string
	// Env sets the variables the configs read (endpoints, ports, storage).
	Env []string
	// HealthEndpoint is the health_check extension's host:port; the collector
	// is ready when it answers 200.
	HealthEndpoint string
	// Ports are checked before start so a taken port is named, not buried in
	// the collector's log.
	Ports  []Port
	Output io.Writer
}

// Collector is a running collector.
type Collector struct {
	*Process
}

// StartCollector starts the collector and returns once its health check is
// green (every pipeline started).
func StartCollector(ctx context.Context, cfg CollectorConfig) (*Collector, error) {
	if cfg.Name == "" {
		cfg.Name = "collector"
	}
	if err := CheckPortsFree(cfg.Ports...); err != nil {
		return nil, err
	}
	args := make([]string, 0, 2*len(cfg.Configs))
	for _, c := range cfg.Configs {
		args = append(args, "--config", c)
	}
	p, err := StartProcess(ProcessSpec{
		Name:   cfg.Name,
		Path:   filepath.Join(cfg.BinDir, CollectorBinary),
		Args:   args,
		Env:    cfg.Env,
		Output: cfg.Output,
	})
	if err != nil {
		return nil, err
	}
	if err := p.WaitReady(ctx, 60*time.Second, HTTPReady("http://"+cfg.HealthEndpoint+"/")); err != nil {
		_ = p.Stop(10 * time.Second)
		return nil, fmt.Errorf("%s: %w", cfg.Name, err)
	}
	return &Collector{Process: p}, nil
}
