package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
)

// comparison is one run: the workload, the collector samplers and the
// backends, and the report they fill.
type comparison struct {
	cfg      Config
	out      io.Writer
	tty      bool
	report   *Report
	work     *workload
	send     *sender
	samplers map[string]*collectorSampler
	// live are the backends that passed their check, by report index.
	live map[int]backend
}

// runComparison runs every phase and always returns the report, complete or
// not; the error is only for the caller's exit code and message.
func runComparison(ctx context.Context, cfg Config, out io.Writer, tty bool) *Report {
	c := &comparison{cfg: cfg, out: out, tty: tty, samplers: map[string]*collectorSampler{}, live: map[int]backend{}}
	runID := cfg.Run.RunID
	if runID == "" {
		runID = fmt.Sprintf("bc-%d-%s", cfg.Workload.Seed, time.Now().UTC().Format("20060102t150405"))
	}
	c.report = &Report{Tool: "backendcompare", RunID: runID, StartedAt: time.Now().UTC()}
	c.report.Workload.Config = cfg.Workload
	c.work = newWorkload(cfg.Workload, runID)
	defer func() {
		c.report.FinishedAt = time.Now().UTC()
		c.report.Complete = len(c.report.Problems) == 0
		for _, b := range c.report.Backends {
			c.report.Complete = c.report.Complete && b.Complete
		}
	}()

	fmt.Fprintf(out, "backendcompare: run %s, %d traces to %s\n", runID, cfg.Workload.Traces, cfg.Collector.OTLPEndpoint)
	if !c.connect(ctx) {
		return c.report
	}
	var err error
	if c.send, err = newSender(ctx, cfg.Collector); err != nil {
		c.problem(err.Error())
		return c.report
	}

	before := c.storage(ctx, "before")
	samplerCtx, stopSamplers := context.WithCancel(ctx)
	var pollers sync.WaitGroup
	for _, s := range c.samplers {
		if err := s.scrape(ctx); err != nil {
			c.problem(err.Error())
		}
		pollers.Add(1)
		go func() { defer pollers.Done(); s.poll(samplerCtx, cfg.Run.PollInterval) }()
	}

	sendStart := time.Now()
	c.sendWorkload(ctx)
	sendEnd := time.Now()
	if c.report.Send.SpansAccepted > 0 {
		c.waitForBackends(ctx, sendStart, sendEnd)
	} else {
		c.problem("the collector accepted no spans: nothing to wait for or query")
		for i := range c.live {
			backendProblem(c.out, c.report.Backends[i], "not measured: the collector accepted no spans")
		}
	}

	stopSamplers()
	pollers.Wait()
	for _, s := range c.samplers {
		_ = s.scrape(ctx) // final counters, after the backends caught up
	}
	c.collectorFigures()
	after := c.storage(ctx, "after")
	c.storageFigures(before, after)
	c.runQueries(ctx)
	return c.report
}

func (c *comparison) problem(msg string) {
	fmt.Fprintln(c.out, "problem:", msg)
	c.report.Problems = append(c.report.Problems, msg)
}

func backendProblem(out io.Writer, b *BackendReport, msg string) {
	fmt.Fprintf(out, "problem: %s: %s\n", b.Name, msg)
	b.Problems = append(b.Problems, msg)
	b.Complete = false
}

// connect builds and checks every backend and collector endpoint. A backend
// that fails its check stays in the report (marked incomplete) and is left
// out of the run; with none left there is nothing to measure.
func (c *comparison) connect(ctx context.Context) bool {
	for _, col := range c.cfg.Collectors {
		c.samplers[col.Name] = newCollectorSampler(col, c.cfg.Queries.Timeout)
	}
	for i, bc := range c.cfg.Backends {
		br := &BackendReport{Name: bc.Name, Type: bc.Type, Complete: true, Queries: map[string]*QueryReport{}}
		c.report.Backends = append(c.report.Backends, br)
		b, err := newBackend(ctx, bc, c.cfg.Queries.Timeout, c.cfg.Run.RecordDir)
		if err != nil {
			backendProblem(c.out, br, err.Error())
			continue
		}
		checkCtx, cancel := context.WithTimeout(ctx, c.cfg.Queries.Timeout)
		version, err := b.Check(checkCtx)
		cancel()
		if err != nil {
			backendProblem(c.out, br, err.Error())
			continue
		}
		br.Version = version
		fmt.Fprintf(c.out, "backend %s: %s\n", bc.Name, version)
		c.live[i] = b
	}
	if len(c.live) == 0 {
		c.problem("no backend is reachable; nothing was sent")
		return false
	}
	return true
}

func (c *comparison) sendWorkload(ctx context.Context) {
	w := c.work
	c.report.Workload.Requests = w.requests()
	start := time.Now()
	bar := startProgress(c.out, c.tty, "sending", int64(w.requests()), c.send.requestsDone.Load, func() string {
		secs := time.Since(start).Seconds()
		return fmt.Sprintf("requests, %d spans, %.0f spans/s", c.send.spansSent.Load(), float64(c.send.spansSent.Load())/max(secs, 1e-3))
	})
	if err := c.send.sendTraces(ctx, w); err != nil {
		c.problem("sending stopped: " + err.Error())
	}
	bar.finish()
	if w.cfg.Events > 0 {
		c.send.sendEvents(ctx, w)
	}
	secs := time.Since(start).Seconds()
	traces, spans, errored := w.snapshot()
	s := c.send
	c.report.Workload.Traces = len(traces)
	c.report.Workload.Spans = spans
	c.report.Workload.ErrorSpans = errored
	c.report.Workload.Events = w.cfg.Events
	c.report.Send = SendReport{
		Seconds:        secs,
		SpansSent:      s.spansSent.Load(),
		SpansAccepted:  s.spansAccepted.Load(),
		SpansRejected:  s.spansRejected.Load(),
		RequestsFailed: s.requestsFailed.Load(),
		SpansPerSecond: float64(s.spansAccepted.Load()) / max(secs, 1e-3),
		EventsAccepted: s.eventsAccepted.Load(),
		EventsRejected: s.eventsRejected.Load(),
	}
	for _, p := range s.problems {
		c.problem(p)
	}
	if r := c.report.Send.SpansRejected; r > 0 {
		c.problem(fmt.Sprintf("the collector did not accept %d of %d spans: backends are compared on the %d it accepted", r, spans, c.report.Send.SpansAccepted))
	}
}

// waitForBackends polls every live backend's count until it holds all the
// accepted spans (and events), or the ingest timeout passes.
func (c *comparison) waitForBackends(ctx context.Context, sendStart, sendEnd time.Time) {
	expected := c.report.Send.SpansAccepted
	expectedEvents := c.report.Send.EventsAccepted
	deadline := sendEnd.Add(c.cfg.Run.IngestTimeout)
	type state struct {
		spans, events     int64
		spansAt, eventsAt time.Time
		lastErr           error
		wantEvents        bool
	}
	states := map[int]*state{}
	var mu sync.Mutex
	for i := range c.live {
		st := &state{}
		br := c.report.Backends[i]
		br.Ingest.ExpectedSpans = expected
		if c.work.cfg.Events > 0 && c.cfg.Backends[i].Type == backendClickHouse {
			st.wantEvents = true
			br.Ingest.ExpectedEvents = ptr(expectedEvents)
		}
		states[i] = st
	}
	done := func(st *state) bool {
		return !st.spansAt.IsZero() && (!st.wantEvents || !st.eventsAt.IsZero())
	}
	bar := startProgress(c.out, c.tty, "stored", expected*int64(len(c.live)), func() int64 {
		mu.Lock()
		defer mu.Unlock()
		var total int64
		for _, st := range states {
			total += min(st.spans, expected)
		}
		return total
	}, func() string {
		mu.Lock()
		defer mu.Unlock()
		var parts []string
		for _, i := range slices.Sorted(maps.Keys(c.live)) {
			part := fmt.Sprintf("%s %d spans", c.report.Backends[i].Name, states[i].spans)
			if states[i].wantEvents {
				part += fmt.Sprintf(" %d/%d events", states[i].events, expectedEvents)
			}
			parts = append(parts, part)
		}
		return strings.Join(parts, ", ")
	})
	ticker := time.NewTicker(c.cfg.Run.PollInterval)
	defer ticker.Stop()
	for {
		var wg sync.WaitGroup
		for i, b := range c.live {
			st := states[i]
			if done(st) {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				qctx, cancel := context.WithTimeout(ctx, c.cfg.Queries.Timeout)
				defer cancel()
				n, err := b.CountSpans(qctx, c.report.RunID)
				now := time.Now()
				var ev int64
				var evErr error
				if err == nil && st.wantEvents && st.eventsAt.IsZero() {
					ev, evErr = b.CountEvents(qctx, c.report.RunID)
				}
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					st.lastErr = err
					return
				}
				st.lastErr = evErr
				st.spans = n
				if n >= expected && st.spansAt.IsZero() {
					st.spansAt = now
				}
				if st.wantEvents && evErr == nil {
					st.events = ev
					if ev >= expectedEvents && st.eventsAt.IsZero() {
						st.eventsAt = now
					}
				}
			}()
		}
		wg.Wait()
		mu.Lock()
		all := true
		for _, st := range states {
			all = all && done(st)
		}
		mu.Unlock()
		if all || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-ticker.C:
		}
	}
	bar.finish()

	for i, st := range states {
		br := c.report.Backends[i]
		br.Ingest.StoredSpans = st.spans
		if st.wantEvents {
			br.Ingest.StoredEvents = ptr(st.events)
		}
		if !st.spansAt.IsZero() {
			secs := st.spansAt.Sub(sendStart).Seconds()
			br.Ingest.SecondsToQueryable = ptr(secs)
			br.Ingest.LagAfterSendSeconds = ptr(max(st.spansAt.Sub(sendEnd).Seconds(), 0))
			if secs > 0 {
				br.Ingest.SpansPerSecond = ptr(float64(expected) / secs)
			}
			if st.spans > expected {
				br.Notes = append(br.Notes, fmt.Sprintf("holds %d spans for %d accepted: duplicates (redelivery after a retry)", st.spans, expected))
			}
		} else {
			msg := fmt.Sprintf("holds %d of %d spans %s after the last one was sent (run.ingest_timeout)", st.spans, expected, c.cfg.Run.IngestTimeout)
			if st.lastErr != nil {
				msg += "; last count failed: " + st.lastErr.Error()
			}
			backendProblem(c.out, br, msg)
		}
		if st.wantEvents {
			if !st.eventsAt.IsZero() {
				br.Ingest.EventsSecondsToQueryable = ptr(st.eventsAt.Sub(sendStart).Seconds())
			} else {
				backendProblem(c.out, br, fmt.Sprintf("holds %d of %d events after the ingest timeout", st.events, expectedEvents))
			}
		}
	}
}

func (c *comparison) storage(ctx context.Context, when string) map[int]storageStats {
	out := map[int]storageStats{}
	for i, b := range c.live {
		qctx, cancel := context.WithTimeout(ctx, c.cfg.Queries.Timeout)
		st, err := b.Storage(qctx)
		cancel()
		if err != nil {
			backendProblem(c.out, c.report.Backends[i], fmt.Sprintf("storage size %s the run: %v", when, err))
			continue
		}
		out[i] = st
	}
	return out
}

func (c *comparison) storageFigures(before, after map[int]storageStats) {
	for i := range c.live {
		b, okB := before[i]
		a, okA := after[i]
		if !okB || !okA {
			continue
		}
		br := c.report.Backends[i]
		sr := &StorageReport{Before: b, After: a}
		if grown := a.Bytes - b.Bytes; grown > 0 && br.Ingest.StoredSpans > 0 {
			sr.BytesPerSpan = ptr(float64(grown) / float64(min(br.Ingest.StoredSpans, br.Ingest.ExpectedSpans)))
		} else {
			br.Notes = append(br.Notes, fmt.Sprintf("storage did not grow during the run (%d → %d bytes): a background merge or compaction shrank it; bytes per span not measured", b.Bytes, a.Bytes))
		}
		br.Storage = sr
	}
}

func (c *comparison) collectorFigures() {
	reports := map[string]CollectorReport{}
	for _, col := range c.cfg.Collectors {
		r := c.samplers[col.Name].report()
		reports[col.Name] = r
		c.report.Collectors = append(c.report.Collectors, r)
		if r.Scrapes == 0 {
			c.problem(fmt.Sprintf("collector %s: no metrics could be read from %s", col.Name, col.MetricsURL))
		}
	}
	for i, bc := range c.cfg.Backends {
		if bc.Exporter.Name == "" {
			continue
		}
		s := c.samplers[bc.Exporter.Collector]
		labels := map[string]string{"exporter": bc.Exporter.Name}
		wr := &WritesReport{Collector: bc.Exporter.Collector, Exporter: bc.Exporter.Name}
		if v, ok := s.delta(metricExporterSent, labels); ok {
			wr.SentSpans = ptr(v)
		} else if reports[bc.Exporter.Collector].Scrapes > 0 {
			c.report.Backends[i].Notes = append(c.report.Backends[i].Notes,
				fmt.Sprintf("collector %s has no %s for exporter %q: check the exporter name", bc.Exporter.Collector, metricExporterSent, bc.Exporter.Name))
		}
		// The collector only exposes failure counters once something failed:
		// absent means zero once the exporter is known to have sent.
		failed, _ := s.delta(metricExporterFailed, labels)
		enqueue, _ := s.delta(metricExporterEnqueue, labels)
		if wr.SentSpans != nil {
			wr.FailedSpans, wr.EnqueueFailedSpans = ptr(failed), ptr(enqueue)
			if failed > 0 || enqueue > 0 {
				c.report.Backends[i].Notes = append(c.report.Backends[i].Notes,
					fmt.Sprintf("exporter %s failed to send %.0f spans and could not queue %.0f during the run", bc.Exporter.Name, failed, enqueue))
			}
		}
		c.report.Backends[i].Writes = wr
	}
}

// queryPlan is the seeded list of queries every backend answers.
type queryPlan struct {
	traces   []int // indexes into the workload's traces
	searches []plannedSearch
}

type plannedSearch struct {
	q        traceSearch
	expected int
}

func (c *comparison) plan() queryPlan {
	traces, _, _ := c.work.snapshot()
	rng := rand.New(rand.NewPCG(c.cfg.Workload.Seed, 0x9E4E5))
	var p queryPlan
	// Only traces the collector accepted: a cancelled or refused request
	// never reached the backends.
	var sent []int
	for i, t := range traces {
		if t.accepted {
			sent = append(sent, i)
		}
	}
	if len(sent) == 0 {
		return p
	}
	perm := rng.Perm(len(sent))
	for i := range c.cfg.Queries.Repeat + 1 { // +1: the warm-up
		p.traces = append(p.traces, sent[perm[i%len(perm)]])
	}
	first, last := traces[sent[0]].start, traces[sent[0]].end
	for _, i := range sent {
		first = minTime(first, traces[i].start)
		last = maxTime(last, traces[i].end)
	}
	keys := c.work.searchKeys()
	for range c.cfg.Queries.Repeat + 1 {
		k := keys[rng.IntN(len(keys))]
		span := last.Sub(first)
		width := max(span/10, time.Millisecond)
		var ps plannedSearch
		for range 12 {
			offset := time.Duration(rng.Int64N(int64(max(span-width, 0)) + 1))
			from := first.Add(offset).Truncate(time.Microsecond)
			to := from.Add(width)
			ps = plannedSearch{
				q: traceSearch{Service: k.service, AttrKey: searchAttrKey, AttrValue: k.tier, RunID: c.report.RunID,
					Start: from, End: to, Limit: c.cfg.Queries.SearchLimit},
				expected: c.work.expectedSearch(k.service, k.tier, from.UnixMicro(), to.UnixMicro()),
			}
			if ps.expected <= c.cfg.Queries.SearchLimit {
				break
			}
			width /= 2
		}
		ps.expected = min(ps.expected, c.cfg.Queries.SearchLimit)
		p.searches = append(p.searches, ps)
	}
	return p
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// runQueries runs the plan on every backend that holds all the data,
// interleaved so that machine noise hits every backend alike.
func (c *comparison) runQueries(ctx context.Context) {
	ready := map[int]backend{}
	for i, b := range c.live {
		if c.report.Backends[i].Ingest.SecondsToQueryable != nil {
			ready[i] = b
		} else {
			c.report.Backends[i].Notes = append(c.report.Backends[i].Notes, "queries skipped: the backend does not hold all the data")
		}
	}
	if len(ready) == 0 {
		return
	}
	p := c.plan()
	traces, _, _ := c.work.snapshot()
	type acc struct {
		rep       *QueryReport
		durations []time.Duration
	}
	accs := map[int]map[string]*acc{}
	for i := range ready {
		accs[i] = map[string]*acc{
			queryTraceByID: {rep: &QueryReport{Description: "fetch one whole trace by its id"}},
			querySearch:    {rep: &QueryReport{Description: "traces of a service in a time window with customer.tier = value, fetched whole"}},
		}
	}
	order := slices.Sorted(maps.Keys(ready))
	total := int64(len(p.traces) + len(p.searches))
	var doneCount int64
	var mu sync.Mutex
	bar := startProgress(c.out, c.tty, "queries", total*int64(len(order)), func() int64 {
		mu.Lock()
		defer mu.Unlock()
		return doneCount
	}, nil)
	measure := func(i int, kind string, warmup bool, run func(context.Context) (int, error), expected int, describe func(got int) string) {
		qctx, cancel := context.WithTimeout(ctx, c.cfg.Queries.Timeout)
		start := time.Now()
		got, err := run(qctx)
		d := time.Since(start)
		cancel()
		mu.Lock()
		doneCount++
		mu.Unlock()
		if warmup {
			return
		}
		a := accs[i][kind]
		a.rep.Queries++
		a.rep.ExpectedResults += expected
		switch {
		case err != nil:
			a.rep.Errors++
			if a.rep.FirstError == "" {
				a.rep.FirstError = err.Error()
			}
		case got != expected:
			a.rep.WrongAnswers++
			a.durations = append(a.durations, d)
			if a.rep.FirstWrong == "" {
				a.rep.FirstWrong = describe(got)
			}
		default:
			a.durations = append(a.durations, d)
		}
	}
	for n, ti := range p.traces {
		t := traces[ti]
		for _, i := range order {
			b := ready[i]
			measure(i, queryTraceByID, n == 0, func(ctx context.Context) (int, error) {
				return b.TraceByID(ctx, t.id, t.start, t.end)
			}, t.spans, func(got int) string {
				return fmt.Sprintf("trace %s: %d spans, want %d", t.id, got, t.spans)
			})
		}
	}
	for n, s := range p.searches {
		for _, i := range order {
			b := ready[i]
			measure(i, querySearch, n == 0, func(ctx context.Context) (int, error) {
				return b.SearchTraces(ctx, s.q)
			}, s.expected, func(got int) string {
				return fmt.Sprintf("service %s, %s=%s, %s..%s: %d traces, want %d", s.q.Service, s.q.AttrKey, s.q.AttrValue,
					s.q.Start.Format(time.RFC3339Nano), s.q.End.Format(time.RFC3339Nano), got, s.expected)
			})
		}
	}
	bar.finish()
	for _, i := range order {
		br := c.report.Backends[i]
		for _, kind := range queryKinds {
			a := accs[i][kind]
			a.rep.latencySummary(a.durations)
			br.Queries[kind] = a.rep
			if a.rep.Errors > 0 {
				backendProblem(c.out, br, fmt.Sprintf("%d of %d %s queries failed; first: %s", a.rep.Errors, a.rep.Queries, kind, a.rep.FirstError))
			}
			if a.rep.WrongAnswers > 0 {
				backendProblem(c.out, br, fmt.Sprintf("%d of %d %s queries answered wrong; first: %s", a.rep.WrongAnswers, a.rep.Queries, kind, a.rep.FirstWrong))
			}
		}
	}
}
