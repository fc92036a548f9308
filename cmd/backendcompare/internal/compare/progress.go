package compare // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/compare"

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// IsTerminal reports whether f is a character device (a terminal), where a
// redrawn progress bar makes sense; logs and pipes get plain lines.
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress shows how far a phase is: a bar redrawn in place on a terminal,
// a line every few seconds otherwise.
type progress struct {
	out     io.Writer
	tty     bool
	label   string
	total   int64
	current func() int64
	// detail adds phase-specific text (rate, per-backend counts).
	detail func() string

	start time.Time
	stop  chan struct{}
	done  sync.WaitGroup
}

func startProgress(out io.Writer, tty bool, label string, total int64, current func() int64, detail func() string) *progress {
	p := &progress{out: out, tty: tty, label: label, total: total, current: current, detail: detail, start: time.Now(), stop: make(chan struct{})}
	interval := 2 * time.Second
	if tty {
		interval = 200 * time.Millisecond
	}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.draw(false)
			}
		}
	}()
	return p
}

// finish draws the final state and ends the line.
func (p *progress) finish() {
	close(p.stop)
	p.done.Wait()
	p.draw(true)
}

func (p *progress) draw(final bool) {
	cur := p.current()
	frac := 0.0
	if p.total > 0 {
		frac = min(float64(cur)/float64(p.total), 1)
	}
	elapsed := time.Since(p.start).Truncate(100 * time.Millisecond)
	detail := ""
	if p.detail != nil {
		detail = "  " + p.detail()
	}
	if !p.tty {
		fmt.Fprintf(p.out, "%s: %d/%d (%.0f%%) after %s%s\n", p.label, cur, p.total, 100*frac, elapsed, detail)
		return
	}
	const width = 30
	filled := int(frac * width)
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	end := ""
	if final {
		end = "\n"
	}
	fmt.Fprintf(p.out, "\r\033[K%-10s %s %3.0f%% %d/%d %s%s%s", p.label, bar, 100*frac, cur, p.total, elapsed, detail, end)
}
