//go:build integration

package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// BenchmarkPipelines is the steady-state end-to-end comparison (make
// bench-e2e): ours (agent -> Kafka -> gateway -> ClickHouse, with ipgeo
// and the Kafka link spans) against a stock pipeline from the same binary
// (OTLP/HTTP -> batch -> Kafka exporter with zstd and a file_storage queue
// -> Kafka receiver -> batch -> ClickHouse), on the same events, and
// against that stock pipeline carrying rows as wide as ours (what the
// enrichment costs apart from the pipeline). Runs are interleaved; each
// gets a fresh broker, fresh collectors and a database of its own in the
// shared ClickHouse. Two phases: as fast as the agents answer (throughput,
// CPU per event), then at a fixed rate every pipeline sustains (latency
// without a backlog). The report goes to BENCH_E2E_REPORT (default
// results/bench-e2e.md) and the log.
//
//	BENCH_E2E_SECONDS (20), BENCH_E2E_WARMUP_SECONDS (5: the same load,
//	unmeasured, before each run), BENCH_E2E_ROUNDS (3), BENCH_E2E_CLIENTS (16),
//	BENCH_E2E_RATES (0,20000: events/s offered per phase, 0 = as fast as
//	the agents answer), BENCH_E2E_EVENTS_PER_UPLOAD (100),
//	BENCH_E2E_PIPELINES (ours,stock,stock-enriched; "ours+name" adds a
//	variant of ours with testdata/bench/variants/name.{agent,gateway}.yaml
//	merged over its configs and name.clickhouse.sql run on its tables, run
//	interleaved with the others; "baseline" is ours run on the
//	otelcol-events of BENCH_E2E_BASELINE_BIN_DIR, a build of the tree
//	before a code change),
//	BENCH_E2E_ADDRESSES (event: each event of ours' uploads has an
//	address of its own; upload: an upload's events share one, as a
//	device's do),
//	BENCH_E2E_PROFILE_DIR (unset: no CPU and allocation profiles of the
//	collectors), BENCH_E2E_CLICKHOUSE_LOGS (unset: 1 has ClickHouse keep
//	its query and part logs, and the report split its CPU by work, see
//	clickhouseWork), BENCH_E2E_CPUS (unset: every process on every CPU;
//	see benchCPUs)
func BenchmarkPipelines(b *testing.B) {
	base := benchOptions{
		duration:   time.Duration(envInt(b, "BENCH_E2E_SECONDS", 20)) * time.Second,
		clients:    envInt(b, "BENCH_E2E_CLIENTS", 16),
		perBody:    envInt(b, "BENCH_E2E_EVENTS_PER_UPLOAD", 100),
		probeEvery: 400 * time.Millisecond,
		// Generous: a backlog of a slow pipeline drains before it counts as lost.
		drainTimeout: 10 * time.Minute,
		profileDir:   os.Getenv("BENCH_E2E_PROFILE_DIR"),
		warmup:       time.Duration(envNonNegative(b, "BENCH_E2E_WARMUP_SECONDS", 5)) * time.Second,
	}
	cpus, err := parseBenchCPUs(os.Getenv("BENCH_E2E_CPUS"), runtime.NumCPU())
	require.NoError(b, err, "BENCH_E2E_CPUS")
	base.cpus = cpus
	defer cpus.unpin(b, suite.ch.Pid())
	rounds := envInt(b, "BENCH_E2E_ROUNDS", 3)
	pipelines := commaList("BENCH_E2E_PIPELINES", pipelineOurs+","+pipelineStock+","+pipelineStockEnriched)
	var report strings.Builder
	for _, r := range commaList("BENCH_E2E_RATES", "0,20000") {
		o := base
		rate, err := strconv.Atoi(r)
		require.NoError(b, err, "BENCH_E2E_RATES")
		o.rate = float64(rate)
		runs := runPipelineBench(b, o, rounds, pipelines...)
		if rate == 0 {
			fmt.Fprintf(&report, "## As fast as the agents answer\n\n")
		} else {
			fmt.Fprintf(&report, "## At %d events/s\n\n", rate)
		}
		writeBenchReport(&report, o, runs)
		fmt.Fprintln(&report)
	}
	path := os.Getenv("BENCH_E2E_REPORT")
	if path == "" {
		path = filepath.Join(suite.repoRoot, "results", "bench-e2e.md")
	}
	require.NoError(b, os.MkdirAll(filepath.Dir(path), 0o750))
	require.NoError(b, os.WriteFile(path, []byte(report.String()), 0o600))
	b.Logf("report written to %s\n%s", path, report.String())
	b.ReportMetric(0, "ns/op")
}

// TestPipelineBenchSmoke runs the benchmark's machinery briefly, once per
// pipeline, so `make test` keeps it working; its figures are not judged,
// only that nothing acknowledged went missing and every figure was taken.
func TestPipelineBenchSmoke(t *testing.T) {
	// The agent pinned to one CPU, so the pinning works on real processes;
	// the processes that outlive a run (this one, ClickHouse) stay unpinned.
	agentOnCPU0, err := parseBenchCPUs("agent=0", runtime.NumCPU())
	require.NoError(t, err)
	o := benchOptions{duration: 3 * time.Second, clients: 2, perBody: 100, probeEvery: 300 * time.Millisecond,
		drainTimeout: 2 * time.Minute, warmup: time.Second, cpus: agentOnCPU0}
	runs := runPipelineBench(t, o, 1, pipelineOurs, pipelineStock)
	require.Len(t, runs, 2)
	for _, r := range runs {
		assert.Positive(t, r.accepted, r.pipeline)
		assert.GreaterOrEqual(t, r.stored, r.accepted, "%s: every acknowledged event stored", r.pipeline)
		assert.Positive(t, r.whileLoaded.over, "%s: the window stored while loaded was measured", r.pipeline)
		assert.LessOrEqual(t, r.whileLoaded.rows, r.stored, r.pipeline)
		assert.Zero(t, r.probed.lost, "%s: every acknowledged probe seen", r.pipeline)
		assert.NotEmpty(t, r.probed.newCategory, r.pipeline)
		assert.NotEmpty(t, r.probed.existing, r.pipeline)
		for i, p := range r.procs {
			assert.NotNil(t, p.CPUSeconds, "%s %s measured (%v)", r.pipeline, r.names[i], p.Problems)
		}
	}
	var report strings.Builder
	writeBenchReport(&report, o, runs)
	t.Log(report.String())
	assert.Contains(t, report.String(), "CPU per 1M events, all processes")
	assert.Contains(t, report.String(), "Pinned to CPUs (BENCH_E2E_CPUS): agent on 0;")
}

// runPipelineBench runs rounds of both pipelines, swapping which goes first
// every round so a drift of the machine falls on both alike.
func runPipelineBench(tb testing.TB, o benchOptions, rounds int, pipelines ...string) []benchRun {
	tb.Helper()
	var runs []benchRun
	for round := range rounds {
		order := slices.Clone(pipelines)
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, name := range order {
			p := startBenchPipeline(tb, name, name+"-r"+strconv.Itoa(round+1))
			run := runBenchLoad(tb, p, round, o)
			p.stop()
			tb.Logf("%s round %d: %d events accepted in %s, drained %s later", name, round+1, run.accepted, run.load, run.drain)
			runs = append(runs, run)
		}
	}
	return runs
}

// commaList splits a comma-separated variable, or def when it is unset.
func commaList(name, def string) []string {
	v := os.Getenv(name)
	if v == "" {
		v = def
	}
	return strings.Split(v, ",")
}

// envInt reads a positive integer setting, def when unset.
func envInt(tb testing.TB, name string, def int) int {
	tb.Helper()
	n := envNonNegative(tb, name, def)
	require.Positive(tb, n, name)
	return n
}

// envNonNegative reads an integer setting that may be 0, def when unset.
func envNonNegative(tb testing.TB, name string, def int) int {
	tb.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(tb, err, name)
	require.GreaterOrEqual(tb, n, 0, name)
	return n
}
