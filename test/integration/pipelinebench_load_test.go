//go:build integration

package integration

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/otelcol-events/otelcol-events/internal/proctree"
)

// benchOptions shape the load of one run.
type benchOptions struct {
	duration time.Duration // of steady load
	clients  int           // concurrent uploaders, each waiting for its answer
	// rate caps the events offered per second, all clients together; 0:
	// as fast as the agent answers (the pipeline's throughput).
	rate    float64
	perBody int // events per upload
	// probeEvery is how often a one-event probe upload goes out, by turns of
	// a never-seen category and of the load's own.
	probeEvery time.Duration
	// profileDir, when set, receives a CPU profile of the agent and of the
	// gateway taken during the load, and their allocation profiles right
	// after it (their pprof extensions).
	profileDir string
	// drainTimeout bounds the wait for ClickHouse to hold every
	// acknowledged event; reaching it fails the run (events lost).
	drainTimeout time.Duration
	// warmup is how long the same load runs, unmeasured, before the
	// measured run (0: one upload only, on cold collectors).
	warmup time.Duration
	// cpus pins processes to CPUs from the warm-up on (empty: none).
	cpus benchCPUs
}

// benchRun is what one run of one pipeline measured.
type benchRun struct {
	pipeline    string
	round       int
	load        time.Duration // from the first upload to the last answer
	accepted    int           // events acknowledged by the agent
	failed      int           // uploads answered with an error
	stored      int           // rows in ClickHouse once drained (more than accepted: duplicates)
	whileLoaded storedWindow  // what was stored while the load ran, after its first quarter
	// answers are the acknowledged uploads' times from sending to the
	// agent's answer: in a closed loop, clients ÷ answer time bounds the
	// accepted rate, so a pipeline whose answer waits on something other
	// than the CPU leaves the CPU idle at full load.
	answers []time.Duration
	// rowBytes and diskBytes are otel_logs' uncompressed and compressed
	// bytes per row: how wide the stored events are.
	rowBytes, diskBytes float64
	drain               time.Duration // from the last answer until ClickHouse held every acknowledged event
	stages              drainStages   // which stage held the events how long of the drain
	procs               []proctree.Figures
	names               []string
	// probed are the probes' latencies from the agent's answer, see
	// probeWatch.
	probed probeLatencies
	// chWork is where ClickHouse's CPU went, when it keeps the logs that
	// tell (see clickhouseWork); nil otherwise.
	chWork *clickhouseWork
}

// benchHTTPClient keeps one idle connection per load client and one for
// the prober, as SDKs with keep-alive do. The default Transport keeps two
// per host, so with more clients than that every upload past the second
// would reconnect, and the bench would measure TCP set-up for both
// pipelines instead of the collectors.
func benchHTTPClient(clients int) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = clients + 1
	return &http.Client{Timeout: 60 * time.Second, Transport: transport}
}

// runBenchLoad warms the pipeline up, then runs the steady load with the
// probes beside it, waits for the drain and measures every process.
func runBenchLoad(t testing.TB, p *benchPipeline, round int, o benchOptions) benchRun {
	t.Helper()
	client := benchHTTPClient(o.clients)
	o.cpus.apply(t, p.pids())
	warmUp(t, client, p, round, o)
	bodies := uploadBodies(p, benchApp, fmt.Sprintf("r%d", round), o.perBody)
	run := benchRun{pipeline: p.name, round: round}
	trees := p.processes()
	for _, tr := range trees {
		run.names = append(run.names, tr.Name())
	}
	sampled := time.Now()
	sampler := startSampling(trees, 250*time.Millisecond)
	seen := startProbeWatch(p.db, 50*time.Millisecond)
	prober := startProbes(client, p, round, o.probeEvery, seen)

	countQuery := appEventsCount(p.db, benchApp)
	start, cpuBefore := time.Now(), ownCPUSeconds()
	windowFrom := countStoredAt(t, countQuery, start.Add(o.duration/4))
	run.accepted, run.failed, run.answers = sendLoad(t, client, p, bodies, o)
	windowTo := countStored(t, countQuery)
	acks := prober.stop()
	end := time.Now()
	run.load = end.Sub(start)
	first := <-windowFrom
	require.NoError(t, errors.Join(first.err, windowTo.err), "counting the events stored during the load")
	run.whileLoaded = storedBetween(first, windowTo)
	// The load's clients share the two cores with the pipeline; their CPU
	// is not the pipeline's, but it is what the pipeline did not get.
	t.Logf("%s: the benchmark process (clients, probes, samplers) used %.2f cores during the load",
		p.name, (ownCPUSeconds()-cpuBefore)/run.load.Seconds())

	followed, stopFollowing := make(chan []drainSample), make(chan struct{})
	drainProbe := newDrainProbe(t, p, countQuery)
	go func() { followed <- drainProbe.follow(t, end, 100*time.Millisecond, stopFollowing) }()
	drained := waitForAtLeast(t, countQuery, run.accepted, o.drainTimeout)
	close(stopFollowing)
	run.drain = max(drained.Sub(end), 0)
	samples := <-followed
	run.stages = stagesOf(samples)
	t.Logf("%s: drain, where the events were from the last answer on: %s", p.name, timeline(samples))
	run.probed = seen.latencies(acks, 30*time.Second)
	waitMergesSettled(t, p.db, time.Minute)
	run.procs = sampler.stop()
	run.chWork = readClickHouseWork(t, p.db, sampled)
	stored, err := chCount(t, countQuery)
	require.NoError(t, err)
	run.stored = stored
	run.rowBytes, run.diskBytes = logRowBytes(t, p.db)
	t.Logf("%s: otel_logs bytes per row by column, raw / disk: %v", p.name, columnBytes(t, p.db))
	t.Logf("%s: otel_logs active parts, and their merge level weighted by rows: %v", p.name, chQuery(t, fmt.Sprintf(
		"SELECT count(), round(sum(rows * level) / sum(rows), 2) FROM system.parts "+
			"WHERE database = '%s' AND table = 'otel_logs' AND active", p.db)))
	t.Logf("%s: a stored event: %v", p.name, chQuery(t, fmt.Sprintf(
		"SELECT ResourceAttributes, LogAttributes, TraceId FROM %s.otel_logs WHERE ServiceName = '%s' LIMIT 1", p.db, benchApp)))
	return run
}

// warmUp readies the pipeline before anything is measured. One upload,
// waited for until stored, makes the topics, the consumer groups and the
// ClickHouse tables. Then o.warmup of the phase's own load brings the
// fresh collectors to their steady state: a fresh gateway spends its first
// seconds under load growing its heap and its ClickHouse buffers
// (BENCHMARKS.md). Once stored and merged, the warm-up rows are dropped, so
// the measured run starts on an empty table as before.
func warmUp(t testing.TB, client *http.Client, p *benchPipeline, round int, o benchOptions) {
	t.Helper()
	const app = "warmup-app"
	countQuery := appEventsCount(p.db, app)
	n, err := p.send(client, p.body(app, benchCategory, "warm", o.perBody, time.Now()), o.perBody)
	require.NoError(t, err, "warm-up upload")
	waitForAtLeast(t, countQuery, n, 2*time.Minute)
	if o.warmup <= 0 {
		return
	}
	load := o
	load.duration, load.profileDir = o.warmup, ""
	accepted, _, _ := sendLoad(t, client, p, uploadBodies(p, app, fmt.Sprintf("warm-r%d", round), o.perBody), load)
	waitForAtLeast(t, countQuery, n+accepted, o.drainTimeout)
	waitMergesSettled(t, p.db, time.Minute)
	applyClickHouseSQL(t, "TRUNCATE TABLE {db}.otel_logs", p.db)
}

// appEventsCount counts the events of app stored in db.
func appEventsCount(db, app string) string {
	return fmt.Sprintf("SELECT count() FROM %s.otel_logs WHERE ServiceName = '%s'", db, app)
}

// uploadBodies are the uploads a load sends by turns: enough distinct ones
// that a ClickHouse granule (8192 rows) holds no repeats, since repeated
// ids would compress unlike real ones.
func uploadBodies(p *benchPipeline, app, prefix string, perBody int) [][]byte {
	bodies := make([][]byte, 256)
	for i := range bodies {
		bodies[i] = p.body(app, benchCategory, fmt.Sprintf("%s-b%d", prefix, i), perBody, time.Now())
	}
	return bodies
}

// sendLoad runs the clients for the run's duration, each waiting for its
// answer (and for the rate limit, if any), and returns the events the agent
// acknowledged, the uploads that failed and the acknowledged uploads'
// answer times. It returns once the last answer is in.
func sendLoad(t testing.TB, client *http.Client, p *benchPipeline, bodies [][]byte,
	o benchOptions) (accepted, failed int, answers []time.Duration) {
	limit := rate.NewLimiter(rate.Inf, 0)
	if o.rate > 0 {
		limit = rate.NewLimiter(rate.Limit(o.rate/float64(o.perBody)), o.clients)
	}
	var acceptedN, failedN atomic.Int64
	var answersMu sync.Mutex
	deadline := time.Now().Add(o.duration)
	var wg sync.WaitGroup
	if o.profileDir != "" {
		for _, c := range []*collectorRun{p.agent, p.gateway} {
			wg.Go(func() { profileCollector(t, c, o.profileDir, o.duration*3/4) })
		}
	}
	for w := range o.clients {
		wg.Go(func() {
			var mine []time.Duration
			defer func() {
				answersMu.Lock()
				answers = append(answers, mine...)
				answersMu.Unlock()
			}()
			for i := w; time.Now().Before(deadline); i += o.clients {
				if err := limit.Wait(context.Background()); err != nil {
					return
				}
				sent := time.Now()
				n, err := p.send(client, bodies[i%len(bodies)], o.perBody)
				acceptedN.Add(int64(n))
				if err != nil {
					failedN.Add(1)
					time.Sleep(50 * time.Millisecond) // refused: do not spin
					continue
				}
				mine = append(mine, time.Since(sent))
			}
		})
	}
	wg.Wait()
	return int(acceptedN.Load()), int(failedN.Load()), answers
}

// logRowBytes is the uncompressed and compressed size of an otel_logs row
// of db, from its active parts.
func logRowBytes(t testing.TB, db string) (raw, disk float64) {
	t.Helper()
	rows := chQuery(t, fmt.Sprintf("SELECT sum(data_uncompressed_bytes) / sum(rows), sum(data_compressed_bytes) / sum(rows) "+
		"FROM system.parts WHERE database = '%s' AND table = 'otel_logs' AND active", db))
	require.Len(t, rows, 1)
	raw, errRaw := strconv.ParseFloat(rows[0][0], 64)
	disk, errDisk := strconv.ParseFloat(rows[0][1], 64)
	require.NoError(t, errors.Join(errRaw, errDisk), "%v", rows)
	return raw, disk
}

// columnBytes is the uncompressed and compressed bytes per row of each
// otel_logs column of db with more than half a byte on disk, largest first:
// where a row's disk bytes (and the merges' work) go.
func columnBytes(t testing.TB, db string) [][]string {
	t.Helper()
	return chQuery(t, fmt.Sprintf("SELECT name, round(data_uncompressed_bytes / r, 1), round(data_compressed_bytes / r, 2) "+
		"FROM system.columns, (SELECT sum(rows) AS r FROM system.parts WHERE database = '%[1]s' AND table = 'otel_logs' AND active) AS parts "+
		"WHERE database = '%[1]s' AND table = 'otel_logs' AND data_compressed_bytes / r > 0.5 ORDER BY data_compressed_bytes DESC", db))
}

// waitMergesSettled waits until ClickHouse runs no merge of db's parts for
// a second, so the merges the run's inserts caused count in its CPU (up to
// timeout: ClickHouse may leave small parts unmerged for longer).
func waitMergesSettled(t testing.TB, db string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	idleSince := time.Now()
	for time.Now().Before(deadline) {
		n, err := chCount(t, fmt.Sprintf("SELECT count() FROM system.merges WHERE database = '%s'", db))
		require.NoError(t, err)
		if n > 0 {
			idleSince = time.Now()
		} else if time.Since(idleSince) >= time.Second {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sampling samples process trees until stopped.
type sampling struct {
	trees []*proctree.Tree
	quit  chan struct{}
	done  chan struct{}
}

func startSampling(trees []*proctree.Tree, every time.Duration) *sampling {
	s := &sampling{trees: trees, quit: make(chan struct{}), done: make(chan struct{})}
	sampleAll := func() {
		_ = proctree.SampleAll(trees) // a failed sample is counted in its tree's figures
	}
	sampleAll()
	go func() {
		defer close(s.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-s.quit:
				sampleAll()
				return
			case <-tick.C:
				sampleAll()
			}
		}
	}()
	return s
}

func (s *sampling) stop() []proctree.Figures {
	close(s.quit)
	<-s.done
	out := make([]proctree.Figures, len(s.trees))
	for i, tr := range s.trees {
		out[i] = tr.Figures()
	}
	return out
}

// profileCollector writes a CPU profile of a collector over d, taken
// through its pprof extension, to dir/<name>.cpu.pprof, then its
// allocation profile to dir/<name>.allocs.pprof.
func profileCollector(t testing.TB, c *collectorRun, dir string, d time.Duration) {
	saveProfile(t, c, fmt.Sprintf("profile?seconds=%d", max(int(d.Seconds()), 1)), filepath.Join(dir, c.cfg.Name+".cpu.pprof"))
	// Allocations since the collector started, taken right after the CPU
	// profile: what the load made the collector allocate, by call site.
	saveProfile(t, c, "allocs", filepath.Join(dir, c.cfg.Name+".allocs.pprof"))
}

// saveProfile fetches one profile from c's pprof extension into path; a
// failure is logged, not fatal: profiles only explain a run's figures.
func saveProfile(t testing.TB, c *collectorRun, query, path string) {
	url := fmt.Sprintf("http://%s/debug/pprof/%s", c.Endpoints.Pprof, query)
	resp, err := http.Get(url)
	if err != nil {
		t.Logf("profile %s: %v", c.cfg.Name, err)
		return
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Logf("profile %s: %d %v", c.cfg.Name, resp.StatusCode, err)
		return
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Logf("profile %s: %v", c.cfg.Name, err)
	}
}

// ownCPUSeconds is this process's user and system CPU time so far. Not a
// proctree.Tree: this process's tree holds the collectors, the broker and
// ClickHouse it started, and only its own time is wanted here.
func ownCPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
