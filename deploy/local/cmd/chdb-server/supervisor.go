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
func superviseEngine(lib, dataDir, host string, tcpPort, httpPort int, readyTimeout time.Duration) error {
	if err := checkEngineInputs(lib, host, tcpPort, httpPort); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	httpAddr := fmt.Sprintf("%s:%d", host, httpPort)
	start := func(ctx context.Context) (*stack.Process, error) {
		p, err := stack.StartProcess(stack.ProcessSpec{
			Name: "ClickHouse engine",
			Path: self,
			Args: []string{"-engine", "-lib", lib, "-data-dir", dataDir, "-listen-host", host,
				"-tcp-port", strconv.Itoa(tcpPort), "-http-port", strconv.Itoa(httpPort),
				"-ready-timeout", readyTimeout.String()},
			Output: os.Stdout,
		})
		if err != nil {
			return nil, err
		}
		if err := p.WaitReady(ctx, readyTimeout+10*time.Second, stack.ClickHouseReady(httpAddr)); err != nil {
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

// checkEngineInputs fails early, with what to do, when the library is
// missing or a port is taken: the supervisor before its first start, the
// engine again before it loads the library.
func checkEngineInputs(lib, host string, tcpPort, httpPort int) error {
	if _, err := os.Stat(lib); err != nil {
		return fmt.Errorf("libchdb.so not found at %s: run `make chdb` to download it (npm package %s@%s, ~178 MB, into %s), or point -lib / $CHDB_LIB at a copy",
			lib, stack.CHDBPackage, stack.CHDBVersion, stack.CacheDir())
	}
	return stack.CheckPortsFree(
		stack.Port{Host: host, Port: tcpPort, What: "ClickHouse native protocol"},
		stack.Port{Host: host, Port: httpPort, What: "ClickHouse HTTP"},
	)
}
