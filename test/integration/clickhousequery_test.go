//go:build integration

// Databases of a test's own on the shared ClickHouse, and queries on it.

package integration

import (
	"bufio"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var nonIdent = regexp.MustCompile(`[^a-z0-9_]+`)

// newDatabase names a ClickHouse database of the test's own; the clickhouse
// exporter creates it (create_schema: true).
func newDatabase(t testing.TB) string {
	name := "it_" + nonIdent.ReplaceAllString(strings.ToLower(t.Name()), "_")
	name += "_" + strconv.FormatInt(time.Now().UnixNano()%1e6, 10)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = suite.ch.Query(ctx, "DROP DATABASE IF EXISTS "+name)
	})
	return name
}

// chQuery runs a query on the shared ClickHouse and returns its TSV rows.
func chQuery(t testing.TB, query string) [][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := suite.ch.Query(ctx, query+" FORMAT TSV")
	require.NoError(t, err, query)
	var rows [][]string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		rows = append(rows, strings.Split(sc.Text(), "\t"))
	}
	return rows
}

// chCount runs a count query; a missing table (not created yet) counts 0.
func chCount(t testing.TB, query string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := suite.ch.Query(ctx, query+" FORMAT TSV")
	if err != nil {
		if strings.Contains(err.Error(), "UNKNOWN_TABLE") || strings.Contains(err.Error(), "UNKNOWN_DATABASE") {
			return 0, nil
		}
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(out))
}
