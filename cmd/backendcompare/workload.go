package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net/netip"
	"sort"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// WorkloadConfig shapes the generated traces and events. The same seed gives
// the same traces (shapes, names, attributes, client addresses, errors);
// trace and span ids also depend on the run id, so two runs against the same
// backend never collide.
type WorkloadConfig struct {
	Seed   uint64 `mapstructure:"seed"`
	Traces int    `mapstructure:"traces"`
	// Rate is the target in spans per second; 0 sends as fast as the
	// collector accepts.
	Rate float64 `mapstructure:"rate"`
	// TracesPerRequest is how many traces one OTLP request carries.
	TracesPerRequest int `mapstructure:"traces_per_request"`
	// Concurrency is the number of requests in flight.
	Concurrency int `mapstructure:"concurrency"`
	Services    int `mapstructure:"services"`
	// Depth is the maximum depth of a trace (1 = a root span only); each
	// trace's depth is drawn between 1 and Depth.
	Depth int `mapstructure:"depth"`
	// FanOut is the maximum number of children of a span.
	FanOut int `mapstructure:"fan_out"`
	// Attributes is the number of extra free-form attributes per span, on
	// top of the HTTP, client and customer attributes every span has.
	Attributes int `mapstructure:"attributes"`
	// ErrorRatio is the share of spans with status Error.
	ErrorRatio float64 `mapstructure:"error_ratio"`
	// ClientAddresses is the number of distinct public client IPs, drawn
	// with a Zipf skew as real traffic is.
	ClientAddresses int `mapstructure:"client_addresses"`
	// Events is the number of client events uploaded through the eventsplit
	// receiver besides the traces (0: none).
	Events          int `mapstructure:"events"`
	EventsPerUpload int `mapstructure:"events_per_upload"`
}

func defaultWorkload() WorkloadConfig {
	return WorkloadConfig{
		Seed:             1,
		Traces:           2000,
		TracesPerRequest: 50,
		Concurrency:      2,
		Services:         6,
		Depth:            4,
		FanOut:           3,
		Attributes:       4,
		ErrorRatio:       0.02,
		ClientAddresses:  5000,
		EventsPerUpload:  100,
	}
}

// maxSpansPerTrace keeps a deep, wide configuration from producing traces no
// SDK would export in one piece.
const maxSpansPerTrace = 500

func (w WorkloadConfig) Validate() error {
	var errs []error
	check := func(ok bool, msg string) {
		if !ok {
			errs = append(errs, errors.New("workload."+msg))
		}
	}
	check(w.Traces > 0, "traces must be at least 1")
	check(w.Rate >= 0, "rate must not be negative (0 = as fast as possible)")
	check(w.TracesPerRequest > 0, "traces_per_request must be at least 1")
	check(w.Concurrency > 0 && w.Concurrency <= 64, "concurrency must be between 1 and 64")
	check(w.Services > 0 && w.Services <= 1000, "services must be between 1 and 1000")
	check(w.Depth > 0 && w.Depth <= 20, "depth must be between 1 and 20")
	check(w.FanOut > 0 && w.FanOut <= 50, "fan_out must be between 1 and 50")
	check(w.Attributes >= 0 && w.Attributes <= 100, "attributes must be between 0 and 100")
	check(w.ErrorRatio >= 0 && w.ErrorRatio <= 1, "error_ratio must be between 0 and 1")
	check(w.ClientAddresses > 0, "client_addresses must be at least 1")
	check(w.Events >= 0, "events must not be negative")
	check(w.EventsPerUpload > 0 && w.EventsPerUpload <= 1000, "events_per_upload must be between 1 and 1000")
	return errors.Join(errs...)
}

// Attribute keys the queries rely on.
const (
	runIDKey        = "benchmark.run_id"
	searchAttrKey   = "customer.tier"
	clientAddrKey   = "client.address"
	resourceService = "service.name"
)

// customerTiers are the values of the searched attribute, with a skew so
// that searches return different amounts of data.
var customerTiers = [...]struct {
	value  string
	weight float64
}{{"gold", 0.1}, {"silver", 0.3}, {"bronze", 0.6}}

var serviceNames = [...]string{
	"frontend", "checkout", "cart", "payment", "inventory", "shipping",
	"auth", "search", "recommendation", "email", "currency", "ads",
}

var httpRoutes = [...]string{"/", "/api/items", "/api/items/{id}", "/api/cart", "/api/checkout", "/api/users/{id}", "/health"}

var operationVerbs = [...]string{"handle", "query", "fetch", "render", "validate"}

// workload generates the traces of one run and remembers what the queries
// need to know to check their answers.
type workload struct {
	cfg      WorkloadConfig
	runID    string
	idSeed   uint64
	services []string
	// operations[s] are service s's span names, and attrKeys the free-form
	// attribute keys: built once, not per span.
	operations [][]string
	attrKeys   []string
	clientIPs  []string

	mu      sync.Mutex
	traces  []generatedTrace
	spans   int64
	errored int64
	// hits index, per (service, tier), the traces with a matching span and
	// that span's start, for the search queries' expected answers.
	hits map[searchKey][]searchHit
}

type generatedTrace struct {
	id         pcommon.TraceID
	start, end time.Time
	spans      int
	// accepted: the collector took the whole request carrying this trace,
	// so the backends must hold it and queries may ask for it.
	accepted bool
}

type searchKey struct{ service, tier string }

type keyedHit struct {
	key searchKey
	hit searchHit
}

type searchHit struct {
	trace int32
	// startMicros is the span start in µs: Jaeger keeps µs, and every
	// generated timestamp is a whole µs so both backends see the same value.
	startMicros int64
}

func newWorkload(cfg WorkloadConfig, runID string) *workload {
	h := fnv.New64a()
	_, _ = h.Write([]byte(runID))
	w := &workload{
		cfg:    cfg,
		runID:  runID,
		idSeed: h.Sum64(),
		traces: make([]generatedTrace, cfg.Traces),
		hits:   map[searchKey][]searchHit{},
	}
	for i := range cfg.Services {
		if i < len(serviceNames) {
			w.services = append(w.services, serviceNames[i])
		} else {
			w.services = append(w.services, fmt.Sprintf("service-%d", i))
		}
	}
	for i := range cfg.Attributes {
		w.attrKeys = append(w.attrKeys, fmt.Sprintf("app.attr_%d", i))
	}
	for _, s := range w.services {
		ops := make([]string, len(operationVerbs))
		for i, v := range operationVerbs {
			ops[i] = s + "." + v
		}
		w.operations = append(w.operations, ops)
	}
	// Public addresses (TEST-NET ranges would be private to ipgeo), spread
	// over the IPv4 space so geolocation answers vary.
	rng := rand.New(rand.NewPCG(cfg.Seed, 0xC11E47))
	for len(w.clientIPs) < cfg.ClientAddresses {
		var b [4]byte
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		a := netip.AddrFrom4(b)
		if !isPublicIPv4(a) {
			continue
		}
		w.clientIPs = append(w.clientIPs, a.String())
	}
	return w
}

func isPublicIPv4(a netip.Addr) bool {
	b := a.As4()
	return a.IsGlobalUnicast() && !a.IsPrivate() && b[0] != 0 && b[0] < 224 &&
		!(b[0] == 100 && b[1]&0xc0 == 64) && // CGNAT
		!(b[0] == 198 && (b[1] == 18 || b[1] == 19)) && // benchmarking
		!(b[0] == 192 && b[1] == 0) && !(b[0] == 198 && b[1] == 51) && !(b[0] == 203 && b[1] == 0)
}

// requests is the number of OTLP requests the traces are split into.
func (w *workload) requests() int {
	return (w.cfg.Traces + w.cfg.TracesPerRequest - 1) / w.cfg.TracesPerRequest
}

// batch builds request k: traces [k*TracesPerRequest, ...), timed at now,
// grouped by service the way an SDK per service would export them.
func (w *workload) batch(k int, now time.Time) (ptrace.Traces, int) {
	first := k * w.cfg.TracesPerRequest
	last := min(first+w.cfg.TracesPerRequest, w.cfg.Traces)
	req := &requestBuilder{td: ptrace.NewTraces(), byService: make([]ptrace.SpanSlice, len(w.services)), has: make([]bool, len(w.services))}
	spans := 0
	var hits []keyedHit
	for i := first; i < last; i++ {
		g := traceGen{w: w, index: i, req: req}
		g.generate(now)
		spans += g.spans
		hits = append(hits, g.hits...)
		w.mu.Lock()
		w.traces[i] = generatedTrace{id: g.traceID, start: g.start, end: g.end, spans: g.spans}
		w.errored += int64(g.errored)
		w.mu.Unlock()
	}
	w.mu.Lock()
	w.spans += int64(spans)
	for _, h := range hits {
		w.hits[h.key] = append(w.hits[h.key], h.hit)
	}
	w.mu.Unlock()
	return req.td, spans
}

// requestBuilder holds one OTLP request under construction: one
// ResourceSpans per service.
type requestBuilder struct {
	td        ptrace.Traces
	byService []ptrace.SpanSlice
	has       []bool
}

// traceGen builds one trace. Its random streams are seeded by (seed, trace
// index) for the shape and (run id, trace index) for ids, so a trace is the
// same whichever worker builds it and in whatever order.
type traceGen struct {
	w     *workload
	index int
	req   *requestBuilder

	shape, ids *rand.Rand
	traceID    pcommon.TraceID
	tier       string
	clientIP   string
	userID     string
	start, end time.Time
	spans      int
	errored    int
	hits       []keyedHit
	depth      int
}

func (g *traceGen) generate(now time.Time) {
	cfg := g.w.cfg
	g.shape = rand.New(rand.NewPCG(cfg.Seed, uint64(g.index)))
	g.ids = rand.New(rand.NewPCG(g.w.idSeed, uint64(g.index)))
	g.ids.Uint64() // decorrelate from the shape stream when seeds coincide
	binaryID := [16]byte{}
	binary.BigEndian.PutUint64(binaryID[:8], g.ids.Uint64())
	binary.BigEndian.PutUint64(binaryID[8:], g.ids.Uint64()|1) // never all zero
	g.traceID = pcommon.TraceID(binaryID)
	g.tier = pickTier(g.shape.Float64())
	g.clientIP = g.w.clientIPs[zipfIndex(g.shape, len(g.w.clientIPs))]
	g.userID = fmt.Sprintf("user-%d", g.shape.IntN(100000))
	g.depth = 1 + g.shape.IntN(cfg.Depth)

	// Root durations from 5 ms to 500 ms, log-uniform like real latencies.
	rootDuration := time.Duration(5e6 * math.Pow(100, g.shape.Float64())).Truncate(time.Microsecond)
	g.start = now.Truncate(time.Microsecond)
	g.end = g.start.Add(rootDuration)
	entry := g.shape.IntN(min(2, len(g.w.services)))
	g.span(entry, pcommon.SpanID{}, 1, g.start, rootDuration, ptrace.SpanKindServer)
}

func (g *traceGen) span(service int, parent pcommon.SpanID, level int, start time.Time, d time.Duration, kind ptrace.SpanKind) {
	cfg := g.w.cfg
	ss := g.spansOf(service)
	sp := ss.AppendEmpty()
	sp.SetTraceID(g.traceID)
	var sid [8]byte
	binary.BigEndian.PutUint64(sid[:], g.ids.Uint64()|1)
	id := pcommon.SpanID(sid)
	sp.SetSpanID(id)
	sp.SetParentSpanID(parent)
	ops := g.w.operations[service]
	sp.SetName(ops[g.shape.IntN(len(ops))])
	sp.SetKind(kind)
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(d)))
	g.spans++

	attrs := sp.Attributes()
	attrs.EnsureCapacity(6 + cfg.Attributes)
	attrs.PutStr(searchAttrKey, g.tier)
	attrs.PutStr("user.id", g.userID)
	status := 200
	if g.shape.Float64() < cfg.ErrorRatio {
		status = 500
		sp.Status().SetCode(ptrace.StatusCodeError)
		sp.Status().SetMessage("upstream failed")
		g.errored++
	}
	if kind == ptrace.SpanKindServer {
		attrs.PutStr("http.request.method", [...]string{"GET", "GET", "GET", "POST", "PUT"}[g.shape.IntN(5)])
		attrs.PutStr("http.route", httpRoutes[g.shape.IntN(len(httpRoutes))])
		attrs.PutInt("http.response.status_code", int64(status))
		if level == 1 {
			attrs.PutStr(clientAddrKey, g.clientIP)
		}
	}
	for i := range cfg.Attributes {
		attrs.PutStr(g.w.attrKeys[i], randomWord(g.shape))
	}
	g.hits = append(g.hits, keyedHit{searchKey{g.w.services[service], g.tier}, searchHit{int32(g.index), start.UnixMicro()}})

	if level >= g.depth {
		return
	}
	children := 1 + g.shape.IntN(cfg.FanOut)
	for range children {
		if g.spans >= maxSpansPerTrace {
			return
		}
		// A child starts in the first half of its parent and lasts 10–50 %
		// of it: nested, as the trace views expect.
		offset := time.Duration(g.shape.Float64() * float64(d) / 2).Truncate(time.Microsecond)
		cd := max(time.Duration(float64(d)*(0.1+0.4*g.shape.Float64())).Truncate(time.Microsecond), time.Microsecond)
		child, childKind := service, ptrace.SpanKindInternal
		if len(g.w.services) > 1 && g.shape.Float64() < 0.7 {
			child, childKind = g.shape.IntN(len(g.w.services)), ptrace.SpanKindServer
		}
		g.span(child, id, level+1, start.Add(offset), cd, childKind)
	}
}

// spansOf returns the span slice of service s in the current request,
// creating its ResourceSpans on first use.
func (g *traceGen) spansOf(s int) ptrace.SpanSlice {
	r := g.req
	if r.has[s] {
		return r.byService[s]
	}
	rs := r.td.ResourceSpans().AppendEmpty()
	res := rs.Resource().Attributes()
	res.PutStr(resourceService, g.w.services[s])
	res.PutStr("service.version", "1.4.2")
	res.PutStr("deployment.environment.name", "benchmark")
	res.PutStr("host.name", fmt.Sprintf("%s-%d", g.w.services[s], s%3))
	res.PutStr(runIDKey, g.w.runID)
	scope := rs.ScopeSpans().AppendEmpty()
	scope.Scope().SetName("otelcol-events/backendcompare")
	r.byService[s], r.has[s] = scope.Spans(), true
	return r.byService[s]
}

func pickTier(u float64) string {
	for _, t := range customerTiers {
		if u < t.weight {
			return t.value
		}
		u -= t.weight
	}
	return customerTiers[len(customerTiers)-1].value
}

// zipfIndex draws from [0, n) with P(k) ∝ 1/(k+1), by inverting the
// continuous approximation of the harmonic CDF.
func zipfIndex(r *rand.Rand, n int) int {
	k := int(math.Exp(r.Float64()*math.Log(float64(n)+1))) - 1
	return min(max(k, 0), n-1)
}

const wordAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func randomWord(r *rand.Rand) string {
	b := make([]byte, 6+r.IntN(18))
	for i := range b {
		b[i] = wordAlphabet[r.IntN(len(wordAlphabet))]
	}
	return string(b)
}

// markAccepted records that request k reached the collector whole.
func (w *workload) markAccepted(k int) {
	first := k * w.cfg.TracesPerRequest
	last := min(first+w.cfg.TracesPerRequest, w.cfg.Traces)
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := first; i < last; i++ {
		w.traces[i].accepted = true
	}
}

// snapshot returns what was generated so far (after sending: everything).
func (w *workload) snapshot() (traces []generatedTrace, spans, errored int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.traces, w.spans, w.errored
}

// expectedSearch counts the distinct accepted traces with a span of service
// and tier starting in [fromMicros, toMicros].
func (w *workload) expectedSearch(service, tier string, fromMicros, toMicros int64) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	hits := w.hits[searchKey{service, tier}]
	seen := map[int32]struct{}{}
	for _, h := range hits {
		if h.startMicros >= fromMicros && h.startMicros <= toMicros && w.traces[h.trace].accepted {
			seen[h.trace] = struct{}{}
		}
	}
	return len(seen)
}

// searchKeys lists the (service, tier) pairs that have spans, sorted so a
// seeded query plan is reproducible.
func (w *workload) searchKeys() []searchKey {
	w.mu.Lock()
	defer w.mu.Unlock()
	keys := make([]searchKey, 0, len(w.hits))
	for k := range w.hits {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].service != keys[j].service {
			return keys[i].service < keys[j].service
		}
		return keys[i].tier < keys[j].tier
	})
	return keys
}
