// Package clickhouselogsexporter writes log records (our client events) into
// the logs table of contrib's clickhouse exporter (otel_logs), column by
// column over ClickHouse's native protocol (ch-go). It exists for speed: the
// contrib exporter appends each row through clickhouse-go's reflective
// batch API and builds an ordered map per attribute set, which was 42 % of
// the gateway's CPU at full load; this exporter appends pdata straight into
// reusable columns. It neither creates nor alters the table: the contrib
// exporter (create_schema) or the operator does.
//
//go:generate mdatagen metadata.yaml
package clickhouselogsexporter // import "github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter"
