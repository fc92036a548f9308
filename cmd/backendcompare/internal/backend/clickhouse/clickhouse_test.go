package clickhouse

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
)

func TestNamesAreChecked(t *testing.T) {
	_, err := New(context.Background(), config.ClickHouseConfig{
		HTTPEndpoint: config.HTTPEndpoint{Endpoint: "http://127.0.0.1:8123"},
		Database:     "otel; DROP TABLE x", TracesTable: "otel_traces", LogsTable: "otel_logs",
	}, time.Second, "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "only letters, digits and _")
}

// Values travel as query parameters: what a client sends can never become
// SQL, whatever it holds.
func TestValuesAreParametersNotSQL(t *testing.T) {
	var gotSQL string
	var gotParams map[string][]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		gotSQL, gotParams = string(body), r.URL.Query()
		_, _ = io.WriteString(w, "42\n")
	}))
	defer srv.Close()
	b, err := New(context.Background(), config.ClickHouseConfig{
		HTTPEndpoint: config.HTTPEndpoint{Endpoint: srv.URL},
		Database:     "otel", TracesTable: "otel_traces", LogsTable: "otel_logs",
	}, time.Second, "")
	require.NoError(t, err)
	evil := "x' OR 1=1 --"
	n, err := b.CountSpans(context.Background(), backend.Run{ID: evil})
	require.NoError(t, err)
	assert.Equal(t, int64(42), n)
	assert.NotContains(t, gotSQL, evil)
	assert.Contains(t, gotSQL, "FROM `otel_traces` WHERE ResourceAttributes['benchmark.run_id'] = {run:String}")
	assert.Equal(t, []string{evil}, gotParams["param_run"])
	assert.Equal(t, []string{"0"}, gotParams["use_query_cache"])
	assert.Equal(t, []string{"otel"}, gotParams["database"])
}

// Every statement of sql/ renders with the names filled in.
func TestStatementsRender(t *testing.T) {
	for _, tmpl := range statements.Templates() {
		var sb strings.Builder
		require.NoError(t, tmpl.Execute(&sb, names{Traces: "t", Logs: "l", IDsTs: "t_ids", RunIDKey: "run"}), tmpl.Name())
		assert.NotContains(t, sb.String(), "<no value>", tmpl.Name())
		assert.Contains(t, sb.String(), "FORMAT ", "%s names its output format", tmpl.Name())
	}
}
