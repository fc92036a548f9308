package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
)

// supervisor keeps the stack's services running and stops them in reverse
// order of start: the collector first, so it flushes into backends that are
// still up. Each service's current process id is kept in
// <pidDir>/<service>.pid, rewritten on every restart, so that a tool run
// with -exec (backendcompare) can measure a service's CPU and memory.
type supervisor struct {
	pidDir   string
	logf     func(format string, args ...any)
	services []*stack.Supervised
}

func (sv *supervisor) supervise(ctx context.Context, id, name string, start stack.StartFunc) error {
	sv.logf("starting %s...", name)
	if err := os.MkdirAll(sv.pidDir, 0o750); err != nil {
		return err
	}
	pidFile := filepath.Join(sv.pidDir, id+".pid")
	s, err := stack.Supervise(ctx, name, func(ctx context.Context) (*stack.Process, error) {
		p, err := start(ctx)
		if err != nil {
			return nil, err
		}
		if err := writePIDFile(pidFile, p.Pid()); err != nil {
			sv.logf("%s: %v", name, err)
		}
		return p, nil
	}, sv.logf)
	if err != nil {
		return err
	}
	sv.services = append(sv.services, s)
	return nil
}

// writePIDFile replaces the file in one rename, so a reader never sees it
// half written.
func writePIDFile(path string, pid int) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
		return fmt.Errorf("pid file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("pid file: %w", err)
	}
	return nil
}

func (sv *supervisor) stopAll() {
	for i := len(sv.services) - 1; i >= 0; i-- {
		sv.logf("stopping %s", sv.services[i].Name)
		if err := sv.services[i].Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "local-stack: %v\n", err)
		}
	}
}

// serviceOutput gives each service a prefixed writer: to the terminal, or
// with -exec (the command owns the terminal) to <data-dir>/local-stack.log.
func serviceOutput(o options) (func(name string) *stack.PrefixWriter, func(), error) {
	var mu sync.Mutex
	var out io.Writer = os.Stdout
	closeOut := func() {}
	if o.exec != "" {
		if err := os.MkdirAll(o.dataDir, 0o750); err != nil {
			return nil, nil, err
		}
		logPath := filepath.Join(o.dataDir, "local-stack.log")
		f, err := os.Create(logPath)
		if err != nil {
			return nil, nil, err
		}
		out, closeOut = f, func() { f.Close() }
		fmt.Printf("local-stack: services log to %s\n", logPath)
	}
	return func(name string) *stack.PrefixWriter {
		return &stack.PrefixWriter{Prefix: fmt.Sprintf("[%-17s] ", name), Out: out, Mu: &mu}
	}, closeOut, nil
}

// anyFailed delivers the first service whose supervisor gave up.
func anyFailed(services []*stack.Supervised) <-chan *stack.Supervised {
	failed := make(chan *stack.Supervised, len(services))
	for _, s := range services {
		go func() {
			<-s.Failed()
			failed <- s
		}()
	}
	return failed
}
