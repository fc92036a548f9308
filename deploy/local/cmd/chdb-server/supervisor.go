package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
)

// superviseEngine runs the ClickHouse engine as a child process (this
// binary with -engine) and starts it again whenever it dies, until SIGINT or
// SIGTERM, which it passes on for an orderly stop.
func superviseEngine(opts engineOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	start := func(ctx context.Context) (*stack.Process, error) {
		p, err := stack.StartProcess(stack.ProcessSpec{
			Name:   "ClickHouse engine",
			Path:   self,
			Args:   opts.engineArgs(),
			Output: os.Stdout,
		})
		if err != nil {
			return nil, err
		}
		if err := p.WaitReady(ctx, opts.readyTimeout+10*time.Second, stack.ClickHouseReady(opts.httpAddr())); err != nil {
			_ = p.Stop()
			return nil, err
		}
		return p, nil
	}
	logf := func(format string, args ...any) { fmt.Printf("chdb-server: "+format+"\n", args...) }

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	engine, err := stack.Supervise(ctx, "ClickHouse engine", start, logf)
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return engine.Stop()
	case <-engine.Failed():
		return engine.Err()
	}
}

// engineOptions are chdb-server's flags, for the supervisor and the engine.
type engineOptions struct {
	lib, dataDir, host string
	tcpPort, httpPort  int
	readyTimeout       time.Duration
	systemLogs         bool
}

// engineArgs are the flags the supervisor starts the engine with: its own.
func (o engineOptions) engineArgs() []string {
	return []string{"-engine", "-lib", o.lib, "-data-dir", o.dataDir, "-listen-host", o.host,
		"-tcp-port", strconv.Itoa(o.tcpPort), "-http-port", strconv.Itoa(o.httpPort),
		"-ready-timeout", o.readyTimeout.String(), "-system-logs=" + strconv.FormatBool(o.systemLogs)}
}

func (o engineOptions) httpAddr() string { return stack.Port{Host: o.host, Port: o.httpPort}.Addr() }

// check fails early, with what to do, when the library is missing or a
// port is taken: the supervisor before its first start, the engine again
// before it loads the library.
func (o engineOptions) check() error {
	if _, err := os.Stat(o.lib); err != nil {
		return fmt.Errorf("libchdb.so not found at %s: run `make chdb` to download it (npm package %s@%s, ~178 MB, into %s), or point -lib / $CHDB_LIB at a copy",
			o.lib, stack.CHDBPackage, stack.CHDBVersion, stack.CacheDir())
	}
	ports := stack.ClickHouseConfig{Host: o.host, TCPPort: o.tcpPort, HTTPPort: o.httpPort}.PortList()
	return stack.CheckPortsFree(ports...)
}
