package workload

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func smallWorkload() Config {
	w := DefaultConfig()
	w.Traces = 200
	w.TracesPerRequest = 20
	return w
}

// generate builds every request of w at a fixed time, in order.
func generate(w *Workload, now time.Time) []ptrace.Traces {
	out := make([]ptrace.Traces, w.Requests())
	for k := range out {
		out[k], _ = w.Batch(k, now)
	}
	return out
}

// shape is a trace's content without its ids: what the seed decides.
type spanShape struct {
	service, name string
	kind          ptrace.SpanKind
	status        ptrace.StatusCode
	attrs         map[string]any
	start, end    pcommon.Timestamp
	root          bool
}

func shapes(tds []ptrace.Traces) []spanShape {
	var out []spanShape
	for _, td := range tds {
		for _, rs := range td.ResourceSpans().All() {
			svc, _ := rs.Resource().Attributes().Get(resourceService)
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					out = append(out, spanShape{svc.Str(), sp.Name(), sp.Kind(), sp.Status().Code(), sp.Attributes().AsRaw(), sp.StartTimestamp(), sp.EndTimestamp(), sp.ParentSpanID().IsEmpty()})
				}
			}
		}
	}
	return out
}

func TestWorkloadIsReproducible(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	a := generate(New(smallWorkload(), "run-a"), now)
	b := generate(New(smallWorkload(), "run-a"), now)
	require.Len(t, b, len(a))
	for i := range a {
		pa, _ := (&ptrace.ProtoMarshaler{}).MarshalTraces(a[i])
		pb, _ := (&ptrace.ProtoMarshaler{}).MarshalTraces(b[i])
		assert.Equal(t, pa, pb, "request %d: same seed and run id, same bytes", i)
	}

	// Another run id: same shapes, new ids, so runs never collide.
	c := generate(New(smallWorkload(), "run-b"), now)
	assert.Equal(t, shapes(a), shapes(c))
	idA := a[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID()
	idC := c[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID()
	assert.NotEqual(t, idA, idC)

	// Another seed: other shapes.
	other := smallWorkload()
	other.Seed = 2
	assert.NotEqual(t, shapes(a), shapes(generate(New(other, "run-a"), now)))
}

func TestWorkloadOrderDoesNotMatter(t *testing.T) {
	// Workers build requests in any order; a trace must not depend on it.
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	w1, w2 := New(smallWorkload(), "r"), New(smallWorkload(), "r")
	inOrder := generate(w1, now)
	reversed := make([]ptrace.Traces, w2.Requests())
	for k := len(reversed) - 1; k >= 0; k-- {
		reversed[k], _ = w2.Batch(k, now)
	}
	assert.Equal(t, shapes(inOrder), shapes(reversed))
}

func TestWorkloadShape(t *testing.T) {
	cfg := smallWorkload()
	cfg.Traces = 500
	cfg.ErrorRatio = 0.1
	cfg.Depth, cfg.FanOut = 3, 2
	w := New(cfg, "shape")
	tds := generate(w, time.Now())
	traces, spans, errored := w.Snapshot()

	total := 0
	perTrace := map[pcommon.TraceID]int{}
	parents := map[pcommon.SpanID]bool{}
	var all []ptrace.Span
	for _, td := range tds {
		total += td.SpanCount()
		for _, rs := range td.ResourceSpans().All() {
			run, ok := rs.Resource().Attributes().Get(RunIDKey)
			require.True(t, ok, "every resource carries the run id")
			assert.Equal(t, "shape", run.Str())
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					perTrace[sp.TraceID()]++
					parents[sp.SpanID()] = true
					all = append(all, sp)
				}
			}
		}
	}
	assert.Equal(t, int64(total), spans)
	assert.Len(t, perTrace, cfg.Traces)
	for _, tr := range traces {
		assert.Equal(t, perTrace[tr.ID], tr.Spans, "recorded span count is what was sent")
		// depth ≤ 3, fan-out ≤ 2: at most 1 + 2 + 4 spans.
		assert.LessOrEqual(t, tr.Spans, 7)
		assert.GreaterOrEqual(t, tr.Spans, 1)
	}
	roots, clients := 0, 0
	for _, sp := range all {
		if sp.ParentSpanID().IsEmpty() {
			roots++
			ip, ok := sp.Attributes().Get(clientAddrKey)
			require.True(t, ok, "root spans carry the client address")
			a := netip.MustParseAddr(ip.Str())
			assert.True(t, isPublicIPv4(a), "%s is public", a)
			clients++
		} else {
			assert.True(t, parents[sp.ParentSpanID()], "every parent is in the workload")
		}
		assert.GreaterOrEqual(t, sp.EndTimestamp(), sp.StartTimestamp())
		assert.Zero(t, sp.StartTimestamp()%1000, "whole µs, as Jaeger stores them")
		tier, ok := sp.Attributes().Get(SearchAttrKey)
		require.True(t, ok)
		assert.Contains(t, []string{"gold", "silver", "bronze"}, tier.Str())
	}
	assert.Equal(t, cfg.Traces, roots)
	ratio := float64(errored) / float64(spans)
	assert.InDelta(t, 0.1, ratio, 0.04, "error ratio %f", ratio)
}

func TestExpectedSearchMatchesBruteForce(t *testing.T) {
	w := New(smallWorkload(), "search")
	base := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	// Request 3 was refused by the collector: its traces are not expected.
	const refused = 3
	var tds []ptrace.Traces
	for k := range w.Requests() {
		td, _ := w.Batch(k, base.Add(time.Duration(k)*100*time.Millisecond))
		if k != refused {
			tds = append(tds, td)
			w.MarkAccepted(k)
		}
	}
	from, to := base.Add(250*time.Millisecond).UnixMicro(), base.Add(900*time.Millisecond).UnixMicro()
	for _, key := range w.SearchKeys() {
		want := map[pcommon.TraceID]bool{}
		for _, td := range tds {
			for _, rs := range td.ResourceSpans().All() {
				svc, _ := rs.Resource().Attributes().Get(resourceService)
				for _, ss := range rs.ScopeSpans().All() {
					for _, sp := range ss.Spans().All() {
						tier, _ := sp.Attributes().Get(SearchAttrKey)
						start := sp.StartTimestamp().AsTime().UnixMicro()
						if svc.Str() == key.Service && tier.Str() == key.Tier && start >= from && start <= to {
							want[sp.TraceID()] = true
						}
					}
				}
			}
		}
		assert.Equal(t, len(want), w.ExpectedSearch(key.Service, key.Tier, from, to), "%v", key)
	}
}

func TestZipfIndexIsSkewedAndInRange(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	counts := make([]int, 5000)
	for range 50000 {
		counts[zipfIndex(r, len(counts))]++ // out of range would panic
	}
	head, tail := 0, 0
	for i := range 50 {
		head += counts[i]
		tail += counts[len(counts)-50+i]
	}
	assert.Greater(t, head, 10*tail, "the first addresses are drawn far more often than the last")
}
