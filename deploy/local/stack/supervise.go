package stack

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// StartFunc starts a service and returns once it is ready to serve.
type StartFunc func(ctx context.Context) (*Process, error)

// Supervised is a service kept running: when its process exits without
// having been asked to stop (a crash), it is started again after a backoff.
// One that crashes again within a minute waits longer each time (up to
// 10 s); after MaxFailedStarts starts in a row that do not become ready,
// the supervisor gives up and Failed is closed.
type Supervised struct {
	Name string

	start StartFunc
	logf  func(format string, args ...any)

	mu       sync.Mutex
	current  *Process
	restarts int
	stopping bool

	ctx    context.Context
	cancel context.CancelFunc
	failed chan struct{}
	done   chan struct{}
	err    error
}

// MaxFailedStarts is how many starts in a row may fail before a
// supervisor gives up.
const MaxFailedStarts = 5

// stableAfter is how long a process must run for its next crash to be
// restarted without the accumulated backoff.
const stableAfter = time.Minute

// Supervise starts the service with start and keeps it running. The first
// start's error is returned as it is: a service that cannot start at all is
// a configuration problem, not something to retry. logf reports restarts.
func Supervise(ctx context.Context, name string, start StartFunc, logf func(format string, args ...any)) (*Supervised, error) {
	p, err := start(ctx)
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Supervised{
		Name: name, start: start, logf: logf, current: p,
		ctx: sctx, cancel: cancel, failed: make(chan struct{}), done: make(chan struct{}),
	}
	go s.watch(p)
	return s, nil
}

func (s *Supervised) watch(p *Process) {
	defer close(s.done)
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 500 * time.Millisecond
	b.MaxInterval = 10 * time.Second
	for {
		started := time.Now()
		select {
		case <-p.Done():
		case <-s.ctx.Done():
			return
		}
		if s.isStopping() {
			return
		}
		if time.Since(started) > stableAfter {
			b.Reset()
		}
		s.logf("%s exited unexpectedly (%v); restarting", s.Name, p.ExitErr())
		next, err := s.restart(b)
		if err != nil {
			if !s.isStopping() {
				s.err = err
				close(s.failed)
			}
			return
		}
		p = next
	}
}

// restart starts the service again, waiting the backoff before each try.
func (s *Supervised) restart(b *backoff.ExponentialBackOff) (*Process, error) {
	var last error
	for range MaxFailedStarts {
		select {
		case <-time.After(b.NextBackOff()):
		case <-s.ctx.Done():
			return nil, s.ctx.Err()
		}
		p, err := s.start(s.ctx)
		if err == nil {
			s.mu.Lock()
			s.current = p
			s.restarts++
			stopping := s.stopping
			s.mu.Unlock()
			if stopping {
				_ = p.Stop()
				return nil, errors.New("stopped")
			}
			s.logf("%s restarted", s.Name)
			return p, nil
		}
		last = err
		s.logf("%s did not start again: %v", s.Name, err)
	}
	return nil, fmt.Errorf("%s: gave up after %d failed starts: %w", s.Name, MaxFailedStarts, last)
}

func (s *Supervised) isStopping() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopping
}

// Current is the process serving now.
func (s *Supervised) Current() *Process {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// Restarts counts the restarts after crashes.
func (s *Supervised) Restarts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restarts
}

// Failed is closed when the supervisor gave up; Err says why.
func (s *Supervised) Failed() <-chan struct{} { return s.failed }

// Err is why the supervisor gave up, once Failed is closed.
func (s *Supervised) Err() error {
	<-s.failed
	return s.err
}

// Stop stops supervising and stops the service. A process that had
// already crashed (and was reported) is not an error of Stop's.
func (s *Supervised) Stop() error {
	s.mu.Lock()
	s.stopping = true
	s.mu.Unlock()
	s.cancel()
	<-s.done
	p := s.Current()
	select {
	case <-p.Done():
		return nil
	default:
		return p.Stop()
	}
}
