package kafkaeventsexporter

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-events/otelcol-events/components/kafkaeventsexporter/internal/metadatatest"
	"github.com/otelcol-events/otelcol-events/internal/kafkatopictest"
)

const testTopic = "events.page_view"

// startBroker runs an in-process Kafka broker with testTopic and the
// fallback topic, and counts the produce requests it takes.
func startBroker(t *testing.T) (*kfake.Cluster, *produceCounter) {
	t.Helper()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, testTopic, "events.unrouted"))
	require.NoError(t, err)
	t.Cleanup(cluster.Close)
	counter := &produceCounter{}
	cluster.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		cluster.KeepControl()
		counter.add()
		return nil, nil, false
	})
	return cluster, counter
}

type produceCounter struct {
	mu sync.Mutex
	n  int
}

func (c *produceCounter) add() { c.mu.Lock(); c.n++; c.mu.Unlock() }

func (c *produceCounter) count() int { c.mu.Lock(); defer c.mu.Unlock(); return c.n }

func testConfig(brokers []string) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Brokers = brokers
	cfg.Topic = "events.unrouted"
	cfg.TopicFromMetadataKey = "event.topic"
	cfg.MessageKeyFromMetadataKey = "event.partition_key"
	cfg.IncludeMetadataKeys = []string{"traceparent", "event.category"}
	cfg.Producer.RequiredAcks = -1
	cfg.BackOffConfig.Enabled = false
	cfg.Timeout = 10 * time.Second
	return cfg
}

// startExporter builds the exporter through its factory, as the collector
// does, and starts it.
func startExporter(t *testing.T, cfg *Config, tel *componenttest.Telemetry) exporter.Logs {
	t.Helper()
	set := metadatatest.NewSettings(tel)
	exp, err := NewFactory().CreateLogs(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { assert.NoError(t, exp.Shutdown(context.Background())) })
	return exp
}

// startEventsExporter builds the exporter directly, without
// exporterhelper's wrapping, so that a test reaches its client and company.
func startEventsExporter(t *testing.T, cfg *Config, tel *componenttest.Telemetry) *eventsExporter {
	t.Helper()
	ee, err := newEventsExporter(cfg, metadatatest.NewSettings(tel).TelemetrySettings)
	require.NoError(t, err)
	require.NoError(t, ee.start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { assert.NoError(t, ee.shutdown(context.Background())) })
	return ee
}

func uploadContext(topic, key, traceparent string) context.Context {
	md := map[string][]string{"traceparent": {traceparent}, "event.category": {"page_view"}}
	if topic != "" {
		md["event.topic"] = []string{topic}
	}
	if key != "" {
		md["event.partition_key"] = []string{key}
	}
	return client.NewContext(context.Background(), client.Info{Metadata: client.NewMetadata(md)})
}

func testLogs(n int, id string) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "shop")
	records := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := range n {
		lr := records.AppendEmpty()
		lr.Attributes().PutStr("event.id", fmt.Sprintf("%s-%d", id, i))
		lr.Body().SetStr("payload")
	}
	return ld
}

// readRecords reads the first n records of topic.
func readRecords(t *testing.T, brokers []string, topic string, n int) []*kgo.Record {
	t.Helper()
	var out []*kgo.Record
	kafkatopictest.ReadFromStart(t, brokers, topic, func(r *kgo.Record) bool {
		out = append(out, r)
		return len(out) == n
	})
	return out
}

func TestRecordCarriesTheRequestsTopicKeyAndHeaders(t *testing.T) {
	cluster, _ := startBroker(t)
	exp := startExporter(t, testConfig(cluster.ListenAddrs()), componenttest.NewTelemetry())
	const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	sent := testLogs(3, "a")
	require.NoError(t, exp.ConsumeLogs(uploadContext(testTopic, "shop/dev-1", traceparent), sent))

	recs := readRecords(t, cluster.ListenAddrs(), testTopic, 1)
	require.Len(t, recs, 1)
	assert.Equal(t, "shop/dev-1", string(recs[0].Key))
	assert.Equal(t, []kgo.RecordHeader{
		{Key: "traceparent", Value: []byte(traceparent)},
		{Key: "event.category", Value: []byte("page_view")},
	}, recs[0].Headers)
	got, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(recs[0].Value)
	require.NoError(t, err)
	require.NoError(t, plogtest.CompareLogs(sent, got))
}

func TestRequestWithoutTopicGoesToTheFallbackTopic(t *testing.T) {
	cluster, _ := startBroker(t)
	cfg := testConfig(cluster.ListenAddrs())
	cfg.Encoding = "otlp_json"
	exp := startExporter(t, cfg, componenttest.NewTelemetry())
	sent := testLogs(1, "b")
	require.NoError(t, exp.ConsumeLogs(uploadContext("", "", "tp"), sent))

	recs := readRecords(t, cluster.ListenAddrs(), "events.unrouted", 1)
	assert.Nil(t, recs[0].Key, "no key in the metadata: unkeyed")
	got, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(recs[0].Value)
	require.NoError(t, err, "otlp_json: %s", recs[0].Value)
	require.NoError(t, plogtest.CompareLogs(sent, got))
}

// warmUpRounds is how many records warmUp produces, one after the other.
const warmUpRounds = 2

// warmUp produces records, each flushed, so that the producer has the
// topic's metadata and its producer id: records produced before those are
// known wait for them, and for the whole linger (ProduceSync included).
// It takes two rounds: an idempotent producer's first request to a broker
// holds the only in-flight slot (franz-go frees four more once that broker
// answers), so the drain that sent it waits for the slot, and woken by the
// answer, takes a record produced just then along without its linger (it
// failed a CI run). After the second round the drain ends once it has sent.
func warmUp(t *testing.T, ee *eventsExporter) {
	t.Helper()
	for i := range warmUpRounds {
		done := make(chan error, 1)
		go func() {
			done <- ee.pushLogs(uploadContext(testTopic, "shop/dev-1", "tp"), testLogs(1, fmt.Sprint("warm-up-", i)))
		}()
		require.Eventually(t, func() bool { return ee.client.BufferedProduceRecords() == 1 }, 30*time.Second, 5*time.Millisecond)
		require.NoError(t, ee.client.Flush(context.Background()))
		require.NoError(t, <-done)
	}
}

// The linger holds while requests wait: records of concurrent requests stay
// buffered until it ends, then go out together. ProduceSync (contrib's
// exporter) would have sent each at once, a produce request per request.
func TestConcurrentRequestsShareOneProduceRequest(t *testing.T) {
	cluster, produces := startBroker(t)
	cfg := testConfig(cluster.ListenAddrs())
	cfg.Producer.Linger = time.Minute // the most franz-go takes; ended by the Flush below
	tel := componenttest.NewTelemetry()
	ee := startEventsExporter(t, cfg, tel)

	warmUp(t, ee)
	before := produces.count()

	const requests = 8
	var wg sync.WaitGroup
	errs := make([]error, requests)
	for i := range requests {
		wg.Go(func() {
			errs[i] = ee.pushLogs(uploadContext(testTopic, "shop/dev-1", "tp"), testLogs(2, fmt.Sprint(i)))
		})
	}
	require.Eventually(t, func() bool { return ee.client.BufferedProduceRecords() == requests },
		30*time.Second, 5*time.Millisecond, "every request's record waits in the linger")
	assert.Equal(t, before, produces.count(), "nothing was produced while the linger held")

	require.NoError(t, ee.client.Flush(context.Background()))
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "request %d", i)
	}
	assert.Equal(t, before+1, produces.count(), "one produce request carried all %d records", requests)
	assert.Len(t, readRecords(t, cluster.ListenAddrs(), testTopic, warmUpRounds+requests), warmUpRounds+requests)
	metadatatest.AssertEqualExporterKafkaeventsBatchRecords(t, tel, []metricdata.HistogramDataPoint[int64]{{
		Count: warmUpRounds + 1, Sum: warmUpRounds + requests, Min: metricdata.NewExtrema[int64](1), Max: metricdata.NewExtrema[int64](requests),
		Bounds:       []float64{1, 2, 4, 8, 16, 32, 64, 128},
		BucketCounts: []uint64{warmUpRounds, 0, 0, 1, 0, 0, 0, 0, 0},
	}}, metricdatatest.IgnoreTimestamp())
}

func TestRecordOverMaxMessageBytesIsPermanent(t *testing.T) {
	cluster, _ := startBroker(t)
	cfg := testConfig(cluster.ListenAddrs())
	cfg.Producer.MaxMessageBytes = 512
	exp := startExporter(t, cfg, componenttest.NewTelemetry())
	err := exp.ConsumeLogs(uploadContext(testTopic, "", "tp"), testLogs(50, "big"))
	require.Error(t, err)
	assert.True(t, consumererror.IsPermanent(err), "Kafka will refuse it again: %v", err)
	assert.ErrorContains(t, err, `produce to topic "events.page_view"`)
}

func TestBrokerAwayIsRetryable(t *testing.T) {
	cluster, _ := startBroker(t)
	addrs := cluster.ListenAddrs()
	cluster.Close()
	cfg := testConfig(addrs)
	cfg.Timeout = 500 * time.Millisecond
	exp := startExporter(t, cfg, componenttest.NewTelemetry())
	err := exp.ConsumeLogs(uploadContext(testTopic, "", "tp"), testLogs(1, "c"))
	require.Error(t, err)
	assert.False(t, consumererror.IsPermanent(err), "a broker that comes back takes it: %v", err)
}

func TestEmptyRequestProducesNothing(t *testing.T) {
	cluster, produces := startBroker(t)
	exp := startExporter(t, testConfig(cluster.ListenAddrs()), componenttest.NewTelemetry())
	require.NoError(t, exp.ConsumeLogs(uploadContext(testTopic, "", "tp"), plog.NewLogs()))
	assert.Zero(t, produces.count())
}

func TestStartRefusesAnUnreadableTLSFile(t *testing.T) {
	cfg := testConfig([]string{"127.0.0.1:1"})
	cfg.TLS = &configtls.ClientConfig{Config: configtls.Config{CAFile: "testdata/missing-ca.pem"}}
	exp, err := NewFactory().CreateLogs(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), cfg)
	require.NoError(t, err)
	err = exp.Start(context.Background(), componenttest.NewNopHost())
	require.ErrorContains(t, err, "load TLS config")
	require.NoError(t, exp.Shutdown(context.Background()))
}

// A record still lingering when the collector stops is sent, not failed:
// its caller gets Kafka's answer.
func TestShutdownSendsLingeringRecords(t *testing.T) {
	cluster, _ := startBroker(t)
	cfg := testConfig(cluster.ListenAddrs())
	cfg.Producer.Linger = time.Minute
	ee := startEventsExporter(t, cfg, componenttest.NewTelemetry())
	pushed := make(chan error, 1)
	go func() { pushed <- ee.pushLogs(uploadContext(testTopic, "shop/dev-1", "tp"), testLogs(1, "last")) }()
	require.Eventually(t, func() bool { return ee.client.BufferedProduceRecords() == 1 }, 30*time.Second, 5*time.Millisecond)

	require.NoError(t, ee.shutdown(context.Background()))
	require.NoError(t, <-pushed, "the lingering record went out at shutdown")
	assert.Len(t, readRecords(t, cluster.ListenAddrs(), testTopic, 1), 1)
}

// Once company knows how many requests one linger gathers, the last of
// them sends the batch: the others do not wait out the linger.
func TestTheLastExpectedRequestSendsTheBatch(t *testing.T) {
	cluster, produces := startBroker(t)
	cfg := testConfig(cluster.ListenAddrs())
	cfg.Producer.Linger = time.Minute
	ee := startEventsExporter(t, cfg, componenttest.NewTelemetry())
	// Learned: three requests come within a linger.
	ee.company.target, ee.company.relearnAt = 3, time.Now().Add(time.Hour)
	warmUp(t, ee)
	before := produces.count()

	waited := make(chan error, 2)
	for i := range 2 {
		go func() {
			waited <- ee.pushLogs(uploadContext(testTopic, "shop/dev-1", "tp"), testLogs(1, fmt.Sprint(i)))
		}()
	}
	require.Eventually(t, func() bool { return ee.client.BufferedProduceRecords() == 2 }, 30*time.Second, 5*time.Millisecond)
	third := make(chan error, 1)
	go func() { third <- ee.pushLogs(uploadContext(testTopic, "shop/dev-1", "tp"), testLogs(1, "third")) }()
	select {
	case err := <-third:
		require.NoError(t, err)
	case <-time.After(30 * time.Second): // half the linger
		require.FailNow(t, "the third request waited for the linger")
	}
	// Had the first two still waited for the linger (a minute), they
	// would still be buffered now.
	assert.Zero(t, ee.client.BufferedProduceRecords(), "the first two went with the third")
	require.NoError(t, <-waited)
	require.NoError(t, <-waited)
	assert.Equal(t, before+1, produces.count(), "the third request's produce request carried all three")
}
