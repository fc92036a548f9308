// Package clickhouse is the comparison's adapter for the tables the contrib
// clickhouse exporter writes, read over ClickHouse's HTTP interface. The SQL
// lives in sql/*.sql: values travel as query parameters ({name:Type}
// placeholders), never spliced in; only table names, checked against a
// strict pattern, are filled into the templates.
package clickhouse // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend/clickhouse"

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

var statements = template.Must(template.ParseFS(sqlFiles, "sql/*.sql"))

// identifierPattern is what table and database names may look like; they
// are the only parts of the SQL not passed as parameters.
var identifierPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// names fill the templates.
type names struct {
	Traces, Logs, IDsTs, RunIDKey string
}

// Backend reads the exporter's tables.
type Backend struct {
	api      *backend.API
	database string
	names    names
}

var _ backend.Backend = (*Backend)(nil)

// New checks the names and builds the HTTP client; it does not connect.
func New(ctx context.Context, cfg config.ClickHouseConfig, timeout time.Duration, recordDir string) (*Backend, error) {
	for _, id := range []string{cfg.Database, cfg.TracesTable, cfg.LogsTable} {
		if !identifierPattern.MatchString(id) {
			return nil, fmt.Errorf("ClickHouse name %q: only letters, digits and _ are allowed", id)
		}
	}
	api, err := backend.NewAPI(ctx, "ClickHouse", cfg.HTTPEndpoint, timeout, recordDir)
	if err != nil {
		return nil, err
	}
	return &Backend{api: api, database: cfg.Database, names: names{
		Traces: cfg.TracesTable, Logs: cfg.LogsTable,
		// The exporter's companion table for trace-by-id lookups.
		IDsTs:    cfg.TracesTable + "_trace_id_ts",
		RunIDKey: workload.RunIDKey,
	}}, nil
}

// query runs a statement of sql/ with parameters and returns the raw
// answer. Query cache off: every latency measured is the database's own
// work.
func query(ctx context.Context, api *backend.API, database, statement string, n names, params map[string]string) ([]byte, error) {
	var sql bytes.Buffer
	if err := statements.ExecuteTemplate(&sql, statement+".sql", n); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("database", database)
	q.Set("use_query_cache", "0")
	for k, v := range params {
		q.Set("param_"+k, v)
	}
	return api.Do(ctx, statement, "POST", "/", q, sql.Bytes(), nil)
}

func (c *Backend) query(ctx context.Context, statement string, params map[string]string) ([]byte, error) {
	return query(ctx, c.api, c.database, statement, c.names, params)
}

func (c *Backend) scalar(ctx context.Context, statement string, params map[string]string) (int64, error) {
	out, err := c.query(ctx, statement, params)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("ClickHouse: unexpected answer %q to %s", backend.FirstLine(out), statement)
	}
	return n, nil
}

// Check reads the version and makes sure the traces table exists.
func (c *Backend) Check(ctx context.Context) (string, error) {
	out, err := c.query(ctx, "version", nil)
	if err != nil {
		return "", err
	}
	exists, err := c.scalar(ctx, "table_exists", map[string]string{"db": c.database, "table": c.names.Traces})
	if err != nil {
		return "", err
	}
	if exists == 0 {
		return "", fmt.Errorf("ClickHouse has no table %s.%s: start the collector's clickhouse exporter (create_schema: true) before comparing, or set traces_table", c.database, c.names.Traces)
	}
	return "ClickHouse " + strings.TrimSpace(string(out)), nil
}

// CountSpans counts the run's spans in the traces table.
func (c *Backend) CountSpans(ctx context.Context, run backend.Run) (int64, error) {
	return c.scalar(ctx, "count_spans", map[string]string{"run": run.ID})
}

// CountEvents counts the events the eventsplit receiver turned into log
// records: the run id travels as an event attribute.
func (c *Backend) CountEvents(ctx context.Context, runID string) (int64, error) {
	return c.scalar(ctx, "count_events", map[string]string{"run": runID})
}

// Storage sums the active parts of the trace table and the exporter's
// index tables (otel_traces_trace_id_ts, ...).
func (c *Backend) Storage(ctx context.Context) (backend.StorageStats, error) {
	out, err := c.query(ctx, "storage", map[string]string{"db": c.database, "table": c.names.Traces, "prefix": c.names.Traces + "_"})
	if err != nil {
		return backend.StorageStats{}, err
	}
	return parseParts(out)
}

// DatabaseStorage sums the active parts of every table of a database, over
// api: the size of what Jaeger's ClickHouse storage wrote.
func DatabaseStorage(ctx context.Context, api *backend.API, database string) (backend.StorageStats, error) {
	if !identifierPattern.MatchString(database) {
		return backend.StorageStats{}, fmt.Errorf("ClickHouse name %q: only letters, digits and _ are allowed", database)
	}
	out, err := query(ctx, api, database, "database_storage", names{}, map[string]string{"db": database})
	if err != nil {
		return backend.StorageStats{}, err
	}
	return parseParts(out)
}

// Version is the server's version, over api.
func Version(ctx context.Context, api *backend.API) (string, error) {
	out, err := query(ctx, api, "system", "version", names{}, nil)
	return strings.TrimSpace(string(out)), err
}

// parseParts reads "table, bytes, rows" rows.
func parseParts(out []byte) (backend.StorageStats, error) {
	st := backend.StorageStats{Parts: map[string]int64{}}
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

// TraceByID reads one whole trace.
func (c *Backend) TraceByID(ctx context.Context, id pcommon.TraceID, _, _ time.Time) (int, error) {
	out, err := c.query(ctx, "trace_by_id", map[string]string{"trace": id.String()})
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

// SearchTraces finds traces as Jaeger does and reads them whole.
func (c *Backend) SearchTraces(ctx context.Context, s backend.TraceSearch) (int, error) {
	out, err := c.query(ctx, "search", map[string]string{
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
	sc.Buffer(make([]byte, 0, 64<<10), backend.MaxResponseBytes)
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
