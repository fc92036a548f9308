package compare

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"
)

// answeringBackend answers every query from the workload itself, so a
// correct query plan gets right answers; searchErr makes every search fail.
type answeringBackend struct {
	work      *workload.Workload
	searchErr error
	searches  int
}

func (b *answeringBackend) Check(context.Context) (string, error) { return "test", nil }
func (b *answeringBackend) CountSpans(context.Context, backend.Run) (int64, error) {
	return 0, nil
}
func (b *answeringBackend) CountEvents(context.Context, string) (int64, error) { return 0, nil }
func (b *answeringBackend) Storage(context.Context) (backend.StorageStats, error) {
	return backend.StorageStats{}, nil
}

func (b *answeringBackend) TraceByID(_ context.Context, id pcommon.TraceID, _, _ time.Time) (int, error) {
	traces, _, _ := b.work.Snapshot()
	for _, t := range traces {
		if t.ID == id {
			return t.Spans, nil
		}
	}
	return 0, nil
}

func (b *answeringBackend) SearchTraces(_ context.Context, q backend.TraceSearch) (int, error) {
	b.searches++
	if b.searchErr != nil {
		return 0, b.searchErr
	}
	n := b.work.ExpectedSearch(q.Service, q.AttrValue, q.Start.UnixMicro(), q.End.UnixMicro())
	return min(n, q.Limit), nil
}

// newQueryComparison is a comparison whose workload was all accepted and
// whose backends all hold the data, ready for the query phase.
func newQueryComparison(t *testing.T, backends ...config.BackendConfig) (*comparison, *workload.Workload) {
	cfg := config.Default()
	cfg.Workload.Traces = 200
	cfg.Queries.Repeat = 20
	cfg.Backends = backends
	work := workload.New(cfg.Workload, "run-1")
	for k := range work.Requests() {
		work.Batch(k, time.Now())
		work.MarkAccepted(k)
	}
	c := &comparison{cfg: cfg, out: io.Discard, work: work, live: map[int]backend.Backend{},
		report: &report.Report{RunID: "run-1"}}
	for i, bc := range backends {
		seconds := 1.0
		c.report.Backends = append(c.report.Backends, &report.BackendReport{Name: bc.Name, Complete: true,
			Queries: map[string]*report.QueryReport{}, Ingest: report.IngestReport{SecondsToQueryable: &seconds}})
		c.live[i] = &answeringBackend{work: work}
	}
	return c, work
}

func TestQueryPlanIsSeededAndWithinLimit(t *testing.T) {
	c, _ := newQueryComparison(t)
	a, b := c.plan(), c.plan()
	assert.Equal(t, a, b, "the same seed plans the same queries")
	require.Len(t, a.traces, c.cfg.Queries.Repeat+1, "one warm-up query more than measured")
	require.Len(t, a.searches, c.cfg.Queries.Repeat+1)
	expected := 0
	for _, s := range a.searches {
		assert.LessOrEqual(t, s.expected, c.cfg.Queries.SearchLimit)
		assert.False(t, s.q.End.Before(s.q.Start))
		expected += s.expected
	}
	assert.Positive(t, expected, "a plan of empty answers proves little")
}

func TestRunQueriesRightAnswersAndFailures(t *testing.T) {
	c, _ := newQueryComparison(t,
		config.BackendConfig{Name: "good"},
		config.BackendConfig{Name: "broken-search"})
	c.live[1].(*answeringBackend).searchErr = errors.New("HTTP 500")
	c.runQueries(context.Background())

	good := c.report.Backends[0]
	assert.True(t, good.Complete, "%v", good.Problems)
	for _, kind := range report.QueryKinds {
		q := good.Queries[kind]
		require.NotNil(t, q, kind)
		assert.Equal(t, 20, q.Queries, "warm-up not counted")
		assert.Zero(t, q.Errors+q.WrongAnswers)
		assert.NotNil(t, q.P50Ms)
	}
	broken := c.report.Backends[1]
	assert.False(t, broken.Complete)
	assert.Equal(t, 20, broken.Queries[report.QuerySearch].Errors)
	assert.Nil(t, broken.Queries[report.QuerySearch].P50Ms, "no latency from failed queries")
	assert.Contains(t, broken.Problems, "20 of 20 search queries failed; first: HTTP 500")
}

func TestRunQueriesSkipsWhatTheBackendCannotAnswer(t *testing.T) {
	c, _ := newQueryComparison(t, config.BackendConfig{Name: "no-search",
		SkipQueries: map[string]string{config.QuerySearch: "not implemented by this storage"}})
	b := c.live[0].(*answeringBackend)
	b.searchErr = errors.New("would fail")
	c.runQueries(context.Background())

	br := c.report.Backends[0]
	assert.True(t, br.Complete, "a declared gap is not a failure: %v", br.Problems)
	assert.Zero(t, b.searches, "skipped queries are not sent")
	q := br.Queries[report.QuerySearch]
	assert.Equal(t, "not implemented by this storage", q.Skipped)
	assert.Zero(t, q.Queries)
	assert.Nil(t, q.P50Ms)
	assert.Contains(t, br.Notes, "search queries not run: not implemented by this storage")
	assert.Equal(t, 20, br.Queries[report.QueryTraceByID].Queries)
}

func TestRunQueriesLeavesOutBackendsMissingData(t *testing.T) {
	c, _ := newQueryComparison(t, config.BackendConfig{Name: "behind"})
	c.report.Backends[0].Ingest.SecondsToQueryable = nil
	c.runQueries(context.Background())
	assert.Empty(t, c.report.Backends[0].Queries)
	assert.Contains(t, c.report.Backends[0].Notes, "queries skipped: the backend does not hold all the data")
}
