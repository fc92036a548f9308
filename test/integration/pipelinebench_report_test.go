//go:build integration

package integration

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-events/otelcol-events/internal/percentile"
	"github.com/otelcol-events/otelcol-events/internal/proctree"
)

// benchFigures are the figures of one run, or the medians of a pipeline's
// runs, as reported.
type benchFigures struct {
	acceptedPerSec, storedPerSec, drainSec float64
	// storedWhileLoadedPerSec is the stored rate while the load ran (see
	// storedWindow); storedPerSec also holds the drain.
	storedWhileLoadedPerSec float64
	rowBytes, diskBytes     float64
	duplicates              int
	cpuPerMillion           map[string]float64 // by process, and "total"
	// coresBusy is all processes' CPU seconds (the drain and merges after
	// the load included) over the load's seconds: how much of the machine
	// the load kept busy. Well under its cores at full load, the pipeline
	// waited (e.g. clients waiting for answers) rather than ran out of CPU,
	// and its stored rate is not its capacity.
	coresBusy                                float64
	peakRSSMiB                               map[string]float64
	newP50, newP99, existingP50, existingP99 time.Duration
	// The p99s to the answer of the first query that returned the probes:
	// the measure before 2026-12-03, the watcher's own query time included.
	newReturnedP99, existingReturnedP99 time.Duration
	probes, probesLost                  int
	// answerP50 and answerP99 are the acknowledged uploads' answer times.
	answerP50, answerP99 time.Duration
}

// figuresOf computes one run's figures. CPU is per million acknowledged
// events, so pipelines that took different amounts of load compare.
func figuresOf(r benchRun) benchFigures {
	f := benchFigures{cpuPerMillion: map[string]float64{}, peakRSSMiB: map[string]float64{}}
	if r.accepted > 0 {
		f.acceptedPerSec = float64(r.accepted) / r.load.Seconds()
		f.storedPerSec = float64(r.accepted) / (r.load + r.drain).Seconds()
	}
	f.storedWhileLoadedPerSec = r.whileLoaded.perSecond()
	f.drainSec = r.drain.Seconds()
	f.rowBytes, f.diskBytes = r.rowBytes, r.diskBytes
	f.duplicates = max(r.stored-r.accepted, 0)
	var cpuSeconds float64
	for i, p := range r.procs {
		name := r.names[i]
		if p.CPUSeconds != nil {
			cpuSeconds += *p.CPUSeconds
			if r.accepted > 0 {
				f.cpuPerMillion[name] = *p.CPUSeconds / float64(r.accepted) * 1e6
				f.cpuPerMillion["total"] += f.cpuPerMillion[name]
			}
		}
		if p.PeakRSSBytes != nil {
			f.peakRSSMiB[name] = *p.PeakRSSBytes / (1 << 20)
		}
	}
	if r.load > 0 {
		f.coresBusy = cpuSeconds / r.load.Seconds()
	}
	f.setProbes(r.probed)
	f.answerP50, f.answerP99 = durationPercentile(r.answers, 0.50), durationPercentile(r.answers, 0.99)
	return f
}

// setProbes sets the probe figures from the probes' latencies.
func (f *benchFigures) setProbes(l probeLatencies) {
	f.newP50, f.newP99 = durationPercentile(l.newCategory, 0.50), durationPercentile(l.newCategory, 0.99)
	f.existingP50, f.existingP99 = durationPercentile(l.existing, 0.50), durationPercentile(l.existing, 0.99)
	f.newReturnedP99, f.existingReturnedP99 = durationPercentile(l.newReturned, 0.99), durationPercentile(l.existingReturned, 0.99)
	f.probes, f.probesLost = len(l.newCategory)+len(l.existing)+l.lost, l.lost
}

// summarize is a pipeline's figures over its runs: the median of each
// per-run figure, and probe percentiles over every probe of every run.
func summarize(runs []benchRun) benchFigures {
	per := make([]benchFigures, len(runs))
	var all probeLatencies
	var answers []time.Duration
	for i, r := range runs {
		per[i] = figuresOf(r)
		all.add(r.probed)
		answers = append(answers, r.answers...)
	}
	pick := func(get func(benchFigures) float64) float64 {
		vs := make([]float64, len(per))
		for i, f := range per {
			vs[i] = get(f)
		}
		return median(vs)
	}
	s := benchFigures{cpuPerMillion: map[string]float64{}, peakRSSMiB: map[string]float64{}}
	s.acceptedPerSec = pick(func(f benchFigures) float64 { return f.acceptedPerSec })
	s.storedPerSec = pick(func(f benchFigures) float64 { return f.storedPerSec })
	s.storedWhileLoadedPerSec = pick(func(f benchFigures) float64 { return f.storedWhileLoadedPerSec })
	s.drainSec = pick(func(f benchFigures) float64 { return f.drainSec })
	s.rowBytes = pick(func(f benchFigures) float64 { return f.rowBytes })
	s.diskBytes = pick(func(f benchFigures) float64 { return f.diskBytes })
	for _, f := range per {
		s.duplicates += f.duplicates
	}
	for _, name := range processNames(runs) {
		s.cpuPerMillion[name] = pick(func(f benchFigures) float64 { return f.cpuPerMillion[name] })
		s.peakRSSMiB[name] = pick(func(f benchFigures) float64 { return f.peakRSSMiB[name] })
	}
	s.cpuPerMillion["total"] = pick(func(f benchFigures) float64 { return f.cpuPerMillion["total"] })
	s.coresBusy = pick(func(f benchFigures) float64 { return f.coresBusy })
	s.setProbes(all)
	s.answerP50, s.answerP99 = durationPercentile(answers, 0.50), durationPercentile(answers, 0.99)
	return s
}

// durationPercentile is the nearest-rank q-quantile (0 for no values).
func durationPercentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	return percentile.NearestRank(sorted, q)
}

func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	sorted := slices.Clone(vs)
	sort.Float64s(sorted)
	if n := len(sorted); n%2 == 0 {
		return (sorted[n/2-1] + sorted[n/2]) / 2
	}
	return sorted[len(sorted)/2]
}

func processNames(runs []benchRun) []string {
	if len(runs) == 0 {
		return nil
	}
	return runs[0].names
}

// writeBenchReport writes the runs, the per-pipeline medians and the
// ratios ours/stock as Markdown.
func writeBenchReport(w io.Writer, o benchOptions, runs []benchRun) {
	offered := "as fast as the agent answers"
	if o.rate > 0 {
		offered = fmt.Sprintf("%.0f events/s offered", o.rate)
	}
	fmt.Fprintf(w, "Steady load %s per run (%s) after %s of it unmeasured, %d clients, %d events per upload; "+
		"one-event probes every %s, timed to when they were queryable.\n\n",
		o.duration, offered, o.warmup, o.clients, o.perBody, o.probeEvery)
	if len(o.cpus) > 0 {
		fmt.Fprintf(w, "Pinned to CPUs (BENCH_E2E_CPUS): %s; the others on every CPU.\n\n", o.cpus.describe(runtime.NumCPU()))
	}
	table := figuresTable{w: w, names: processNames(runs)}
	fmt.Fprintln(w, "Runs, in the order they ran:")
	fmt.Fprintln(w)
	table.header("run")
	for _, r := range runs {
		table.row(fmt.Sprintf("%s #%d", r.pipeline, r.round+1), figuresOf(r))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Per pipeline (median of its runs; probe percentiles over all its probes):")
	fmt.Fprintln(w)
	table.header("pipeline")
	byPipeline := map[string][]benchRun{}
	var order []string // pipelines and variants in the order they first ran
	for _, r := range runs {
		if _, seen := byPipeline[r.pipeline]; !seen {
			order = append(order, r.pipeline)
		}
		byPipeline[r.pipeline] = append(byPipeline[r.pipeline], r)
	}
	sums := map[string]benchFigures{}
	for _, name := range order {
		sums[name] = summarize(byPipeline[name])
		table.row(name, sums[name])
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Probe p99 to the answer of the first query that returned them (the measure before 2026-12-03; "+
		"it adds the watcher's own query time):")
	fmt.Fprintln(w)
	for _, name := range order {
		fmt.Fprintf(w, "- %s: new category %.2f s, existing %.2f s\n", name,
			sums[name].newReturnedP99.Seconds(), sums[name].existingReturnedP99.Seconds())
	}
	writeDrainStages(w, runs)
	writeClickHouseWork(w, order, byPipeline)
	writeRatios(w, table.names, sums)
	writePairRatios(w, byPipeline[pipelineOurs], byPipeline[pipelineStock])
}

// figuresTable writes benchFigures as Markdown rows, a column per process.
type figuresTable struct {
	w     io.Writer
	names []string
}

func (t figuresTable) header(first string) {
	fmt.Fprintf(t.w, "| %s | accepted ev/s | stored ev/s | stored ev/s while loaded | drain s | duplicates | row bytes raw / disk |", first)
	for _, n := range t.names {
		fmt.Fprintf(t.w, " CPU s/1M %s |", n)
	}
	fmt.Fprint(t.w, " CPU s/1M total | cores busy |")
	for _, n := range t.names {
		fmt.Fprintf(t.w, " peak RSS MiB %s |", n)
	}
	fmt.Fprintln(t.w, " new category p50 / p99 s | existing p50 / p99 s | probes lost | upload answer p50 / p99 ms |")
	fmt.Fprint(t.w, "|---|---:|---:|---:|---:|---:|---:|", strings.Repeat("---:|", 2*len(t.names)+2), "---:|---:|---:|---:|\n")
}

func (t figuresTable) row(first string, f benchFigures) {
	fmt.Fprintf(t.w, "| %s | %.0f | %.0f | %.0f | %.2f | %d | %.0f / %.0f |", first, f.acceptedPerSec, f.storedPerSec,
		f.storedWhileLoadedPerSec, f.drainSec, f.duplicates, f.rowBytes, f.diskBytes)
	for _, n := range append(slices.Clone(t.names), "total") {
		fmt.Fprintf(t.w, " %.1f |", f.cpuPerMillion[n])
	}
	fmt.Fprintf(t.w, " %.2f |", f.coresBusy)
	for _, n := range t.names {
		fmt.Fprintf(t.w, " %.0f |", f.peakRSSMiB[n])
	}
	fmt.Fprintf(t.w, " %.2f / %.2f | %.2f / %.2f | %d of %d | %.1f / %.1f |\n", f.newP50.Seconds(), f.newP99.Seconds(),
		f.existingP50.Seconds(), f.existingP99.Seconds(), f.probesLost, f.probes,
		milliseconds(f.answerP50), milliseconds(f.answerP99))
}

// writeRatios writes ours against stock (and against stock-enriched, when
// it ran), the figures the goals are stated in.
func writeRatios(w io.Writer, names []string, sums map[string]benchFigures) {
	ours, okOurs := sums[pipelineOurs]
	stock, okStock := sums[pipelineStock]
	if !okOurs || !okStock {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Ours / stock (goal: CPU <= 1.0, stored >= 1.0):")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "- CPU per 1M events, all processes: %s", ratio(ours.cpuPerMillion["total"], stock.cpuPerMillion["total"]))
	for _, n := range names {
		fmt.Fprintf(w, "; %s %s", n, ratio(ours.cpuPerMillion[n], stock.cpuPerMillion[n]))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "- stored events/s: %s, and while the load ran (after its first quarter): %s; accepted events/s: %s\n",
		ratio(ours.storedPerSec, stock.storedPerSec), ratio(ours.storedWhileLoadedPerSec, stock.storedWhileLoadedPerSec),
		ratio(ours.acceptedPerSec, stock.acceptedPerSec))
	if enriched, ok := sums[pipelineStockEnriched]; ok {
		fmt.Fprintf(w, "- against stock carrying rows as wide as ours (%s): CPU per 1M events %s; stored events/s %s\n",
			pipelineStockEnriched, ratio(ours.cpuPerMillion["total"], enriched.cpuPerMillion["total"]),
			ratio(ours.storedPerSec, enriched.storedPerSec))
	}
}

// writePairRatios writes ours against stock round by round: the two ran
// next to each other, so a pair shares the machine's mood of the moment,
// which the medians of separate runs do not (the same pipeline's rounds
// differ by up to a fifth on this shared machine). ours[i] and stock[i]
// are round i's runs, as writeBenchReport groups them in the order they ran.
func writePairRatios(w io.Writer, ours, stock []benchRun) {
	n := min(len(ours), len(stock))
	if n == 0 {
		return
	}
	cpu, stored, whileLoaded := make([]string, n), make([]string, n), make([]string, n)
	var cheaper, storedMore, whileLoadedMore int
	for i := range n {
		o, s := figuresOf(ours[i]), figuresOf(stock[i])
		cpu[i] = ratio(o.cpuPerMillion["total"], s.cpuPerMillion["total"])
		stored[i] = ratio(o.storedPerSec, s.storedPerSec)
		whileLoaded[i] = ratio(o.storedWhileLoadedPerSec, s.storedWhileLoadedPerSec)
		if o.cpuPerMillion["total"] <= s.cpuPerMillion["total"] {
			cheaper++
		}
		if o.storedPerSec >= s.storedPerSec {
			storedMore++
		}
		if o.storedWhileLoadedPerSec >= s.storedWhileLoadedPerSec {
			whileLoadedMore++
		}
	}
	fmt.Fprintf(w, "- round by round: CPU %s (ours at or under stock in %d of %d); stored %s (at or over in %d of %d); "+
		"stored while the load ran %s (at or over in %d of %d)\n",
		strings.Join(cpu, ", "), cheaper, n, strings.Join(stored, ", "), storedMore, n,
		strings.Join(whileLoaded, ", "), whileLoadedMore, n)
}

func milliseconds(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// The report's arithmetic, on runs made up for it: it runs in `make test`
// with the rest of the package, before any process starts.
func TestBenchFigures(t *testing.T) {
	ms := func(vs ...int) []time.Duration {
		out := make([]time.Duration, len(vs))
		for i, v := range vs {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	assert.Equal(t, 300*time.Millisecond, durationPercentile(ms(500, 100, 300, 200, 400), 0.5))
	assert.Equal(t, 500*time.Millisecond, durationPercentile(ms(500, 100, 300, 200, 400), 0.99))
	assert.Zero(t, durationPercentile(nil, 0.99))
	assert.InDelta(t, 2.5, median([]float64{4, 1, 2, 3}), 1e-9)

	cpu := func(v float64) proctree.Figures { return proctree.Figures{CPUSeconds: &v, PeakRSSBytes: &v} }
	run := benchRun{
		pipeline: pipelineOurs, load: 10 * time.Second, drain: 2 * time.Second, accepted: 600_000, stored: 600_010,
		whileLoaded: storedWindow{rows: 405_000, over: 7500 * time.Millisecond},
		answers:     ms(12, 9, 30, 11, 10),
		names:       []string{"agent", "gateway"}, procs: []proctree.Figures{cpu(6), cpu(3)},
		probed: probeLatencies{
			newCategory: ms(400, 900), existing: ms(300), lost: 1,
			newReturned: ms(450, 950), existingReturned: ms(380),
		},
	}
	f := figuresOf(run)
	assert.InDelta(t, 60_000, f.acceptedPerSec, 1e-6)
	assert.InDelta(t, 50_000, f.storedPerSec, 1e-6, "acknowledged events over load plus drain")
	assert.InDelta(t, 54_000, f.storedWhileLoadedPerSec, 1e-6, "stored during the load's window")
	assert.InDelta(t, 10, f.cpuPerMillion["agent"], 1e-9)
	assert.InDelta(t, 15, f.cpuPerMillion["total"], 1e-9)
	assert.InDelta(t, 0.9, f.coresBusy, 1e-9, "9 CPU seconds over 10 s of load")
	refusedAll := run
	refusedAll.accepted = 0
	assert.InDelta(t, 0.9, figuresOf(refusedAll).coresBusy, 1e-9, "busy even when nothing was acknowledged")
	assert.Equal(t, 10, f.duplicates)
	assert.Equal(t, 4, f.probes)
	assert.Equal(t, 11*time.Millisecond, f.answerP50)
	assert.Equal(t, 30*time.Millisecond, f.answerP99)

	stock := run
	stock.pipeline, stock.procs = pipelineStock, []proctree.Figures{cpu(3), cpu(3)}
	stock.whileLoaded = storedWindow{rows: 450_000, over: 7500 * time.Millisecond}
	var report strings.Builder
	writeBenchReport(&report, benchOptions{duration: 10 * time.Second, clients: 4, perBody: 100, probeEvery: time.Second},
		[]benchRun{run, stock})
	assert.Contains(t, report.String(), "| ours #1 | 60000 | 50000 | 54000 | 2.00 | 10 | 0 / 0 | 10.0 | 5.0 | 15.0 | 0.90 |")
	assert.Contains(t, report.String(), "- CPU per 1M events, all processes: 1.50; agent 2.00; gateway 1.00")
	assert.Contains(t, report.String(), "- ours: new category 0.95 s, existing 0.38 s")
	assert.Contains(t, report.String(), "| 1 of 4 | 11.0 / 30.0 |\n", "the upload answer times, last column")
	assert.Contains(t, report.String(), "- stored events/s: 1.00, and while the load ran (after its first quarter): 0.90; accepted")
	assert.Contains(t, report.String(), "- round by round: CPU 1.50 (ours at or under stock in 0 of 1); stored 1.00 (at or over in 1 of 1); "+
		"stored while the load ran 0.90 (at or over in 0 of 1)")

	second, stockSecond := run, stock
	second.round, stockSecond.round = 1, 1
	second.procs = []proctree.Figures{cpu(2), cpu(2)}
	stockSecond.drain = 0
	second.whileLoaded.rows = 500_000
	var pairs strings.Builder
	writePairRatios(&pairs, []benchRun{run, second}, []benchRun{stock, stockSecond})
	assert.Equal(t, "- round by round: CPU 1.50, 0.67 (ours at or under stock in 1 of 2); stored 1.00, 0.83 (at or over in 1 of 2); "+
		"stored while the load ran 0.90, 1.11 (at or over in 1 of 2)\n",
		pairs.String(), "each round's ours against that round's stock")
}
