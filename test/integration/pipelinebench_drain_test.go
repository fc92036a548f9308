//go:build integration

package integration

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// drainSample is where a run's acknowledged events were at one moment
// after the last upload was answered: still in the agent, in Kafka not yet
// fetched by the gateway, in the gateway (decoding, batching, inserting),
// or stored.
type drainSample struct {
	at time.Duration // since the last answer
	// agentQueued is the items in the agent's exporter queue (stock's
	// file_storage queue; ours answers only once Kafka has the events).
	agentQueued float64
	// unfetched is the load topic's records the gateway has not fetched
	// yet.
	unfetched int64
	// exporterQueued is the items in the gateway's ClickHouse exporter
	// queue for the events: waiting for a batch to fill or for a consumer.
	exporterQueued float64
	stored         int
	err            error
}

// drainProbe reads where one pipeline's events are.
type drainProbe struct {
	p          *benchPipeline
	kafka      *kadm.Client
	countQuery string
}

func newDrainProbe(t testing.TB, p *benchPipeline, countQuery string) *drainProbe {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(p.kafka.Addr))
	if err != nil {
		t.Fatalf("kafka client for the drain: %v", err)
	}
	return &drainProbe{p: p, kafka: kadm.NewClient(cl), countQuery: countQuery}
}

// follow samples every interval from the last answer (end) until done is
// closed, then once more, and returns the samples.
func (d *drainProbe) follow(t testing.TB, end time.Time, every time.Duration, done <-chan struct{}) []drainSample {
	t.Helper()
	defer d.kafka.Close()
	tick := time.NewTicker(every)
	defer tick.Stop()
	samples := []drainSample{d.sample(t, end)}
	for {
		select {
		case <-done:
			return append(samples, d.sample(t, end))
		case <-tick.C:
			samples = append(samples, d.sample(t, end))
		}
	}
}

func (d *drainProbe) sample(t testing.TB, end time.Time) drainSample {
	t.Helper()
	s := drainSample{at: time.Since(end)}
	agent, err := scrape(d.p.agent.Endpoints.Metrics)
	if err != nil {
		s.err = err
		return s
	}
	gateway, err := scrape(d.p.gateway.Endpoints.Metrics)
	if err != nil {
		s.err = err
		return s
	}
	path := d.p.path
	s.agentQueued, _ = agent.Sum("otelcol_exporter_queue_size", map[string]string{"exporter": path.agentExporter})
	s.exporterQueued, _ = gateway.Sum("otelcol_exporter_queue_size", map[string]string{"exporter": path.gatewayExporter})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ends, err := d.kafka.ListEndOffsets(ctx, path.topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		s.err = err
		return s
	}
	ends.Each(func(end kadm.ListedOffset) {
		labels := map[string]string{"topic": end.Topic, "partition": strconv.Itoa(int(end.Partition))}
		fetched, ok := gateway.Sum("otelcol_kafka_receiver_current_offset", labels)
		if !ok {
			fetched = -1 // nothing fetched from this partition yet
		}
		s.unfetched += end.Offset - 1 - int64(fetched)
	})
	s.stored, s.err = chCount(t, d.countQuery)
	return s
}

// drainStages is when, after the last answer, each stage held none of the
// run's events any more; -1 when it never did while followed.
type drainStages struct {
	// backlog is the load topic's records not yet fetched at the last
	// answer, and inAgent the items in the agent's queue then.
	backlog    int64
	inAgent    float64
	agentEmpty time.Duration // the agent's queue empty
	fetched    time.Duration // and the gateway had fetched every record
	firstErr   error
}

// stagesOf reads the stages' end times from a drain's samples.
func stagesOf(samples []drainSample) drainStages {
	st := drainStages{agentEmpty: -1, fetched: -1}
	first := true
	for _, s := range samples {
		if s.err != nil {
			if st.firstErr == nil {
				st.firstErr = s.err
			}
			continue
		}
		if first {
			st.backlog, st.inAgent, first = s.unfetched, s.agentQueued, false
		}
		if st.agentEmpty < 0 && s.agentQueued == 0 {
			st.agentEmpty = s.at
		}
		if st.fetched < 0 && s.agentQueued == 0 && s.unfetched <= 0 {
			st.fetched = s.at
		}
	}
	return st
}

// timeline writes a drain's samples compactly for the log.
func timeline(samples []drainSample) string {
	var b strings.Builder
	for _, s := range samples {
		if s.err != nil {
			fmt.Fprintf(&b, "[%.1fs error %v] ", s.at.Seconds(), s.err)
			continue
		}
		fmt.Fprintf(&b, "[%.1fs agent %.0f unfetched %d queued %.0f stored %d] ",
			s.at.Seconds(), s.agentQueued, s.unfetched, s.exporterQueued, s.stored)
	}
	return b.String()
}

// writeDrainStages writes, run by run, where the last answer left the
// events not yet stored and how long each stage took to empty: a backlog
// in Kafka means the gateway stored slower than the agent accepted.
func writeDrainStages(w io.Writer, runs []benchRun) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Drain, run by run: what the last answer left behind, and when each stage was empty "+
		"(s after the last answer; the gateway's exporter and ClickHouse's insert follow \"all fetched\"):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| run | records not fetched | agent queue items | agent queue empty s | all fetched s | stored s |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	seconds := func(d time.Duration) string {
		if d < 0 {
			return "not seen"
		}
		return fmt.Sprintf("%.1f", d.Seconds())
	}
	for _, r := range runs {
		st := r.stages
		fmt.Fprintf(w, "| %s #%d | %d | %.0f | %s | %s | %.2f |", r.pipeline, r.round+1, st.backlog, st.inAgent,
			seconds(st.agentEmpty), seconds(st.fetched), r.drain.Seconds())
		if st.firstErr != nil {
			fmt.Fprintf(w, " (a sample failed: %v)", st.firstErr)
		}
		fmt.Fprintln(w)
	}
}

// "All fetched" needs the agent's queue empty in the same sample: records
// the agent still holds are not in Kafka yet, so Kafka having none left to
// fetch does not mean the gateway has them all.
func TestDrainStages(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	samples := []drainSample{
		{at: 0, agentQueued: 12, unfetched: 24, exporterQueued: 3, stored: 10},
		{at: ms(100), err: io.ErrUnexpectedEOF},
		{at: ms(200), agentQueued: 0, unfetched: 5, stored: 20},
		{at: ms(300), agentQueued: 4, unfetched: 0, stored: 30},
		{at: ms(400), agentQueued: 0, unfetched: 0, stored: 40},
	}
	st := stagesOf(samples)
	assert.Equal(t, drainStages{backlog: 24, inAgent: 12, agentEmpty: ms(200), fetched: ms(400),
		firstErr: io.ErrUnexpectedEOF}, st)
	assert.Equal(t, drainStages{agentEmpty: -1, fetched: -1}, stagesOf(nil))

	var report strings.Builder
	writeDrainStages(&report, []benchRun{{pipeline: pipelineOurs, drain: ms(450), stages: st}})
	assert.Contains(t, report.String(), "| ours #1 | 24 | 12 | 0.2 | 0.4 | 0.45 | (a sample failed: unexpected EOF)\n")
}
