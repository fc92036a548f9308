package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Process is a supervised child process. It runs in its own process group so
// that a Ctrl-C on the terminal reaches only the supervisor, which then stops
// the children in order (collector first, so it can flush, then the backends).
// If the supervisor dies without stopping it, the kernel kills it (Pdeathsig),
// so nothing is left orphaned.
type Process struct {
	Name string

	cmd  *exec.Cmd
	done chan struct{}
	err  error

	stopOnce sync.Once
}

// ProcessSpec says what to run.
type ProcessSpec struct {
	Name string
	Path string
	Args []string
	// Env is added to the supervisor's own environment.
	Env []string
	Dir string
	// Output receives the child's stdout and stderr; nil discards them.
	Output io.Writer
}

// StartProcess starts spec and returns at once; use WaitReady to know when the
// process serves.
func StartProcess(spec ProcessSpec) (*Process, error) {
	if _, err := os.Stat(spec.Path); err != nil {
		return nil, fmt.Errorf("%s: cannot run %s: %w", spec.Name, spec.Path, err)
	}
	cmd := exec.Command(spec.Path, spec.Args...)
	cmd.Env = append(os.Environ(), spec.Env...)
	cmd.Dir = spec.Dir
	out := spec.Output
	if out == nil {
		out = io.Discard
	}
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: start %s: %w", spec.Name, spec.Path, err)
	}
	p := &Process{Name: spec.Name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Pid is the child's process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// ExitErr is the process's exit status once Done is closed.
func (p *Process) ExitErr() error {
	<-p.done
	return p.err
}

// Stop asks the process group to terminate (SIGTERM) and kills it (SIGKILL) if
// it has not exited within grace. It returns nil for a clean exit, also when
// the process had already exited cleanly.
func (p *Process) Stop(grace time.Duration) error {
	p.stopOnce.Do(func() {
		select {
		case <-p.done:
			return
		default:
		}
		// Negative pid: the whole process group, so helpers it started go too.
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(grace):
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
	})
	err := p.ExitErr()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGTERM {
			// Terminated by the signal we sent: that is a requested stop.
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", p.Name, err)
	}
	return nil
}

// WaitReady polls probe until it succeeds, the process exits, or timeout
// passes. An exit before readiness is reported with the process's status, so
// a crash at start is not mistaken for slowness.
func (p *Process) WaitReady(ctx context.Context, timeout time.Duration, probe func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		probeCtx, probeCancel := context.WithTimeout(ctx, 2*time.Second)
		last = probe(probeCtx)
		probeCancel()
		if last == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited before it was ready: %v (last probe: %v)", p.Name, p.err, last)
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s: %v", p.Name, timeout, last)
		case <-tick.C:
		}
	}
}
