package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
)

// configure parses the flags, loads the config file they name, applies the
// flags that override it and validates the result. Any exit code but
// exitComplete means there is nothing to run; the reason went to stderr.
func configure(ctx context.Context, args []string, stderr io.Writer) (config.Config, int) {
	fs := flag.NewFlagSet("backendcompare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "deploy/local/compare.yaml", "comparison config (YAML; ${env:NAME} is expanded)")
	override := overrideFlags(fs)
	if err := fs.Parse(args); err != nil {
		return config.Config{}, exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "backendcompare: unexpected arguments %v\n", fs.Args())
		return config.Config{}, exitUsage
	}
	cfg, err := config.Load(ctx, *configPath)
	if err != nil {
		fmt.Fprintln(stderr, "backendcompare:", err)
		return cfg, exitUsage
	}
	// Only the flags given override the file, so a zero is never mistaken
	// for a setting.
	fs.Visit(func(f *flag.Flag) { override[f.Name](&cfg) })
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "backendcompare: %s is not valid:\n%v\n", *configPath, err)
		return cfg, exitUsage
	}
	return cfg, exitComplete
}

// overrideFlags defines the flags that override a setting of the config
// file, and returns for each flag name how it sets its value.
func overrideFlags(fs *flag.FlagSet) map[string]func(*config.Config) {
	outDir := fs.String("out", "", "directory for report.md, report.json and charts/ (overrides run.out_dir)")
	runID := fs.String("run-id", "", "run id marking this run's data (overrides run.run_id)")
	recordDir := fs.String("record-dir", "", "save raw backend answers here, to refresh test fixtures (overrides run.record_dir)")
	seed := fs.Uint64("seed", 0, "workload seed (overrides workload.seed)")
	traces := fs.Int("traces", 0, "number of traces (overrides workload.traces)")
	rate := fs.Float64("rate", 0, "target spans per second, 0 = as fast as possible (overrides workload.rate)")
	events := fs.Int("events", 0, "client events to upload through eventsplit (overrides workload.events)")
	queries := fs.Int("queries", 0, "queries of each kind per backend (overrides queries.repeat)")
	ingestTimeout := fs.Duration("ingest-timeout", 0, "how long backends may take to hold all data after sending (overrides run.ingest_timeout)")
	return map[string]func(*config.Config){
		"config":         func(*config.Config) {},
		"out":            func(c *config.Config) { c.Run.OutDir = *outDir },
		"run-id":         func(c *config.Config) { c.Run.RunID = *runID },
		"record-dir":     func(c *config.Config) { c.Run.RecordDir = *recordDir },
		"seed":           func(c *config.Config) { c.Workload.Seed = *seed },
		"traces":         func(c *config.Config) { c.Workload.Traces = *traces },
		"rate":           func(c *config.Config) { c.Workload.Rate = *rate },
		"events":         func(c *config.Config) { c.Workload.Events = *events },
		"queries":        func(c *config.Config) { c.Queries.Repeat = *queries },
		"ingest-timeout": func(c *config.Config) { c.Run.IngestTimeout = *ingestTimeout },
	}
}
