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
// `make compare` runs it on the local stack. This file only wires flags;
// the work is in internal/ (config, workload, sender, backend/..., measure,
// compare, report).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/compare"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
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
	fs := flag.NewFlagSet("backendcompare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "deploy/local/compare.yaml", "comparison config (YAML; ${env:NAME} is expanded)")
	outDir := fs.String("out", "", "directory for report.md, report.json and charts/ (overrides run.out_dir)")
	runID := fs.String("run-id", "", "run id marking this run's data (overrides run.run_id)")
	recordDir := fs.String("record-dir", "", "save raw backend answers here, to refresh test fixtures (overrides run.record_dir)")
	seed := fs.Uint64("seed", 0, "workload seed (overrides workload.seed)")
	traces := fs.Int("traces", 0, "number of traces (overrides workload.traces)")
	rate := fs.Float64("rate", 0, "target spans per second, 0 = as fast as possible (overrides workload.rate)")
	events := fs.Int("events", 0, "client events to upload through eventsplit (overrides workload.events)")
	queries := fs.Int("queries", 0, "queries of each kind per backend (overrides queries.repeat)")
	ingestTimeout := fs.Duration("ingest-timeout", 0, "how long backends may take to hold all data after sending (overrides run.ingest_timeout)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "backendcompare: unexpected arguments %v\n", fs.Args())
		return exitUsage
	}
	cfg, err := config.Load(ctx, *configPath)
	if err != nil {
		fmt.Fprintln(stderr, "backendcompare:", err)
		return exitUsage
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "out":
			cfg.Run.OutDir = *outDir
		case "run-id":
			cfg.Run.RunID = *runID
		case "record-dir":
			cfg.Run.RecordDir = *recordDir
		case "seed":
			cfg.Workload.Seed = *seed
		case "traces":
			cfg.Workload.Traces = *traces
		case "rate":
			cfg.Workload.Rate = *rate
		case "events":
			cfg.Workload.Events = *events
		case "queries":
			cfg.Queries.Repeat = *queries
		case "ingest-timeout":
			cfg.Run.IngestTimeout = *ingestTimeout
		}
	})
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "backendcompare: %s is not valid:\n%v\n", *configPath, err)
		return exitUsage
	}

	start := time.Now()
	report := compare.Run(ctx, cfg, stdout, tty)
	if err := report.Write(cfg.Run.OutDir); err != nil {
		fmt.Fprintln(stderr, "backendcompare: writing the report:", err)
		report.Complete = false
	}
	where := filepath.Join(cfg.Run.OutDir, "report.md")
	if !report.Complete {
		fmt.Fprintf(stderr, "backendcompare: run %s is INCOMPLETE after %s; partial figures in %s\n", report.RunID, time.Since(start).Round(time.Second), where)
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
	fmt.Fprintf(stdout, "backendcompare: run %s complete in %s; report in %s\n", report.RunID, time.Since(start).Round(time.Second), where)
	return exitComplete
}
