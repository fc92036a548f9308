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
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
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
	p     *benchPipeline
	kafka *kgo.Client
	// topic carries the load's events; agentExporter and gatewayExporter
	// name the exporters whose queues they pass.
	topic, agentExporter, gatewayExporter string
	countQuery                            string
}

func newDrainProbe(t testing.TB, p *benchPipeline, countQuery string) *drainProbe {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(p.kafka.Addr))
	if err != nil {
		t.Fatalf("kafka client for the drain: %v", err)
	}
	d := &drainProbe{p: p, kafka: cl, countQuery: countQuery,
		topic: eventTopic(benchCategory), agentExporter: "kafkaevents", gatewayExporter: "clickhouselogs"}
	if !strings.HasPrefix(p.name, pipelineOurs) && p.name != pipelineBaseline {
		d.topic, d.agentExporter, d.gatewayExporter = "otlp_logs", "kafka", "clickhouse"
	}
	return d
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
	s.agentQueued, _ = agent.Sum("otelcol_exporter_queue_size", map[string]string{"exporter": d.agentExporter})
	s.exporterQueued, _ = gateway.Sum("otelcol_exporter_queue_size", map[string]string{"exporter": d.gatewayExporter})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ends, err := topicEnds(ctx, d.kafka, d.topic)
	if err != nil {
		s.err = err
		return s
	}
	for partition, next := range ends {
		labels := map[string]string{"topic": d.topic, "partition": strconv.Itoa(int(partition))}
		fetched, ok := gateway.Sum("otelcol_kafka_receiver_current_offset", labels)
		if !ok {
			fetched = -1 // nothing fetched from this partition yet
		}
		s.unfetched += next - 1 - int64(fetched)
	}
	s.stored, s.err = chCount(t, d.countQuery)
	return s
}

// topicEnds returns, for each partition of topic, the offset the next
// record produced to it will get.
func topicEnds(ctx context.Context, cl *kgo.Client, topic string) (map[int32]int64, error) {
	meta := kmsg.NewPtrMetadataRequest()
	mt := kmsg.NewMetadataRequestTopic()
	mt.Topic = kmsg.StringPtr(topic)
	meta.Topics = append(meta.Topics, mt)
	metaResp, err := meta.RequestWith(ctx, cl)
	if err != nil {
		return nil, err
	}
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	for _, mt := range metaResp.Topics {
		if err := kerr.ErrorForCode(mt.ErrorCode); err != nil {
			return nil, fmt.Errorf("topic %s: %w", topic, err)
		}
		rt := kmsg.NewListOffsetsRequestTopic()
		rt.Topic = topic
		for _, mp := range mt.Partitions {
			rp := kmsg.NewListOffsetsRequestTopicPartition()
			rp.Partition = mp.Partition
			rp.Timestamp = -1 // the latest offset
			rt.Partitions = append(rt.Partitions, rp)
		}
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, err
	}
	ends := map[int32]int64{}
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
				return nil, fmt.Errorf("topic %s partition %d: %w", topic, rp.Partition, err)
			}
			ends[rp.Partition] = rp.Offset
		}
	}
	return ends, nil
}

// drainStages is when, after the last answer, each stage held none of the
// run's events any more; -1 when it never did while followed.
type drainStages struct {
	// backlog is the load topic's records not yet fetched at the last
	// answer, and inAgent the items in the agent's queue then.
	backlog, inAgent float64
	agentEmpty       time.Duration // the agent's queue empty
	fetched          time.Duration // and the gateway had fetched every record
	firstErr         error
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
			st.backlog, st.inAgent, first = float64(s.unfetched), s.agentQueued, false
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
		fmt.Fprintf(w, "| %s #%d | %.0f | %.0f | %s | %s | %.2f |", r.pipeline, r.round+1, st.backlog, st.inAgent,
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
