package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
)

// runCommand runs command with sh, with env added to ours, while the stack
// serves it. A service that
// crashes meanwhile is restarted by its supervisor and the command goes on;
// if a supervisor gives up, the command is stopped and that is the error:
// its figures would be about a broken stack.
func runCommand(ctx context.Context, command string, env []string, gaveUp <-chan *stack.Supervised) (int, error) {
	cmdCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(cmdCtx, "sh", "-c", command)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), env...)
	// Its own process group, so that stopping it also stops what it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("-exec: %w", err)
	}
	failed := make(chan *stack.Supervised, 1)
	go func() {
		select {
		case s := <-gaveUp:
			failed <- s // before cancel: Wait returns only after it
			cancel()
		case <-cmdCtx.Done():
		}
	}()
	err := cmd.Wait()
	select {
	case s := <-failed:
		return 1, fmt.Errorf("%s could not be kept running (%w); see local-stack.log in the data dir", s.Name, s.Err())
	default:
	}
	if ctx.Err() != nil {
		return 130, nil
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitCode(), nil
	}
	if err != nil {
		return 1, fmt.Errorf("-exec: %w", err)
	}
	return 0, nil
}
