package workload // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
) // requestBuilder holds one OTLP request under construction: one
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
	w     *Workload
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
	attrs.PutStr(SearchAttrKey, g.tier)
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
	g.hits = append(g.hits, keyedHit{SearchKey{Service: g.w.services[service], Tier: g.tier}, searchHit{int32(g.index), start.UnixMicro()}})

	if level >= g.depth {
		return
	}
	children := 1 + g.shape.IntN(cfg.FanOut)
	for range children {
		if g.spans >= MaxSpansPerTrace {
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
	res.PutStr(RunIDKey, g.w.runID)
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
