package clickhouselogsexporter // import "github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter"

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ClickHouse/ch-go"
	"github.com/ClickHouse/ch-go/proto"
	"go.uber.org/zap"
)

// tableSchema is what the exporter learnt of the table on first use.
type tableSchema struct {
	table        string // `db`.`table`, for queries and messages
	hasEventName bool
	insertSQL    string
}

// tableSchema reads the table's columns once, so that a table from before
// contrib added EventName still takes inserts, and a missing table or
// column is reported by name instead of as ClickHouse's insert error.
func (e *logsExporter) tableSchema(ctx context.Context) (*tableSchema, error) {
	e.schemaMu.Lock()
	defer e.schemaMu.Unlock()
	if e.schema != nil {
		return e.schema, nil
	}
	table := quoteIdentifier(e.cfg.Database) + "." + quoteIdentifier(e.cfg.Table)
	codecs, err := e.readColumns(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the columns of %s: %w", table, err)
	}
	columns := make(map[string]bool, len(codecs))
	for name := range codecs {
		columns[name] = true
	}
	schema, err := newTableSchema(table, columns)
	if err != nil {
		return nil, err
	}
	if e.cfg.ColumnCodec != "" {
		e.setColumnCodec(ctx, table, codecs)
	}
	if len(e.cfg.TableSettings) > 0 {
		e.setTableSettings(ctx, table)
	}
	e.schema = schema
	e.logger.Info("Inserting into the logs table", zap.String("table", table), zap.Bool("event_name_column", schema.hasEventName))
	return schema, nil
}

// readColumns returns the table's columns and the compression_codec of
// each ("" where the server's default applies).
func (e *logsExporter) readColumns(ctx context.Context) (map[string]string, error) {
	var names, codecColumn proto.ColStr
	codecs := map[string]string{}
	err := e.do(ctx, ch.Query{
		Body:       "SELECT name, compression_codec FROM system.columns WHERE database = {db:String} AND table = {table:String}",
		Parameters: e.tableParameters(),
		Result:     proto.Results{{Name: "name", Data: &names}, {Name: "compression_codec", Data: &codecColumn}},
		OnResult: func(context.Context, proto.Block) error {
			for i := range names.Rows() {
				codecs[names.Row(i)] = codecColumn.Row(i)
			}
			names.Reset()
			codecColumn.Reset()
			return nil
		},
	})
	return codecs, err
}

// tableParameters bind {db:String} and {table:String} to the configured
// table, for the queries that read its description from system tables.
func (e *logsExporter) tableParameters() []proto.Parameter {
	return []proto.Parameter{
		{Key: "db", Value: quoteString(e.cfg.Database)},
		{Key: "table", Value: quoteString(e.cfg.Table)},
	}
}

// setColumnCodec gives the table's columns the configured general-purpose
// codec. Changing a codec is a change of metadata only: parts written from
// then on, by inserts and by merges, use it; nothing is rewritten now. A
// refusal (say, a user without the ALTER grant) is logged and the inserts
// go on: the codec decides what storing costs, not what is stored.
func (e *logsExporter) setColumnCodec(ctx context.Context, table string, codecs map[string]string) {
	changes := plannedCodecs(codecs, e.cfg.ColumnCodec)
	if len(changes) == 0 {
		return
	}
	slices.SortFunc(changes, func(a, b codecChange) int { return strings.Compare(a.column, b.column) })
	clauses := make([]string, len(changes))
	columns := make([]string, len(changes))
	for i, c := range changes {
		clauses[i] = "MODIFY COLUMN " + quoteIdentifier(c.column) + " CODEC(" + c.codec + ")"
		columns[i] = c.column
	}
	if err := e.do(ctx, ch.Query{Body: "ALTER TABLE " + table + " " + strings.Join(clauses, ", ")}); err != nil {
		e.logger.Warn("Could not set the column codec; inserting with the table's codecs",
			zap.String("table", table), zap.String("column_codec", e.cfg.ColumnCodec), zap.Error(err))
		return
	}
	e.logger.Info("Set the column codec", zap.String("table", table),
		zap.String("column_codec", e.cfg.ColumnCodec), zap.Strings("columns", columns))
}

// newTableSchema checks that the table has the columns this exporter
// writes and renders its INSERT.
func newTableSchema(table string, columns map[string]bool) (*tableSchema, error) {
	if len(columns) == 0 {
		return nil, fmt.Errorf("table %s does not exist: create it with contrib's clickhouse exporter (create_schema: true) or its otel_logs statement", table)
	}
	schema := &tableSchema{table: table, hasEventName: columns["EventName"]}
	input := newLogsBlock(schema.hasEventName).input
	var missing []string
	for _, c := range input {
		if !columns[c.Name] {
			missing = append(missing, c.Name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("table %s lacks the columns %v of contrib's otel_logs schema", table, missing)
	}
	schema.insertSQL = "INSERT INTO " + table + " " + input.Columns() + " VALUES"
	return schema, nil
}
