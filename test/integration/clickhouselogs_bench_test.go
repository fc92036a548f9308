//go:build integration

package integration

import (
	"context"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-events/otelcol-events/internal/eventlogstest"
	"github.com/otelcol-events/otelcol-events/internal/proctree"
)

// BenchmarkClickHouseLogsInsert inserts the gateway's usual request (500
// uploads of 100 events, each as ours stores it: backend id, geolocation,
// trace context) into the shared ClickHouse, through contrib's clickhouse
// exporter and through clickhouselogs, by turns for three rounds. Reported per event: the collector
// side's CPU (this process: building and sending the columns), ClickHouse's
// CPU over the same inserts, and the allocations.
//
//	go test -tags integration -run '^$' -bench ClickHouseLogsInsert -benchtime 20x ./test/integration/
func BenchmarkClickHouseLogsInsert(b *testing.B) {
	ld := eventlogstest.EnrichedUploads(500, 100)
	db := newDatabase(b)
	contrib := startContribLogsExporter(b, db)
	chQuery(b, "CREATE TABLE "+db+".ours AS "+db+".otel_logs")
	ours := startClickHouseLogsExporter(b, db, "ours", nil)

	for range 3 {
		b.Run("contrib", func(b *testing.B) { benchInsert(b, contrib, ld) })
		b.Run("clickhouselogs", func(b *testing.B) { benchInsert(b, ours, ld) })
	}
}

func benchInsert(b *testing.B, exp exporter.Logs, ld plog.Logs) {
	server := proctree.New("clickhouse", proctree.PID(suite.ch.Pid()))
	require.NoError(b, exp.ConsumeLogs(context.Background(), ld)) // connect, read the schema
	require.NoError(b, proctree.SampleAll([]*proctree.Tree{server}))
	clientStart := processCPU(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := exp.ConsumeLogs(context.Background(), ld); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	events := float64(b.N * ld.LogRecordCount())
	require.NoError(b, proctree.SampleAll([]*proctree.Tree{server}))
	b.ReportMetric(float64(processCPU(b)-clientStart)/events, "collector-cpu-ns/event")
	if cpu := server.Figures().CPUSeconds; cpu != nil {
		b.ReportMetric(*cpu*1e9/events, "clickhouse-cpu-ns/event")
	}
	b.ReportMetric(0, "ns/op") // one op is a whole insert: per event above says more
}

// processCPU is this process's user+system CPU time so far, in ns.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return ru.Utime.Nano() + ru.Stime.Nano()
}
