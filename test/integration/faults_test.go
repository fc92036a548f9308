//go:build integration

package integration

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
)

// The fault suite: events flow agent -> Kafka -> gateway -> ClickHouse under
// steady load while one process is killed with SIGKILL (or a peer
// misbehaves), then comes back. Every event the agent acknowledged must be
// in ClickHouse afterwards, checked by id; duplicates are reported, not
// failed (delivery is at least once). README "What we guarantee" quotes
// the FAULT lines these tests log.

func TestFaultKillAgent(t *testing.T) {
	s := startLinkedStack(t)
	load := startEventLoad(t, s.agent.Endpoints.Events, "agent")
	load.waitAcked(400, "before the kill")
	s.agent.Kill()
	load.waitFailures()
	s.agent.start(t)
	load.waitAcked(400, "after the restart")
	assertNothingLost(t, "kill -9 agent", s.db, load)
}

func TestFaultKillGateway(t *testing.T) {
	s := startLinkedStack(t)
	load := startEventLoad(t, s.agent.Endpoints.Events, "gateway")
	load.waitAcked(400, "before the kill")
	s.gateway.Kill()
	load.waitAcked(400, "while the gateway is down (Kafka holds them)")
	s.gateway.start(t)
	load.waitAcked(400, "after the restart")
	assertNothingLost(t, "kill -9 gateway", s.db, load)
}

func TestFaultKillBroker(t *testing.T) {
	s := startLinkedStack(t)
	load := startEventLoad(t, s.agent.Endpoints.Events, "broker")
	load.waitAcked(400, "before the kill")
	s.kafka.Kill()
	load.waitFailures()
	s.kafka.start(t)
	load.waitAcked(400, "after the restart (producers and consumers reconnect)")
	assertNothingLost(t, "kill -9 Kafka broker", s.db, load)
}

func TestFaultKillClickHouse(t *testing.T) {
	s := startLinkedStack(t)
	load := startEventLoad(t, s.agent.Endpoints.Events, "clickhouse")
	load.waitAcked(400, "before the kill")
	startAgain := killClickHouse(t)
	load.waitAcked(400, "while ClickHouse is down (the gateway waits, Kafka holds them)")
	startAgain()
	load.waitAcked(400, "after the restart")
	assertNothingLost(t, "kill -9 ClickHouse", s.db, load)
}

// killClickHouse kills the shared ClickHouse and returns what starts it
// again; a test that ends before calling it has ClickHouse started at
// cleanup, so the tests after it have one.
func killClickHouse(t *testing.T) (startAgain func()) {
	t.Helper()
	suite.ch.Kill()
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			startClickHouseAgain(t)
		}
	})
	return func() {
		startClickHouseAgain(t)
		restarted = true
	}
}

// A native-protocol client that fails the handshake makes the ClickHouse
// engine abort (libchdb in server mode); chdb-server starts it again, and
// the gateway's inserts go on. Both ways of failing are tried: a junk
// Hello packet, and a collector with a wrong password, which keeps
// retrying (and crashing the engine) until it is stopped.
func TestFaultClickHouseHandshakeFailures(t *testing.T) {
	s := startLinkedStack(t)
	load := startEventLoad(t, s.agent.Endpoints.Events, "handshake")
	load.waitAcked(200, "before the first failed handshake")

	conn, err := net.Dial("tcp", suite.ch.TCPEndpoint()[len("tcp://"):])
	require.NoError(t, err)
	_, _ = conn.Write([]byte("this is not a ClickHouse Hello packet\n"))
	_ = conn.Close()
	load.waitAcked(200, "after a junk Hello packet")
	require.Eventually(t, func() bool {
		return stack.ClickHouseReady(suite.ch.HTTPAddr())(context.Background()) == nil
	}, time.Minute, 50*time.Millisecond)

	// A collector whose password is wrong fails its exporter's start (and,
	// in passing, the engine): it exits, and the engine comes back.
	wrong, err := stack.StartProcess(stack.ProcessSpec{
		Name: "gateway-wrong-password", Path: filepath.Join(suite.binDir, stack.CollectorBinary),
		Args: []string{"--config", filepath.Join(suite.repoRoot, "config", "gateway.yaml")},
		Env: []string{
			"KAFKA_BROKERS=" + s.kafka.Addr, "KAFKA_GROUP_ID=wrong-password", "KAFKA_EVENTS_GROUP_ID=wrong-password-events",
			"CLICKHOUSE_ENDPOINT=" + suite.ch.TCPEndpoint(), "CLICKHOUSE_DATABASE=" + s.db, "CLICKHOUSE_PASSWORD=not-the-password",
			"HEALTH_ENDPOINT=" + addr(freePort(t)), "ZPAGES_ENDPOINT=" + addr(freePort(t)), "PPROF_ENDPOINT=" + addr(freePort(t)),
			"METRICS_PORT=" + strconv.Itoa(freePort(t)), "STORAGE_DIR=" + t.TempDir(),
		},
		Output: testLog(t, "gateway-wrong-password"),
	})
	require.NoError(t, err)
	select {
	case <-wrong.Done():
	case <-time.After(2 * time.Minute):
		_ = wrong.Stop()
		t.Fatal("the collector with a wrong ClickHouse password neither failed nor exited")
	}
	load.waitAcked(200, "after the wrong password")
	assertNothingLost(t, "failed ClickHouse handshakes (junk Hello, wrong password)", s.db, load)
}

// ClickHouse refuses inserts into otel_logs for a while (the table is
// detached): the gateway retries and holds the consumer; nothing is lost.
func TestFaultClickHouseRefusesWrites(t *testing.T) {
	s := startLinkedStack(t)
	load := startEventLoad(t, s.agent.Endpoints.Events, "refuse")
	load.waitAcked(200, "before ClickHouse refuses")
	chQuery(t, fmt.Sprintf("DETACH TABLE %s.otel_logs", s.db))
	attached := false
	t.Cleanup(func() {
		if !attached {
			chQuery(t, fmt.Sprintf("ATTACH TABLE %s.otel_logs", s.db))
		}
	})
	load.waitAcked(400, "while inserts fail")
	chQuery(t, fmt.Sprintf("ATTACH TABLE %s.otel_logs", s.db))
	attached = true
	load.waitAcked(200, "after ClickHouse takes inserts again")
	assertNothingLost(t, "ClickHouse refusing inserts", s.db, load)
}

// Records nothing can decode (garbage, empty, cut-off protobuf) on the
// SDK-logs topic and on an events topic are counted, logged and skipped:
// the records behind them are stored, also across a gateway restart.
func TestFaultPoisonRecords(t *testing.T) {
	s := startLinkedStack(t)
	load := startEventLoad(t, s.agent.Endpoints.Events, "poison")
	load.waitAcked(100, "before the poison")

	cl, err := kgo.NewClient(kgo.SeedBrokers(s.kafka.Addr), kgo.AllowAutoTopicCreation())
	require.NoError(t, err)
	defer cl.Close()
	good := plog.NewLogs()
	good.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("x")
	goodBytes, err := (&plog.ProtoMarshaler{}).MarshalLogs(good)
	require.NoError(t, err)
	poison := [][]byte{[]byte("garbage that is no protobuf"), {}, goodBytes[:len(goodBytes)-2]}
	for _, topic := range []string{"otlp_logs", "events.faults"} {
		for _, value := range poison {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			require.NoError(t, cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: value}).FirstErr())
			cancel()
		}
	}
	load.waitAcked(200, "after the poison")
	s.gateway.restart(t)
	load.waitAcked(200, "after a gateway restart")
	assertNothingLost(t, "poison records", s.db, load)
	assert.Positive(t, metricValue(t, s.gateway.Endpoints.Metrics, "otelcol_kafka_receiver_unmarshal_failed_log_records", nil),
		"undecodable records are counted")
}

// The inputs that were acknowledged and then dropped as too large for one
// Kafka record: an upload of 500 events of ~1.9 KB (949 KB, under the 4 MiB
// body limit), and one OTLP request of 8,192 log records of 1 KB.
func TestOversizeInputsAreStored(t *testing.T) {
	s := startLinkedStack(t)

	var b strings.Builder
	fmt.Fprintf(&b, `{"meta":{"app_id":"it-app","category":"big","device_id":"dev-1"},"data":[`)
	ts := time.Now().UnixMilli()
	for i := 0; i < 500; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"big-%d","name":"page_view","timestamp":%d,"payload":{"blob":%q}}`, i, ts, strings.Repeat("x", 1850))
	}
	b.WriteString("]}")
	require.Greater(t, b.Len(), 900_000)
	code, a := uploadEvents(t, s.agent.Endpoints.Events, []byte(b.String()), nil)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, 500, a.Accepted)

	logs := plog.NewLogs()
	rl := logs.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "sdk-bulk")
	recs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := 0; i < 8192; i++ {
		r := recs.AppendEmpty()
		r.SetTimestamp(1)
		r.Body().SetStr(fmt.Sprintf("%04d %s", i, strings.Repeat("l", 1019)))
	}
	body, err := plogotlp.NewExportRequestFromLogs(logs).MarshalProto()
	require.NoError(t, err)
	resp, err := http.Post("http://"+s.agent.Endpoints.OTLPHTTP+"/v1/logs", "application/x-protobuf", bytes.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_logs WHERE ServiceName = 'it-app'", s.db), 500, 3*time.Minute)
	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_logs WHERE ServiceName = 'sdk-bulk'", s.db), 8192, 3*time.Minute)
}

// SIGTERM reaches the agent while Kafka is away and uploads wait in it: the
// agent answers them (503) and exits, instead of hanging in its queue; what
// it had acknowledged before is stored once Kafka is back.
func TestAgentStopsDuringKafkaOutage(t *testing.T) {
	s := startLinkedStack(t)
	load := startEventLoad(t, s.agent.Endpoints.Events, "sigterm")
	load.waitAcked(200, "before the outage")
	s.kafka.Kill()
	load.waitFailures()

	stopped := make(chan error, 1)
	go func() { stopped <- syscall.Kill(s.agent.Pid(), syscall.SIGTERM) }()
	require.NoError(t, <-stopped)
	select {
	case <-s.agent.Done():
	case <-time.After(2 * time.Minute):
		t.Fatal("the agent did not exit after SIGTERM during a Kafka outage")
	}
	load.finish()
	s.kafka.start(t)
	assertNothingLost(t, "SIGTERM to the agent during a Kafka outage", s.db, load)
}

// SIGTERM reaches the gateway while ClickHouse is away and its inserts are
// being retried: it exits before Kubernetes would kill it (the gateway's
// terminationGracePeriodSeconds, 60 s), leaves the records it did not store
// unmarked in Kafka, and a gateway started once ClickHouse is back stores
// everything the agent acknowledged.
func TestGatewayStopsDuringClickHouseOutage(t *testing.T) {
	const killGrace = 60 * time.Second // deploy/kubernetes/gateway.yaml
	s := startLinkedStack(t)
	load := startEventLoad(t, s.agent.Endpoints.Events, "gateway-sigterm")
	load.waitAcked(200, "before the outage")
	startAgain := killClickHouse(t)
	load.waitAcked(200, "while ClickHouse is down (the gateway retries, Kafka holds them)")

	sigtermAt := time.Now()
	require.NoError(t, syscall.Kill(s.gateway.Pid(), syscall.SIGTERM))
	select {
	case <-s.gateway.Done():
		t.Logf("the gateway exited %s after SIGTERM during a ClickHouse outage", time.Since(sigtermAt).Round(100*time.Millisecond))
	case <-time.After(killGrace):
		t.Fatalf("the gateway did not exit within %s of SIGTERM during a ClickHouse outage", killGrace)
	}
	startAgain()
	s.gateway.start(t)
	load.waitAcked(200, "after ClickHouse and the gateway are back")
	assertNothingLost(t, "SIGTERM to the gateway during a ClickHouse outage", s.db, load)
}
