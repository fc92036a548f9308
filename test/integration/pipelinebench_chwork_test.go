//go:build integration

package integration

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-events/otelcol-events/internal/proctree"
)

// clickhouseWork is where ClickHouse's CPU went in one run, in CPU
// seconds, read from its system logs: the collectors' insert queries, the
// merges of the run's tables, and the other queries on the run's database,
// which are the benchmark's own (the probe watcher, the drain wait's
// counts; its polls of system tables, such as the merge wait's, are not
// told apart and fall in the rest). Only a
// server started with chdb-server -system-logs keeps them
// (BENCH_E2E_CLICKHOUSE_LOGS=1); logging every query costs the server
// something too, so runs to be compared with runs without it do not set it.
type clickhouseWork struct {
	inserts, merges, benchQueries float64
}

// readClickHouseWork reads the work on database db since the given time,
// or returns nil when the server keeps no query log.
func readClickHouseWork(t testing.TB, db string, since time.Time) *clickhouseWork {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := suite.ch.Query(ctx, "SYSTEM FLUSH LOGS")
	require.NoError(t, err)
	if exists := chQuery(t, "EXISTS TABLE system.query_log"); len(exists) != 1 || exists[0][0] != "1" {
		return nil
	}
	// One row per query and per part event; CPU in seconds.
	const cpu = "(ProfileEvents['UserTimeMicroseconds'] + ProfileEvents['SystemTimeMicroseconds']) / 1e6"
	from := since.UTC().Format("2006-01-02 15:04:05.000000")
	queries := chQuery(t, fmt.Sprintf("SELECT sumIf(%[1]s, query_kind = 'Insert'), sumIf(%[1]s, query_kind != 'Insert') "+
		"FROM system.query_log WHERE type = 'QueryFinish' AND has(databases, '%[2]s') "+
		"AND event_time_microseconds >= '%[3]s'", cpu, db, from))
	merges := chQuery(t, fmt.Sprintf("SELECT sum(%s) FROM system.part_log WHERE event_type = 'MergeParts' "+
		"AND database = '%s' AND event_time_microseconds >= '%s'", cpu, db, from))
	require.Len(t, queries, 1)
	require.Len(t, merges, 1)
	var w clickhouseWork
	for _, f := range []struct {
		text string
		into *float64
	}{{queries[0][0], &w.inserts}, {queries[0][1], &w.benchQueries}, {merges[0][0], &w.merges}} {
		v, err := strconv.ParseFloat(f.text, 64)
		require.NoError(t, err, f.text)
		*f.into = v
	}
	return &w
}

// writeClickHouseWork writes, for the pipelines whose runs have their
// ClickHouse work, its split per million acknowledged events: the median
// of each part over the runs; the rest is the sampled CPU of the
// ClickHouse process less the three (background work: async-insert
// flushes, part removal, the system logs' own inserts).
func writeClickHouseWork(w io.Writer, order []string, byPipeline map[string][]benchRun) {
	header := false
	for _, name := range order {
		var inserts, merges, bench, rest []float64
		for _, r := range byPipeline[name] {
			total := figuresOf(r).cpuPerMillion["clickhouse"]
			if r.chWork == nil || r.accepted == 0 || total == 0 {
				continue
			}
			perMillion := 1e6 / float64(r.accepted)
			inserts = append(inserts, r.chWork.inserts*perMillion)
			merges = append(merges, r.chWork.merges*perMillion)
			bench = append(bench, r.chWork.benchQueries*perMillion)
			rest = append(rest, total-(r.chWork.inserts+r.chWork.merges+r.chWork.benchQueries)*perMillion)
		}
		if len(inserts) == 0 {
			continue
		}
		if !header {
			fmt.Fprintln(w)
			fmt.Fprintln(w, "ClickHouse's CPU by work, s per 1M events (median of the runs; from its query and part logs):")
			fmt.Fprintln(w)
			header = true
		}
		fmt.Fprintf(w, "- %s: insert queries %.1f · merges %.1f · the benchmark's own queries %.1f · the rest %.1f\n",
			name, median(inserts), median(merges), median(bench), median(rest))
	}
}

// The split's arithmetic, on runs made up for it: per million events, the
// rest being the sampled CPU less the logged work; runs without the logs
// are left out.
func TestClickHouseWorkReport(t *testing.T) {
	run := func(accepted int, sampled float64, work *clickhouseWork) benchRun {
		return benchRun{
			pipeline: pipelineOurs, accepted: accepted, load: time.Second, chWork: work,
			names: []string{"clickhouse"}, procs: []proctree.Figures{{CPUSeconds: &sampled}},
		}
	}
	runs := map[string][]benchRun{
		pipelineOurs: {
			run(500_000, 10, &clickhouseWork{inserts: 1, merges: 4, benchQueries: 0.5}),
			run(1_000_000, 30, &clickhouseWork{inserts: 2, merges: 10, benchQueries: 1}),
			run(1_000_000, 25, &clickhouseWork{inserts: 3, merges: 12, benchQueries: 2}),
		},
		pipelineStock: {run(1_000_000, 20, nil)},
	}
	var out strings.Builder
	writeClickHouseWork(&out, []string{pipelineOurs, pipelineStock}, runs)
	assert.Equal(t, "\nClickHouse's CPU by work, s per 1M events (median of the runs; from its query and part logs):\n\n"+
		"- ours: insert queries 2.0 · merges 10.0 · the benchmark's own queries 1.0 · the rest 9.0\n", out.String())
}
