package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// clickHouseBackend reads the tables of the contrib clickhouse exporter over
// ClickHouse's HTTP interface. Values travel as query parameters
// ({name:Type} placeholders), never spliced into SQL.
type clickHouseBackend struct {
	api                           *apiClient
	database, traces, logs, idsTs string
}

// identifierPattern is what table and database names may look like; they
// are the only parts of the SQL not passed as parameters.
var identifierPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func newClickHouseBackend(ctx context.Context, cfg ClickHouseConfig, timeout time.Duration, recordDir string) (*clickHouseBackend, error) {
	for _, id := range []string{cfg.Database, cfg.TracesTable, cfg.LogsTable} {
		if !identifierPattern.MatchString(id) {
			return nil, fmt.Errorf("ClickHouse name %q: only letters, digits and _ are allowed", id)
		}
	}
	api, err := newAPIClient(ctx, "ClickHouse", cfg.HTTPEndpoint, timeout, recordDir)
	if err != nil {
		return nil, err
	}
	return &clickHouseBackend{
		api:      api,
		database: cfg.Database,
		traces:   cfg.TracesTable,
		logs:     cfg.LogsTable,
		// The exporter's companion table for trace-by-id lookups.
		idsTs: cfg.TracesTable + "_trace_id_ts",
	}, nil
}

// query runs sql with parameters and returns the raw answer. Query cache
// off: every latency measured is the database's own work.
func (c *clickHouseBackend) query(ctx context.Context, kind, sql string, params map[string]string) ([]byte, error) {
	q := url.Values{}
	q.Set("database", c.database)
	q.Set("use_query_cache", "0")
	for k, v := range params {
		q.Set("param_"+k, v)
	}
	return c.api.do(ctx, kind, "POST", "/", q, []byte(sql), nil)
}

func (c *clickHouseBackend) scalar(ctx context.Context, kind, sql string, params map[string]string) (int64, error) {
	out, err := c.query(ctx, kind, sql+" FORMAT TSV", params)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("ClickHouse: unexpected answer %q to %s", firstLine(out), kind)
	}
	return n, nil
}

func (c *clickHouseBackend) Check(ctx context.Context) (string, error) {
	out, err := c.query(ctx, "version", "SELECT version() FORMAT TSV", nil)
	if err != nil {
		return "", err
	}
	exists, err := c.scalar(ctx, "exists", "SELECT count() FROM system.tables WHERE database = {db:String} AND name = {table:String}",
		map[string]string{"db": c.database, "table": c.traces})
	if err != nil {
		return "", err
	}
	if exists == 0 {
		return "", fmt.Errorf("ClickHouse has no table %s.%s: start the collector's clickhouse exporter (create_schema: true) before comparing, or set traces_table", c.database, c.traces)
	}
	return "ClickHouse " + strings.TrimSpace(string(out)), nil
}

func (c *clickHouseBackend) CountSpans(ctx context.Context, runID string) (int64, error) {
	return c.scalar(ctx, "count_spans",
		fmt.Sprintf("SELECT count() FROM `%s` WHERE ResourceAttributes['%s'] = {run:String}", c.traces, runIDKey),
		map[string]string{"run": runID})
}

// CountEvents counts the events the eventsplit receiver turned into log
// records: the run id travels as an event attribute.
func (c *clickHouseBackend) CountEvents(ctx context.Context, runID string) (int64, error) {
	return c.scalar(ctx, "count_events",
		fmt.Sprintf("SELECT count() FROM `%s` WHERE LogAttributes['%s'] = {run:String}", c.logs, runIDKey),
		map[string]string{"run": runID})
}

// Storage sums the active parts of the trace table and the exporter's
// index tables (otel_traces_trace_id_ts, ...): what the disk holds.
func (c *clickHouseBackend) Storage(ctx context.Context) (storageStats, error) {
	out, err := c.query(ctx, "storage", `SELECT table, sum(bytes_on_disk), sum(rows) FROM system.parts
WHERE active AND database = {db:String} AND (table = {table:String} OR startsWith(table, {prefix:String}))
GROUP BY table ORDER BY table FORMAT TSV`,
		map[string]string{"db": c.database, "table": c.traces, "prefix": c.traces + "_"})
	if err != nil {
		return storageStats{}, err
	}
	st := storageStats{Parts: map[string]int64{}}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return st, fmt.Errorf("ClickHouse: unexpected system.parts row %q", line)
		}
		b, err1 := strconv.ParseInt(f[1], 10, 64)
		r, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			return st, fmt.Errorf("ClickHouse: unexpected system.parts row %q", line)
		}
		st.Bytes += b
		st.Documents += r
		st.Parts[f[0]] = b
	}
	return st, nil
}

// TraceByID is the lookup the exporter's schema is built for: the
// trace_id_ts table narrows the time range, then the spans are read.
func (c *clickHouseBackend) TraceByID(ctx context.Context, id pcommon.TraceID, _, _ time.Time) (int, error) {
	sql := fmt.Sprintf(`WITH
  (SELECT min(Start) FROM `+"`%[1]s`"+` WHERE TraceId = {trace:String}) AS trace_start,
  (SELECT max(End) + 1 FROM `+"`%[1]s`"+` WHERE TraceId = {trace:String}) AS trace_end
SELECT * FROM `+"`%[2]s`"+`
WHERE TraceId = {trace:String} AND Timestamp >= trace_start AND Timestamp <= trace_end
FORMAT JSONEachRow`, c.idsTs, c.traces)
	out, err := c.query(ctx, "trace_by_id", sql, map[string]string{"trace": id.String()})
	if err != nil {
		return 0, err
	}
	n := 0
	for line := range bytes.SplitSeq(out, []byte("\n")) {
		if len(bytes.TrimSpace(line)) > 0 {
			n++
		}
	}
	return n, nil
}

// searchSlack widens the window when reading the found traces' spans: a
// trace found by one span may have others before or after the window.
const searchSlack = time.Hour

// SearchTraces finds trace ids like Jaeger does (one span matching service,
// attribute and window) and then reads those traces whole, as Jaeger's
// search answer holds whole traces.
func (c *clickHouseBackend) SearchTraces(ctx context.Context, s traceSearch) (int, error) {
	sql := fmt.Sprintf(`SELECT TraceId, SpanId, ParentSpanId, SpanName, ServiceName, Timestamp, Duration, StatusCode, SpanAttributes, ResourceAttributes
FROM `+"`%[1]s`"+`
WHERE Timestamp >= fromUnixTimestamp64Micro({wide_start:Int64}) AND Timestamp <= fromUnixTimestamp64Micro({wide_end:Int64})
  AND TraceId IN (
    SELECT DISTINCT TraceId FROM `+"`%[1]s`"+`
    WHERE ServiceName = {service:String}
      AND Timestamp >= fromUnixTimestamp64Micro({start:Int64}) AND Timestamp <= fromUnixTimestamp64Micro({end:Int64})
      AND SpanAttributes[{key:String}] = {value:String}
      AND ResourceAttributes['%[2]s'] = {run:String}
    LIMIT {limit:UInt32})
FORMAT JSONEachRow`, c.traces, runIDKey)
	out, err := c.query(ctx, "search", sql, map[string]string{
		"service":    s.Service,
		"key":        s.AttrKey,
		"value":      s.AttrValue,
		"run":        s.RunID,
		"start":      strconv.FormatInt(s.Start.UnixMicro(), 10),
		"end":        strconv.FormatInt(s.End.UnixMicro(), 10),
		"wide_start": strconv.FormatInt(s.Start.Add(-searchSlack).UnixMicro(), 10),
		"wide_end":   strconv.FormatInt(s.End.Add(searchSlack).UnixMicro(), 10),
		"limit":      strconv.Itoa(s.Limit),
	})
	if err != nil {
		return 0, err
	}
	return countDistinctTraceIDs(out)
}

func countDistinctTraceIDs(jsonEachRow []byte) (int, error) {
	seen := map[string]struct{}{}
	sc := bufio.NewScanner(bytes.NewReader(jsonEachRow))
	sc.Buffer(make([]byte, 0, 64<<10), maxResponseBytes)
	for sc.Scan() {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var row struct {
			TraceID string `json:"TraceId"`
		}
		if err := json.Unmarshal(line, &row); err != nil {
			return 0, fmt.Errorf("ClickHouse: unreadable row in search answer: %w", err)
		}
		seen[row.TraceID] = struct{}{}
	}
	return len(seen), sc.Err()
}
