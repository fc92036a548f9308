package clickhouselogsexporter // import "github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter"

import (
	"strings"

	"github.com/ClickHouse/ch-go/proto"
)

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

// insertStatement is "INSERT INTO table (columns...) VALUES", the form
// that sends the rows as native blocks after the query.
func insertStatement(table string, input proto.Input) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (")
	for i, c := range input {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdentifier(c.Name))
	}
	b.WriteString(") VALUES")
	return b.String()
}
