//go:build integration

package integration

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/clickhouseexporter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter"
)

// TestClickHouseLogsMatchesContrib sends the same logs through contrib's
// clickhouse exporter and through clickhouselogs into two tables of
// contrib's schema: ClickHouse must hold the same rows, every column.
func TestClickHouseLogsMatchesContrib(t *testing.T) {
	db := newDatabase(t)
	ld := variedLogs()

	contrib := startContribLogsExporter(t, db)
	require.NoError(t, contrib.ConsumeLogs(context.Background(), ld))
	chQuery(t, "CREATE TABLE "+db+".ours AS "+db+".otel_logs")
	ours := startClickHouseLogsExporter(t, db, "ours", nil)
	require.NoError(t, ours.ConsumeLogs(context.Background(), ld))

	const rows = "SELECT * FROM %s ORDER BY Timestamp, Body, toString(LogAttributes)"
	want := chQuery(t, fmt.Sprintf(rows, db+".otel_logs"))
	require.Len(t, want, ld.LogRecordCount())
	assert.Equal(t, want, chQuery(t, fmt.Sprintf(rows, db+".ours")))
}

// TestClickHouseLogsTableWithoutEventName: a table from before contrib
// added EventName still takes inserts, without that column.
func TestClickHouseLogsTableWithoutEventName(t *testing.T) {
	db := newDatabase(t)
	startContribLogsExporter(t, db)
	chQuery(t, "CREATE TABLE "+db+".legacy AS "+db+".otel_logs")
	chQuery(t, "ALTER TABLE "+db+".legacy DROP INDEX IF EXISTS idx_event_name")
	chQuery(t, "ALTER TABLE "+db+".legacy DROP COLUMN EventName")

	ours := startClickHouseLogsExporter(t, db, "legacy", nil)
	ld := variedLogs()
	require.NoError(t, ours.ConsumeLogs(context.Background(), ld))
	n, err := chCount(t, "SELECT count() FROM "+db+".legacy WHERE ServiceName = 'shop-web' AND LogAttributes['items'] = '-3'")
	require.NoError(t, err)
	assert.Equal(t, 2, n) // the third record of each of shop-web's scopes
}

// TestClickHouseLogsRefusals: what ClickHouse refuses comes back as a
// retryable error naming the cause, so the data waits (in the Kafka
// receiver, which does not mark the record) until an operator mends it.
func TestClickHouseLogsRefusals(t *testing.T) {
	db := newDatabase(t)
	startContribLogsExporter(t, db)
	chQuery(t, "CREATE TABLE "+db+".narrow (Timestamp DateTime64(9), Body String) ENGINE = MergeTree ORDER BY Timestamp")

	for _, c := range []struct {
		name  string
		table string
		edit  func(*clickhouselogsexporter.Config)
		want  string
	}{
		{name: "missing table", table: "nothing_here", want: "does not exist"},
		{name: "missing column", table: "narrow", want: "lacks the columns [TraceId SpanId"},
		{name: "nothing there", table: "otel_logs", want: "connect to", edit: func(c *clickhouselogsexporter.Config) {
			c.Endpoint = addr(freePort(t))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			exp := startClickHouseLogsExporter(t, db, c.table, c.edit)
			err := exp.ConsumeLogs(context.Background(), variedLogs())
			require.ErrorContains(t, err, c.want)
			assert.False(t, consumererror.IsPermanent(err), "must stay retryable: %v", err)
		})
	}
}

// TestClickHouseLogsSettings: settings go with every insert, and one this
// ClickHouse does not know fails the insert instead of being ignored.
func TestClickHouseLogsSettings(t *testing.T) {
	db := newDatabase(t)
	startContribLogsExporter(t, db)
	chQuery(t, "CREATE TABLE "+db+".deferred AS "+db+".otel_logs")
	for table, settings := range map[string]map[string]string{
		"otel_logs": nil,
		"deferred":  {"materialize_skip_indexes_on_insert": "0"},
	} {
		exp := startClickHouseLogsExporter(t, db, table, func(c *clickhouselogsexporter.Config) { c.Settings = settings })
		require.NoError(t, exp.ConsumeLogs(context.Background(), variedLogs()))
	}
	indexBytes := func(table string) string {
		rows := chQuery(t, "SELECT sum(secondary_indices_uncompressed_bytes) > 0 FROM system.parts WHERE database = '"+db+"' AND table = '"+table+"' AND active")
		return rows[0][0]
	}
	assert.Equal(t, "1", indexBytes("otel_logs"), "indexes built on insert")
	assert.Equal(t, "0", indexBytes("deferred"), "indexes left to the merges")

	exp := startClickHouseLogsExporter(t, db, "otel_logs", func(c *clickhouselogsexporter.Config) {
		c.Settings = map[string]string{"no_such_setting_here": "1"}
	})
	err := exp.ConsumeLogs(context.Background(), variedLogs())
	require.ErrorContains(t, err, "no_such_setting_here")
	assert.False(t, consumererror.IsPermanent(err))
}

// TestClickHouseLogsWrongPassword runs on a ClickHouse of its own: a failed
// handshake aborts this engine (libchdb in server mode; chdb-server starts
// it again), which would pull the shared one from under other tests.
func TestClickHouseLogsWrongPassword(t *testing.T) {
	ch, err := startClickHouse(t.TempDir(), testLog(t, "clickhouse-wrong-password"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Stop() })

	exp := startClickHouseLogsExporter(t, "otel", "otel_logs", func(c *clickhouselogsexporter.Config) {
		c.Endpoint = ch.TCPEndpoint()
		c.Password = "wrong"
	})
	err = exp.ConsumeLogs(context.Background(), variedLogs())
	require.ErrorContains(t, err, "AUTHENTICATION_FAILED")
	assert.False(t, consumererror.IsPermanent(err), "must stay retryable: %v", err)
}

// TestClickHouseLogsTelemetry: each insert is recorded with its rows and
// outcome, the one ClickHouse refused too (its table went away after the
// exporter read it).
func TestClickHouseLogsTelemetry(t *testing.T) {
	db := newDatabase(t)
	startContribLogsExporter(t, db)
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	f := clickhouselogsexporter.NewFactory()
	set := exportertest.NewNopSettings(f.Type())
	set.TelemetrySettings = tt.NewTelemetrySettings()
	exp := startExporter(t, f, clickHouseLogsConfig(db, "otel_logs", nil), set)

	ld := variedLogs()
	require.NoError(t, exp.ConsumeLogs(context.Background(), ld))
	chQuery(t, "DROP TABLE "+db+".otel_logs")
	require.Error(t, exp.ConsumeLogs(context.Background(), ld))

	rows, err := tt.GetMetric("otelcol_exporter_clickhouselogs_insert_rows")
	require.NoError(t, err)
	byOutcome := map[string]int64{}
	for _, dp := range rows.Data.(metricdata.Histogram[int64]).DataPoints {
		outcome, _ := dp.Attributes.Value("outcome")
		require.EqualValues(t, 1, dp.Count, outcome.AsString())
		byOutcome[outcome.AsString()] = dp.Sum
	}
	assert.Equal(t, map[string]int64{"success": 12, "failure": 12}, byOutcome)
	_, err = tt.GetMetric("otelcol_exporter_clickhouselogs_insert_duration")
	require.NoError(t, err)
}

// TestClickHouseLogsColumnCodec: column_codec sets the codec of the
// table's columns before the first insert, keeping transforms and
// MATERIALIZED expressions; a table that refuses the change (the Log
// engine cannot alter a column) is logged and still takes the rows.
func TestClickHouseLogsColumnCodec(t *testing.T) {
	db := newDatabase(t)
	startContribLogsExporter(t, db)
	chQuery(t, "CREATE TABLE "+db+".recoded AS "+db+".otel_logs")
	chQuery(t, "CREATE TABLE "+db+".unalterable AS "+db+".otel_logs ENGINE = Log")
	f := clickhouselogsexporter.NewFactory()
	lz4 := func(c *clickhouselogsexporter.Config) { c.ColumnCodec = "LZ4" }

	for table, wantLog := range map[string]string{
		"recoded":     "Set the column codec",
		"unalterable": "Could not set the column codec; inserting with the table's codecs",
	} {
		set, logs := observedSettings(f)
		exp := startExporter(t, f, clickHouseLogsConfig(db, table, lz4), set)
		ld := variedLogs()
		require.NoError(t, exp.ConsumeLogs(context.Background(), ld), table)
		assert.Equal(t, 1, logs.FilterMessage(wantLog).Len(), table)
		n, err := chCount(t, "SELECT count() FROM "+db+"."+table)
		require.NoError(t, err)
		assert.Equal(t, ld.LogRecordCount(), n, table)
	}

	assert.Equal(t, [][]string{
		{"LogAttributes", "CODEC(LZ4)", ""},
		{"Timestamp", "CODEC(Delta(8), LZ4)", ""},
		{"TraceFlags", "", ""},
		{"__otel_materialized_k8s.pod.name", "CODEC(LZ4)", "MATERIALIZED 1"},
	}, chQuery(t, "SELECT name, compression_codec, trim(default_kind || ' ' || if(default_expression = '', '', toString(position(default_expression, 'k8s.pod.name') > 0))) FROM system.columns WHERE database = '"+db+
		"' AND table = 'recoded' AND name IN ('LogAttributes', 'Timestamp', 'TraceFlags', '__otel_materialized_k8s.pod.name') ORDER BY name"))
	assert.Equal(t, "0", chQuery(t, "SELECT count() FROM system.mutations WHERE database = '"+db+"'")[0][0], "a change of metadata only")
}

// TestClickHouseLogsTableSettings: table_settings are set on the table
// before the first insert, and not again by a restart that finds them; a
// table that refuses them (the Log engine has no such settings, a
// MergeTree does not know a made-up one) is logged and still takes the
// rows.
func TestClickHouseLogsTableSettings(t *testing.T) {
	db := newDatabase(t)
	startContribLogsExporter(t, db)
	for _, table := range []string{"tuned", "mistyped"} {
		chQuery(t, "CREATE TABLE "+db+"."+table+" AS "+db+".otel_logs")
	}
	chQuery(t, "CREATE TABLE "+db+".unalterable AS "+db+".otel_logs ENGINE = Log")
	f := clickhouselogsexporter.NewFactory()

	for table, c := range map[string]struct {
		settings map[string]string
		wantLog  string
	}{
		"tuned":       {map[string]string{"merge_selector_base": "10"}, "Set the table settings"},
		"unalterable": {map[string]string{"merge_selector_base": "10"}, "Could not set the table settings; inserting with the table's own"},
		"mistyped":    {map[string]string{"merge_selector_bass": "10"}, "Could not set the table settings; inserting with the table's own"},
	} {
		set, logs := observedSettings(f)
		edit := func(cfg *clickhouselogsexporter.Config) { cfg.TableSettings = c.settings }
		exp := startExporter(t, f, clickHouseLogsConfig(db, table, edit), set)
		ld := variedLogs()
		require.NoError(t, exp.ConsumeLogs(context.Background(), ld), table)
		assert.Equal(t, 1, logs.FilterMessage(c.wantLog).Len(), table)
		n, err := chCount(t, "SELECT count() FROM "+db+"."+table)
		require.NoError(t, err)
		assert.Equal(t, ld.LogRecordCount(), n, table)
	}

	settingOf := func(table string) string {
		return chQuery(t, "SELECT extract(engine_full, 'merge_selector_base = [0-9]+') FROM system.tables WHERE database = '"+
			db+"' AND name = '"+table+"'")[0][0]
	}
	assert.Equal(t, "merge_selector_base = 10", settingOf("tuned"))
	assert.Empty(t, settingOf("mistyped"))

	// A restart finds the settings in place and leaves the table's
	// metadata alone.
	modified := chQuery(t, "SELECT metadata_modification_time FROM system.tables WHERE database = '"+db+"' AND name = 'tuned'")
	set, logs := observedSettings(f)
	edit := func(cfg *clickhouselogsexporter.Config) {
		cfg.TableSettings = map[string]string{"merge_selector_base": "10"}
	}
	exp := startExporter(t, f, clickHouseLogsConfig(db, "tuned", edit), set)
	require.NoError(t, exp.ConsumeLogs(context.Background(), variedLogs()))
	assert.Equal(t, 1, logs.FilterMessage("The table has its settings already").Len())
	assert.Zero(t, logs.FilterMessage("Set the table settings").Len())
	assert.Equal(t, modified, chQuery(t, "SELECT metadata_modification_time FROM system.tables WHERE database = '"+db+"' AND name = 'tuned'"))
}

// variedLogs has what a logs table must render faithfully: two resources,
// two scopes, every attribute value type, a record without ids, one without
// a timestamp (the observed one counts), structured bodies and an event name.
func variedLogs() plog.Logs {
	ld := plog.NewLogs()
	base := time.Date(2026, 12, 1, 8, 0, 0, 123456789, time.UTC)
	for ri, service := range []string{"shop-ios", "shop-web"} {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.SetSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
		res := rl.Resource().Attributes()
		res.PutStr("service.name", service)
		res.PutStr("app.version", "5.2.0")
		res.PutInt("meta.ab_bucket", 7)
		res.PutStr("device.id", "D-42")
		for si, scope := range []string{"eventsplit", ""} {
			sl := rl.ScopeLogs().AppendEmpty()
			sl.Scope().SetName(scope)
			sl.Scope().SetVersion("0.2.0")
			sl.Scope().Attributes().PutBool("scope.ours", si == 0)
			if si == 1 {
				sl.SetSchemaUrl("https://opentelemetry.io/schemas/1.30.0")
				sl.Scope().Attributes().Clear()
			}
			for i := range 3 {
				r := sl.LogRecords().AppendEmpty()
				ts := pcommon.NewTimestampFromTime(base.Add(time.Duration(ri*100+si*10+i) * time.Millisecond))
				if i == 2 {
					r.SetObservedTimestamp(ts)
				} else {
					r.SetTimestamp(ts)
				}
				if i != 1 {
					r.SetTraceID(pcommon.TraceID{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, byte(i)})
					r.SetSpanID(pcommon.SpanID{0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, byte(i)})
					r.SetFlags(plog.DefaultLogRecordFlags.WithIsSampled(true))
				}
				r.SetSeverityNumber(plog.SeverityNumberWarn)
				r.SetSeverityText("WARN")
				r.SetEventName("screen_view")
				a := r.Attributes()
				a.PutStr("event.id", "e"+string(rune('0'+i)))
				a.PutStr("client.address", "203.0.113.7")
				a.PutInt("items", int64(-3*i))
				a.PutDouble("geo.location.lat", 51.4036+float64(i))
				a.PutDouble("ratio", []float64{0, -0.25, 1e-9}[i])
				a.PutDouble("limit", []float64{1e21, math.Inf(-1), math.NaN()}[i])
				a.PutBool("logged_in", i%2 == 0)
				a.PutEmptyBytes("blob").FromRaw([]byte{0, 1, 2, 0xff})
				a.PutEmptyMap("nested").PutStr("k", "v<&>")
				a.PutEmptySlice("path").AppendEmpty().SetStr("home")
				a.PutEmpty("nothing")
				switch i {
				case 0:
					r.Body().SetStr(`{"duration_ms": 1234}`)
				case 1:
					r.Body().SetEmptyMap().PutInt("duration_ms", 5)
				case 2:
					r.Body().SetDouble(1.5)
				}
			}
		}
	}
	return ld
}

// startContribLogsExporter starts contrib's exporter on db, which creates
// the database and its otel_logs table.
func startContribLogsExporter(t testing.TB, db string) exporter.Logs {
	t.Helper()
	f := clickhouseexporter.NewFactory()
	cfg := f.CreateDefaultConfig().(*clickhouseexporter.Config)
	cfg.Endpoint = suite.ch.TCPEndpoint()
	cfg.Database = db
	cfg.QueueSettings = configoptional.None[exporterhelper.QueueBatchConfig]()
	return startExporter(t, f, cfg, exportertest.NewNopSettings(f.Type()))
}

// startClickHouseLogsExporter starts clickhouselogs on db.table, answering
// each ConsumeLogs with the insert's outcome.
func startClickHouseLogsExporter(t testing.TB, db, table string, edit func(*clickhouselogsexporter.Config)) exporter.Logs {
	t.Helper()
	f := clickhouselogsexporter.NewFactory()
	return startExporter(t, f, clickHouseLogsConfig(db, table, edit), exportertest.NewNopSettings(f.Type()))
}

// clickHouseLogsConfig is clickhouselogs on the shared ClickHouse's
// db.table without a queue or retries, changed by edit (if any).
func clickHouseLogsConfig(db, table string, edit func(*clickhouselogsexporter.Config)) *clickhouselogsexporter.Config {
	cfg := clickhouselogsexporter.NewFactory().CreateDefaultConfig().(*clickhouselogsexporter.Config)
	cfg.Endpoint = suite.ch.TCPEndpoint()
	cfg.Database = db
	cfg.Table = table
	cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	cfg.BackOffConfig.Enabled = false
	if edit != nil {
		edit(cfg)
	}
	return cfg
}

// observedSettings are f's settings with a logger whose Info messages and
// above the test can read.
func observedSettings(f exporter.Factory) (exporter.Settings, *observer.ObservedLogs) {
	core, logs := observer.New(zap.InfoLevel)
	set := exportertest.NewNopSettings(f.Type())
	set.Logger = zap.New(core)
	return set, logs
}

func startExporter(t testing.TB, f exporter.Factory, cfg component.Config, set exporter.Settings) exporter.Logs {
	t.Helper()
	exp, err := f.CreateLogs(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, exp.Shutdown(context.Background())) })
	return exp
}
