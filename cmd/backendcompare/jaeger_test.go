package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
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
)

const (
	jaegerFixtures = "testdata/jaeger-2.11.0"
	esFixtures     = "testdata/elasticsearch-8.19.7"
)

// fixtureServer answers with recorded-format responses and keeps every
// request for the test to inspect.
type fixtureServer struct {
	t        *testing.T
	mu       sync.Mutex
	requests []recordedRequest
	routes   map[string]fixtureRoute // "METHOD path"
}

type fixtureRoute struct {
	status int
	file   string
}

type recordedRequest struct {
	method, path string
	query        map[string][]string
	body         []byte
	user, pass   string
	hasAuth      bool
}

func newFixtureServer(t *testing.T, routes map[string]fixtureRoute) (*fixtureServer, *httptest.Server) {
	f := &fixtureServer{t: t, routes: routes}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		user, pass, ok := r.BasicAuth()
		f.mu.Lock()
		f.requests = append(f.requests, recordedRequest{method: r.Method, path: r.URL.Path, query: r.URL.Query(), body: body, user: user, pass: pass, hasAuth: ok})
		f.mu.Unlock()
		route, found := f.routes[r.Method+" "+r.URL.Path]
		if !found {
			http.Error(w, "no fixture for "+r.Method+" "+r.URL.Path, http.StatusNotImplemented)
			return
		}
		data, err := os.ReadFile(route.file)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(route.status)
		_, _ = w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fixtureServer) last(t *testing.T) recordedRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	require.NotEmpty(t, f.requests)
	return f.requests[len(f.requests)-1]
}

func jaegerFixture(name string) string { return filepath.Join(jaegerFixtures, name) }
func esFixture(name string) string     { return filepath.Join(esFixtures, name) }

func newTestJaeger(t *testing.T, queryRoutes, esRoutes map[string]fixtureRoute) (*jaegerBackend, *fixtureServer, *fixtureServer) {
	qf, qs := newFixtureServer(t, queryRoutes)
	ef, es := newFixtureServer(t, esRoutes)
	cfg := BackendConfig{Type: backendJaeger, Jaeger: JaegerConfig{
		Query:         HTTPEndpoint{Endpoint: qs.URL},
		Elasticsearch: ElasticsearchConfig{HTTPEndpoint: HTTPEndpoint{Endpoint: es.URL, Username: "jaeger", Password: "secret"}},
	}}
	cfg.applyDefaults()
	b, err := newJaegerBackend(context.Background(), cfg.Jaeger, 5*time.Second, "")
	require.NoError(t, err)
	return b, qf, ef
}

func TestJaegerCheck(t *testing.T) {
	b, _, ef := newTestJaeger(t,
		map[string]fixtureRoute{"GET /api/services": {200, jaegerFixture("services.json")}},
		map[string]fixtureRoute{"GET /": {200, esFixture("info.json")}})
	version, err := b.Check(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "Jaeger v2 on Elasticsearch 8.19.7", version)
	req := ef.last(t)
	assert.True(t, req.hasAuth, "Elasticsearch credentials are sent")
	assert.Equal(t, "jaeger", req.user)
	assert.Equal(t, "secret", req.pass)
}

func TestJaegerCountSpans(t *testing.T) {
	b, _, ef := newTestJaeger(t, nil, map[string]fixtureRoute{
		"POST /*jaeger-span-*/_count": {200, esFixture("count.json")},
	})
	n, err := b.CountSpans(context.Background(), "bc-1-fixture")
	require.NoError(t, err)
	assert.Equal(t, int64(1934), n)

	req := ef.last(t)
	assert.Equal(t, []string{"true"}, req.query["ignore_unavailable"], "no index yet counts zero")
	var body map[string]any
	require.NoError(t, json.Unmarshal(req.body, &body))
	js, _ := json.Marshal(body)
	// Both ways Jaeger may store the run id, as a nested process tag or as a
	// tags-as-fields field with dots replaced by @.
	assert.Contains(t, string(js), `"path":"process.tags"`)
	assert.Contains(t, string(js), `{"term":{"process.tags.key":"benchmark.run_id"}}`)
	assert.Contains(t, string(js), `{"term":{"process.tags.value":"bc-1-fixture"}}`)
	assert.Contains(t, string(js), `"process.tag.benchmark@run_id":"bc-1-fixture"`)
}

func TestJaegerStorage(t *testing.T) {
	b, _, ef := newTestJaeger(t, nil, map[string]fixtureRoute{
		"POST /*jaeger-span-*,*jaeger-service-*/_refresh":         {200, esFixture("refresh.json")},
		"GET /*jaeger-span-*,*jaeger-service-*/_stats/store,docs": {200, esFixture("stats.json")},
	})
	st, err := b.Storage(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(418202), st.Bytes, "primary store size, not total with replicas")
	assert.Equal(t, int64(1940), st.Documents)
	assert.Equal(t, map[string]int64{"jaeger-jaeger-span-2026-11-21": 412808, "jaeger-jaeger-service-2026-11-21": 5394}, st.Parts)
	ef.mu.Lock()
	defer ef.mu.Unlock()
	require.Len(t, ef.requests, 2)
	assert.Equal(t, "POST", ef.requests[0].method, "refresh first, so buffered documents are in segments")
}

func fixtureTraceID(t *testing.T) pcommon.TraceID {
	raw, err := hex.DecodeString("5b8efff798038103d269b633813fc60c")
	require.NoError(t, err)
	return pcommon.TraceID(raw)
}

func TestJaegerTraceByID(t *testing.T) {
	id := fixtureTraceID(t)
	b, _, _ := newTestJaeger(t, map[string]fixtureRoute{
		"GET /api/traces/" + id.String(): {200, jaegerFixture("trace.json")},
	}, nil)
	n, err := b.TraceByID(context.Background(), id, time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, 3, n)
}

func TestJaegerTraceNotFoundIsZeroSpans(t *testing.T) {
	id := fixtureTraceID(t)
	b, _, _ := newTestJaeger(t, map[string]fixtureRoute{
		"GET /api/traces/" + id.String(): {404, jaegerFixture("trace-not-found.json")},
	}, nil)
	n, err := b.TraceByID(context.Background(), id, time.Time{}, time.Time{})
	require.NoError(t, err, "not found is a wrong answer for the report, not a failed query")
	assert.Zero(t, n)
}

func TestJaegerSearch(t *testing.T) {
	b, qf, _ := newTestJaeger(t, map[string]fixtureRoute{
		"GET /api/traces": {200, jaegerFixture("search.json")},
	}, nil)
	start := time.UnixMicro(1763751600000000)
	n, err := b.SearchTraces(context.Background(), traceSearch{
		Service: "frontend", AttrKey: "customer.tier", AttrValue: "gold", RunID: "bc-1-fixture",
		Start: start, End: start.Add(time.Second), Limit: 50,
	})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	q := qf.last(t).query
	assert.Equal(t, []string{"frontend"}, q["service"])
	assert.Equal(t, []string{"1763751600000000"}, q["start"], "µs, as Jaeger's API takes them")
	assert.Equal(t, []string{"1763751601000000"}, q["end"])
	assert.Equal(t, []string{"50"}, q["limit"])
	var tags map[string]string
	require.NoError(t, json.Unmarshal([]byte(q["tags"][0]), &tags))
	assert.Equal(t, map[string]string{"customer.tier": "gold", "benchmark.run_id": "bc-1-fixture"}, tags)
}

func TestJaegerErrors(t *testing.T) {
	t.Run("query API error envelope", func(t *testing.T) {
		b, _, _ := newTestJaeger(t, map[string]fixtureRoute{
			"GET /api/traces": {400, jaegerFixture("search-bad-request.json")},
		}, nil)
		_, err := b.SearchTraces(context.Background(), traceSearch{Service: "frontend", Limit: 1})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Jaeger query answered HTTP 400")
	})
	t.Run("wrong Elasticsearch credentials", func(t *testing.T) {
		b, _, _ := newTestJaeger(t, nil, map[string]fixtureRoute{
			"POST /*jaeger-span-*/_count": {401, esFixture("security-exception-401.json")},
		})
		_, err := b.CountSpans(context.Background(), "run")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Elasticsearch refused the credentials (HTTP 401)")
		assert.Contains(t, err.Error(), "security_exception: unable to authenticate user [jaeger]")
	})
	t.Run("not Elasticsearch", func(t *testing.T) {
		b, _, _ := newTestJaeger(t,
			map[string]fixtureRoute{"GET /api/services": {200, jaegerFixture("services.json")}},
			map[string]fixtureRoute{"GET /": {200, jaegerFixture("services.json")}})
		_, err := b.Check(context.Background())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "is not Elasticsearch's")
	})
	t.Run("unreachable", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		b, err := newJaegerBackend(context.Background(), JaegerConfig{
			Query:         HTTPEndpoint{Endpoint: url},
			Elasticsearch: ElasticsearchConfig{HTTPEndpoint: HTTPEndpoint{Endpoint: url}},
		}, time.Second, "")
		require.NoError(t, err)
		_, err = b.Check(context.Background())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "cannot reach Jaeger query at "+url+": connection refused")
	})
	t.Run("malformed count answer", func(t *testing.T) {
		b, _, _ := newTestJaeger(t, nil, map[string]fixtureRoute{
			"POST /*jaeger-span-*/_count": {200, esFixture("refresh.json")},
		})
		_, err := b.CountSpans(context.Background(), "run")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "unexpected _count answer")
	})
}

func TestRecordDirKeepsAnswers(t *testing.T) {
	_, qs := newFixtureServer(t, map[string]fixtureRoute{"GET /api/services": {200, jaegerFixture("services.json")}})
	dir := t.TempDir()
	api, err := newAPIClient(context.Background(), "Jaeger query", HTTPEndpoint{Endpoint: qs.URL}, time.Second, dir)
	require.NoError(t, err)
	_, err = api.do(context.Background(), "services", http.MethodGet, "/api/services", nil, nil, nil)
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(dir, "jaeger_query-services-200.json"))
	require.NoError(t, err)
	want, _ := os.ReadFile(jaegerFixture("services.json"))
	assert.Equal(t, want, got)
}
