// Package workload generates the comparison's seeded trace workload and
// knows, for every query, what the backends must answer.
package workload // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/netip"
	"sort"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
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

// Workload generates the traces of one run and remembers what the queries
// need to know to check their answers.
type Workload struct {
	cfg      Config
	runID    string
	idSeed   uint64
	services []string
	// operations[s] are service s's span names, and attrKeys the free-form
	// attribute keys: built once, not per span.
	operations [][]string
	attrKeys   []string
	clientIPs  []string

	mu      sync.Mutex
	traces  []Trace
	spans   int64
	errored int64
	// hits index, per (service, tier), the traces with a matching span and
	// that span's start, for the search queries' expected answers.
	hits map[SearchKey][]searchHit
}

// Trace is one generated trace, as the queries need to know it.
type Trace struct {
	ID         pcommon.TraceID
	Start, End time.Time
	Spans      int
	// Accepted: the collector took the whole request carrying this trace,
	// so the backends must hold it and queries may ask for it.
	Accepted bool
}

// SearchKey is a (service, customer tier) pair the search queries ask for.
type SearchKey struct{ Service, Tier string }

type keyedHit struct {
	key SearchKey
	hit searchHit
}

type searchHit struct {
	trace int32
	// startMicros is the span start in µs: Jaeger keeps µs, and every
	// generated timestamp is a whole µs so both backends see the same value.
	startMicros int64
}

func New(cfg Config, runID string) *Workload {
	h := fnv.New64a()
	_, _ = h.Write([]byte(runID))
	w := &Workload{
		cfg:    cfg,
		runID:  runID,
		idSeed: h.Sum64(),
		traces: make([]Trace, cfg.Traces),
		hits:   map[SearchKey][]searchHit{},
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

// Requests is the number of OTLP requests the traces are split into.
func (w *Workload) Requests() int {
	return (w.cfg.Traces + w.cfg.TracesPerRequest - 1) / w.cfg.TracesPerRequest
}

// Batch builds request k: traces [k*TracesPerRequest, ...), timed at now,
// grouped by service the way an SDK per service would export them.
func (w *Workload) Batch(k int, now time.Time) (ptrace.Traces, int) {
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
		w.traces[i] = Trace{ID: g.traceID, Start: g.start, End: g.end, Spans: g.spans}
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

// MarkAccepted records that request k reached the collector whole.
func (w *Workload) MarkAccepted(k int) {
	first := k * w.cfg.TracesPerRequest
	last := min(first+w.cfg.TracesPerRequest, w.cfg.Traces)
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := first; i < last; i++ {
		w.traces[i].Accepted = true
	}
}

// Snapshot returns what was generated so far (after sending: everything).
func (w *Workload) Snapshot() (traces []Trace, spans, errored int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.traces, w.spans, w.errored
}

// ExpectedSearch counts the distinct accepted traces with a span of service
// and tier starting in [fromMicros, toMicros].
func (w *Workload) ExpectedSearch(service, tier string, fromMicros, toMicros int64) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	hits := w.hits[SearchKey{Service: service, Tier: tier}]
	seen := map[int32]struct{}{}
	for _, h := range hits {
		if h.startMicros >= fromMicros && h.startMicros <= toMicros && w.traces[h.trace].Accepted {
			seen[h.trace] = struct{}{}
		}
	}
	return len(seen)
}

// SearchKeys lists the (service, tier) pairs that have spans, sorted so a
// seeded query plan is reproducible.
func (w *Workload) SearchKeys() []SearchKey {
	w.mu.Lock()
	defer w.mu.Unlock()
	keys := make([]SearchKey, 0, len(w.hits))
	for k := range w.hits {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].Service != keys[j].Service {
			return keys[i].Service < keys[j].Service
		}
		return keys[i].Tier < keys[j].Tier
	})
	return keys
}

// RunID is the run the workload marks its data with.
func (w *Workload) RunID() string { return w.runID }

// Config is the workload's configuration.
func (w *Workload) Config() Config { return w.cfg }
