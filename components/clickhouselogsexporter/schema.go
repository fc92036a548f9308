package clickhouselogsexporter // import "github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter"

import (
	"context"
	"fmt"

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
	var names proto.ColStr
	columns := map[string]bool{}
	err := e.do(ctx, ch.Query{
		Body: "SELECT name FROM system.columns WHERE database = {db:String} AND table = {table:String}",
		Parameters: []proto.Parameter{
			{Key: "db", Value: quoteString(e.cfg.Database)},
			{Key: "table", Value: quoteString(e.cfg.Table)},
		},
		Result: proto.Results{{Name: "name", Data: &names}},
		OnResult: func(context.Context, proto.Block) error {
			for i := range names.Rows() {
				columns[names.Row(i)] = true
			}
			names.Reset()
			return nil
		},
	})
	table := quoteIdentifier(e.cfg.Database) + "." + quoteIdentifier(e.cfg.Table)
	if err != nil {
		return nil, fmt.Errorf("read the columns of %s: %w", table, err)
	}
	schema, err := newTableSchema(table, columns)
	if err != nil {
		return nil, err
	}
	e.schema = schema
	e.logger.Info("Inserting into the logs table", zap.String("table", table), zap.Bool("event_name_column", schema.hasEventName))
	return schema, nil
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
