package jaeger

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"
)

// Recorded from the Jaeger built here (testdata/README.md).
const (
	jaegerFixtures = "testdata/jaeger-2.13.0"
	esFixtures     = "testdata/elasticsearch-8.19.7"
)

func jaegerFixture(name string) string { return filepath.Join(jaegerFixtures, name) }
func esFixture(name string) string     { return filepath.Join(esFixtures, name) }

// fixtureServer answers with fixture files and keeps every request.
type fixtureServer struct {
	mu       sync.Mutex
	requests []*http.Request
	routes   map[string]route // "METHOD path", or "METHOD *" for any path
}

type route struct {
	status int
	file   string
}

func serve(t *testing.T, routes map[string]route) (*fixtureServer, string) {
	f := &fixtureServer{routes: routes}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, r)
		f.mu.Unlock()
		rt, ok := f.routes[r.Method+" "+r.URL.Path]
		if !ok {
			rt = f.routes[r.Method+" *"]
		}
		if rt.file == "" {
			http.Error(w, "no fixture for "+r.Method+" "+r.URL.Path, http.StatusNotImplemented)
			return
		}
		data, err := os.ReadFile(rt.file)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rt.status)
		_, _ = w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fixtureServer) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func newBadgerJaeger(t *testing.T, routes map[string]route) (*Backend, *fixtureServer) {
	f, url := serve(t, routes)
	b, err := New(context.Background(), config.JaegerConfig{
		Query: config.HTTPEndpoint{Endpoint: url}, Storage: config.StorageBadger,
		Badger: config.BadgerConfig{Directory: t.TempDir()},
	}, 5*time.Second, "")
	require.NoError(t, err)
	return b, f
}

// recordedTrace is the id and span count of trace.json, read as plain JSON.
func recordedTrace(t *testing.T) (pcommon.TraceID, int) {
	raw, err := os.ReadFile(jaegerFixture("trace.json"))
	require.NoError(t, err)
	var doc struct {
		Data []struct {
			TraceID string           `json:"traceID"`
			Spans   []map[string]any `json:"spans"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.Len(t, doc.Data, 1)
	id, err := hex.DecodeString(doc.Data[0].TraceID)
	require.NoError(t, err)
	return pcommon.TraceID(id), len(doc.Data[0].Spans)
}

func TestCheckWithBadger(t *testing.T) {
	b, _ := newBadgerJaeger(t, map[string]route{"GET /api/services": {200, jaegerFixture("services.json")}})
	version, err := b.Check(context.Background())
	require.NoError(t, err)
	assert.Contains(t, version, "Jaeger v2 on Badger (")
}

func TestCheckWithElasticsearchSendsCredentials(t *testing.T) {
	_, qurl := serve(t, map[string]route{"GET /api/services": {200, jaegerFixture("services.json")}})
	ef, eurl := serve(t, map[string]route{"GET /": {200, esFixture("info.json")}})
	b, err := New(context.Background(), config.JaegerConfig{
		Query: config.HTTPEndpoint{Endpoint: qurl}, Storage: config.StorageElasticsearch,
		Elasticsearch: config.ElasticsearchConfig{HTTPEndpoint: config.HTTPEndpoint{Endpoint: eurl, Username: "jaeger", Password: "secret"},
			SpanIndices: "*jaeger-span-*", ServiceIndices: "*jaeger-service-*"},
	}, time.Second, "")
	require.NoError(t, err)
	version, err := b.Check(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "Jaeger v2 on Elasticsearch 8.19.7", version)
	user, pass, ok := ef.requests[0].BasicAuth()
	assert.True(t, ok)
	assert.Equal(t, []string{"jaeger", "secret"}, []string{user, pass})
}

func TestTraceByIDOnRecordedAnswer(t *testing.T) {
	id, spans := recordedTrace(t)
	require.Positive(t, spans)
	b, _ := newBadgerJaeger(t, map[string]route{"GET /api/traces/" + id.String(): {200, jaegerFixture("trace.json")}})
	n, err := b.TraceByID(context.Background(), id, time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, spans, n)
}

func TestTraceNotFoundIsZeroSpans(t *testing.T) {
	id, _ := recordedTrace(t)
	b, _ := newBadgerJaeger(t, map[string]route{"GET /api/traces/" + id.String(): {404, jaegerFixture("trace-not-found.json")}})
	n, err := b.TraceByID(context.Background(), id, time.Time{}, time.Time{})
	require.NoError(t, err, "not found is a wrong answer for the report, not a failed query")
	assert.Zero(t, n)
}

// Counting asks trace by trace, and only for the traces not yet served
// whole: a served trace counts its spans, a missing one counts nothing.
func TestCountSpansAsksTraceByTrace(t *testing.T) {
	id, spans := recordedTrace(t)
	b, f := newBadgerJaeger(t, map[string]route{
		"GET /api/traces/" + id.String(): {200, jaegerFixture("trace.json")},
		"GET *":                          {404, jaegerFixture("trace-not-found.json")},
	})
	other := pcommon.TraceID{1}
	run := backend.Run{ID: "fixtures", Traces: []workload.Trace{{ID: id, Spans: spans, Accepted: true}, {ID: other, Spans: 4, Accepted: true}}}
	n, err := b.CountSpans(context.Background(), run)
	require.NoError(t, err)
	assert.Equal(t, int64(spans), n)
	assert.Equal(t, 2, f.count())
	n, err = b.CountSpans(context.Background(), run)
	require.NoError(t, err)
	assert.Equal(t, int64(spans), n, "the served trace still counts")
	assert.Equal(t, 3, f.count(), "only the missing trace is asked for again")
}

// While the traces sent last are not served whole, a count asks for those
// only; once they are, it sweeps the rest.
func TestCountSpansProbesTheLastTracesFirst(t *testing.T) {
	_, spans := recordedTrace(t)
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	routes := map[string]route{"GET *": {404, jaegerFixture("trace-not-found.json")}}
	run := backend.Run{ID: "probe"}
	for i := range 40 {
		id := pcommon.TraceID{byte(i + 1)}
		run.Traces = append(run.Traces, workload.Trace{ID: id, Spans: spans, Accepted: true,
			Start: start.Add(time.Duration(i) * time.Second), End: start.Add(time.Duration(i)*time.Second + time.Millisecond)})
		if i < 30 { // the 10 sent last are still missing
			routes["GET /api/traces/"+id.String()] = route{200, jaegerFixture("trace.json")}
		}
	}
	b, f := newBadgerJaeger(t, routes)
	n, err := b.CountSpans(context.Background(), run)
	require.NoError(t, err)
	assert.Equal(t, probeSize, f.count(), "only the probes are asked while the last traces are missing")
	assert.Equal(t, int64(6*spans), n, "6 of the 16 probes are served")

	for i := 30; i < 40; i++ { // the last traces arrive
		f.mu.Lock()
		f.routes["GET /api/traces/"+pcommon.TraceID{byte(i + 1)}.String()] = route{200, jaegerFixture("trace.json")}
		f.mu.Unlock()
	}
	n, err = b.CountSpans(context.Background(), run)
	require.NoError(t, err)
	assert.Equal(t, int64(40*spans), n, "the sweep finds every trace")
	assert.Equal(t, probeSize+40-6, f.count(), "served probes are not asked again")
}

// The recorded search answer is every trace of the run's first service,
// and the workload generator, seeded as the recording was, agrees on how
// many there are: the adapter's count is checked against the real answer,
// and the real answer against the generator.
func TestSearchOnRecordedAnswerMatchesTheWorkload(t *testing.T) {
	b, f := newBadgerJaeger(t, map[string]route{"GET /api/traces": {200, jaegerFixture("search.json")}})
	start := time.UnixMicro(1763751600000000)
	n, err := b.SearchTraces(context.Background(), backend.TraceSearch{
		Service: "cart", AttrKey: "customer.tier", AttrValue: "gold", RunID: "fixtures", Start: start, End: start.Add(time.Second), Limit: 50,
	})
	require.NoError(t, err)

	cfg := workload.DefaultConfig()
	cfg.Seed, cfg.Traces, cfg.TracesPerRequest, cfg.Services = 1, 20, 10, 3
	w := workload.New(cfg, "fixtures")
	for k := range w.Requests() {
		w.Batch(k, time.Now())
		w.MarkAccepted(k)
	}
	// A trace has one customer tier, so the tiers' counts add up to the
	// traces with a span of the service.
	want := 0
	for _, tier := range []string{"gold", "silver", "bronze"} {
		want += w.ExpectedSearch("cart", tier, 0, time.Now().Add(time.Hour).UnixMicro())
	}
	assert.Equal(t, want, n, "the real answer holds exactly the traces the workload sent to that service")

	q := f.requests[0].URL.Query()
	assert.Equal(t, "cart", q.Get("service"))
	assert.Equal(t, "1763751600000000", q.Get("start"), "µs, as Jaeger's API takes them")
	assert.Equal(t, "1763751601000000", q.Get("end"))
	assert.Equal(t, "50", q.Get("limit"))
	var tags map[string]string
	require.NoError(t, json.Unmarshal([]byte(q.Get("tags")), &tags))
	assert.Equal(t, map[string]string{"customer.tier": "gold", "benchmark.run_id": "fixtures"}, tags)
}

func TestErrors(t *testing.T) {
	t.Run("query API error envelope", func(t *testing.T) {
		b, _ := newBadgerJaeger(t, map[string]route{"GET /api/traces": {400, jaegerFixture("search-bad-request.json")}})
		_, err := b.SearchTraces(context.Background(), backend.TraceSearch{Service: "frontend", Limit: 1})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Jaeger query answered HTTP 400")
		assert.Contains(t, err.Error(), "unable to parse param 'start'")
	})
	t.Run("wrong Elasticsearch credentials", func(t *testing.T) {
		_, qurl := serve(t, nil)
		_, eurl := serve(t, map[string]route{"POST *": {401, esFixture("security-exception-401.json")}})
		b, err := New(context.Background(), config.JaegerConfig{Query: config.HTTPEndpoint{Endpoint: qurl}, Storage: config.StorageElasticsearch,
			Elasticsearch: config.ElasticsearchConfig{HTTPEndpoint: config.HTTPEndpoint{Endpoint: eurl}, SpanIndices: "s", ServiceIndices: "v"}}, time.Second, "")
		require.NoError(t, err)
		_, err = b.Storage(context.Background())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Elasticsearch refused the credentials (HTTP 401)")
		assert.Contains(t, err.Error(), "security_exception: unable to authenticate user [jaeger]")
	})
	t.Run("unreachable", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		b, err := New(context.Background(), config.JaegerConfig{Query: config.HTTPEndpoint{Endpoint: url}, Storage: config.StorageBadger,
			Badger: config.BadgerConfig{Directory: t.TempDir()}}, time.Second, "")
		require.NoError(t, err)
		_, err = b.Check(context.Background())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "cannot reach Jaeger query at "+url+": connection refused")
	})
	t.Run("badger directory missing", func(t *testing.T) {
		_, qurl := serve(t, map[string]route{"GET /api/services": {200, jaegerFixture("services.json")}})
		b, err := New(context.Background(), config.JaegerConfig{Query: config.HTTPEndpoint{Endpoint: qurl}, Storage: config.StorageBadger,
			Badger: config.BadgerConfig{Directory: filepath.Join(t.TempDir(), "nope")}}, time.Second, "")
		require.NoError(t, err)
		_, err = b.Check(context.Background())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "set jaeger.badger.directory")
	})
}

// Badger's size is the blocks its files take, by file kind.
func TestBadgerSizeIsAllocatedBlocks(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "000001.vlog"), make([]byte, 10000), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "000002.sst"), []byte("x"), 0o600))
	st, err := badgerDir(dir).size(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(2), st.Documents)
	assert.GreaterOrEqual(t, st.Parts[".vlog"], int64(10000))
	assert.Positive(t, st.Parts[".sst"])
	assert.Equal(t, st.Parts[".vlog"]+st.Parts[".sst"], st.Bytes)
}

func TestBadgerSizeFollowsALinkedDirectory(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "000001.vlog"), make([]byte, 10000), 0o600))
	link := filepath.Join(t.TempDir(), "jaeger")
	require.NoError(t, os.Symlink(dir, link))
	st, err := badgerDir(link).size(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(1), st.Documents)
	assert.GreaterOrEqual(t, st.Bytes, int64(10000))
}

func TestRecordDirKeepsAnswers(t *testing.T) {
	_, url := serve(t, map[string]route{"GET /api/services": {200, jaegerFixture("services.json")}})
	dir := t.TempDir()
	api, err := backend.NewAPI(context.Background(), "Jaeger query", config.HTTPEndpoint{Endpoint: url}, time.Second, dir)
	require.NoError(t, err)
	_, err = api.Do(context.Background(), "services", http.MethodGet, "/api/services", nil, nil, nil)
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(dir, "jaeger_query-services-200.json"))
	require.NoError(t, err)
	want, _ := os.ReadFile(jaegerFixture("services.json"))
	assert.Equal(t, want, got)
}
