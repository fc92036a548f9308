package clickhouselogsexporter // import "github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter"

import "strings"

// quoteIdentifier quotes a database, table or column name for ClickHouse
// SQL, so that any name the configuration gives is taken literally.
func quoteIdentifier(name string) string {
	return "`" + identifierEscaper.Replace(name) + "`"
}

// quoteString quotes a string literal (a query parameter's value).
func quoteString(s string) string {
	return "'" + stringEscaper.Replace(s) + "'"
}

var (
	identifierEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`")
	stringEscaper     = strings.NewReplacer(`\`, `\\`, `'`, `\'`)
)
