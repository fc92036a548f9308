package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// DefaultStopGrace is how long a process may take to stop after SIGTERM
// before it is killed.
const DefaultStopGrace = 30 * time.Second

// Process is a child process. It runs in its own process group so that a
// Ctrl-C on the terminal reaches only the supervisor, which then stops the
// children in order (collector first, so it can flush, then the backends).
// If the supervisor dies without stopping it, the kernel kills it
// (Pdeathsig), so nothing is left orphaned.
type Process struct {
	Name string

	cmd    *exec.Cmd
	cancel context.CancelFunc
	done   chan struct{}
	err    error
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
	// StopGrace is how long Stop waits after SIGTERM before SIGKILL
	// (default DefaultStopGrace).
	StopGrace time.Duration
}

// StartProcess starts spec and returns at once; use WaitReady to know when the
// process serves. Stopping is exec.Cmd's own: canceling the command sends
// SIGTERM to the process group (Cmd.Cancel), and Wait kills the process if it
// has not exited WaitDelay later.
func StartProcess(spec ProcessSpec) (*Process, error) {
	if _, err := os.Stat(spec.Path); err != nil {
		return nil, fmt.Errorf("%s: cannot run %s: %w", spec.Name, spec.Path, err)
	}
	if spec.StopGrace <= 0 {
		spec.StopGrace = DefaultStopGrace
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, spec.Path, spec.Args...)
	cmd.Env = append(os.Environ(), spec.Env...)
	cmd.Dir = spec.Dir
	out := spec.Output
	if out == nil {
		out = io.Discard
	}
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	// Negative pid: the whole process group, so helpers it started go too.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = spec.StopGrace
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("%s: start %s: %w", spec.Name, spec.Path, err)
	}
	p := &Process{Name: spec.Name, cmd: cmd, cancel: cancel, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		// WaitDelay killed only the leader; take the rest of its group too.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cancel()
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

// Stop asks the process group to terminate (SIGTERM) and has it killed if
// it has not exited within its stop grace. It returns nil for a clean exit,
// also when the process had already exited cleanly.
func (p *Process) Stop() error {
	p.cancel()
	err := p.ExitErr()
	if requestedStop(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", p.Name, err)
	}
	return nil
}

// Kill ends the process group at once with SIGKILL, as a crash would, and
// waits for it to be gone. For fault tests.
func (p *Process) Kill() {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// requestedStop reports whether err is how a process ends when stopped:
// Wait reports the context's cancellation, or death by the SIGTERM sent.
func requestedStop(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) {
		return true
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGTERM {
			return true
		}
	}
	return false
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
			return fmt.Errorf("%s exited before it was ready: %w (last probe: %w)", p.Name, p.err, last)
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s: %w", p.Name, timeout, last)
		case <-tick.C:
		}
	}
}
