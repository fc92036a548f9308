// Command backendcompare sends the same seeded trace workload through a
// collector that fans it out to several trace stores (ClickHouse, Jaeger v2
// on Badger, ClickHouse or Elasticsearch) and measures each side by side:
// time until the data is queryable, write results, bytes on disk per span,
// query latency, and the CPU and memory of the backends and collectors. It
// writes report.md, report.json and PNG charts, and exits non-zero when any
// figure is missing or wrong.
//
//	backendcompare -config deploy/local/compare.yaml
//
// `make compare` runs it on the local stack. This file and flags.go only
// wire flags;
// the work is in internal/ (config, workload, sender, backend/..., measure,
// compare, report).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/compare"
)

// Exit codes: a run that measured everything, a run with missing or wrong
// figures (the partial report is still written), and a usage error.
const (
	exitComplete   = 0
	exitIncomplete = 1
	exitUsage      = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, compare.IsTerminal(os.Stdout))
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, tty bool) int {
	cfg, code := configure(ctx, args, stderr)
	if code != exitComplete {
		return code
	}
	start := time.Now()
	report := compare.Run(ctx, cfg, stdout, tty)
	if err := report.Write(cfg.Run.OutDir); err != nil {
		fmt.Fprintln(stderr, "backendcompare: writing the report:", err)
		report.Complete = false
	}
	where := filepath.Join(cfg.Run.OutDir, "report.md")
	took := time.Since(start).Round(time.Second)
	if !report.Complete {
		fmt.Fprintf(stderr, "backendcompare: run %s is INCOMPLETE after %s; partial figures in %s\n", report.RunID, took, where)
		for _, p := range report.Problems {
			fmt.Fprintln(stderr, "  -", p)
		}
		for _, b := range report.Backends {
			for _, p := range b.Problems {
				fmt.Fprintf(stderr, "  - %s: %s\n", b.Name, p)
			}
		}
		return exitIncomplete
	}
	fmt.Fprintf(stdout, "backendcompare: run %s complete in %s; report in %s\n", report.RunID, took, where)
	return exitComplete
}
