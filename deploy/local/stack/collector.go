package stack

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"
)

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
		_ = p.Stop()
		return nil, fmt.Errorf("%s: %w", cfg.Name, err)
	}
	return &Collector{Process: p}, nil
}
