//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/otelcol-events/otelcol-events/internal/eventlogstest"
	"github.com/otelcol-events/otelcol-events/internal/proctree"
)

// The pipelines the end-to-end benchmark compares, on the same events.
const (
	pipelineOurs = "ours"
	// pipelineBaseline is ours built from another tree, the one before a
	// code change (BENCH_E2E_BASELINE_BIN_DIR holds its otelcol-events),
	// so the change is measured interleaved like a config variant.
	pipelineBaseline = "baseline"
	pipelineStock    = "stock"
	// pipelineStockEnriched is the stock pipeline sent events that already
	// carry what ours adds on the way (backend id, geolocation, trace
	// context): rows as wide as ours, to tell the cost of the enrichment
	// from the cost of the pipeline.
	pipelineStockEnriched = "stock-enriched"
	// benchApp and probeApp are the service names of the load and of the
	// latency probes: ServiceName leads otel_logs' sort key, so counting
	// one of them reads little.
	benchApp = "bench-app"
	probeApp = "probe-app"
	// benchCategory is a declared category of config/agent.yaml: the load
	// runs on an existing topic.
	benchCategory = "page_view"
)

// benchPipeline is one pipeline started for one run: its processes and how
// to send it an upload of events.
type benchPipeline struct {
	name, db string
	kafka    *kafkaRun
	agent    *collectorRun
	gateway  *collectorRun
	// send posts a body of n events built by body and returns how many of
	// them the agent acknowledged.
	send func(client *http.Client, body []byte, n int) (int, error)
	// body builds an upload of n events of category, timestamped at; ids
	// start with prefix.
	body func(app, category, prefix string, n int, at time.Time) []byte
	// path names what the load's events pass through, for the drain's
	// breakdown (drainProbe).
	path eventsPath
}

// eventsPath is the load topic and the exporters whose queues the load's
// events pass: the agent's toward Kafka, the gateway's toward ClickHouse.
type eventsPath struct {
	topic, agentExporter, gatewayExporter string
}

// benchVariantsDir holds the variants of ours the benchmark can run.
const benchVariantsDir = "testdata/bench/variants"

// oursSetup is how ours runs: its agent's and gateway's config files, and
// statements run on its ClickHouse database once the gateway has made its
// tables (empty: none).
type oursSetup struct {
	agent, gateway []string
	clickhouseSQL  string
}

// oursVariant returns ours' setup: the shipped configs and, for a variant
// ("ours+name" in BENCH_E2E_PIPELINES), whichever of
// testdata/bench/variants/name.agent.yaml, name.gateway.yaml (merged over
// the shipped config) and name.clickhouse.sql (statements; {db} is the
// run's database) exist. Variants run interleaved with ours, so a change is
// measured against the shipped configs in the same session.
func oursVariant(t testing.TB, variant string) oursSetup {
	t.Helper()
	o := oursSetup{agent: []string{"agent.yaml"}, gateway: []string{"gateway.yaml"}}
	if variant == "" {
		return o
	}
	base := filepath.Join(benchVariantsDir, variant)
	found := false
	for _, side := range []struct {
		configs *[]string
		suffix  string
	}{{&o.agent, ".agent.yaml"}, {&o.gateway, ".gateway.yaml"}} {
		if _, err := os.Stat(base + side.suffix); err == nil {
			*side.configs = append(*side.configs, "../test/integration/"+filepath.ToSlash(base+side.suffix))
			found = true
		}
	}
	if sql, err := os.ReadFile(base + ".clickhouse.sql"); err == nil {
		o.clickhouseSQL, found = string(sql), true
	}
	require.Truef(t, found, "variant %q: no testdata/bench/variants/%s.{agent.yaml,gateway.yaml,clickhouse.sql}", variant, variant)
	return o
}

// applyClickHouseSQL runs a variant's statements, separated by ";", on db.
func applyClickHouseSQL(t testing.TB, sql, db string) {
	t.Helper()
	for _, stmt := range strings.Split(sql, ";") {
		var lines []string
		for _, line := range strings.Split(stmt, "\n") {
			if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") {
				lines = append(lines, l)
			}
		}
		if len(lines) == 0 {
			continue
		}
		query := strings.ReplaceAll(strings.Join(lines, " "), "{db}", db)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := suite.ch.Query(ctx, query)
		cancel()
		require.NoError(t, err, query)
	}
}

// startBenchPipeline starts a broker, the gateway, then the agent of one
// pipeline, writing to a database of its own in the shared ClickHouse.
func startBenchPipeline(t testing.TB, name, run string) *benchPipeline {
	t.Helper()
	p := &benchPipeline{name: name, db: newDatabase(t)}
	p.kafka = startKafka(t, pipelineTopics...)
	gatewayEnv := map[string]string{
		"KAFKA_BROKERS": p.kafka.Addr, "CLICKHOUSE_ENDPOINT": suite.ch.TCPEndpoint(), "CLICKHOUSE_DATABASE": p.db,
	}
	agentEnv := map[string]string{"KAFKA_BROKERS": p.kafka.Addr}
	// ipgeo looks up the real GeoLite2 City when `make geoip` fetched it
	// (the Makefile exports its path), as it would in production.
	if geolite := os.Getenv("GEOLITE2_CITY_MMDB"); geolite != "" {
		if _, err := os.Stat(geolite); err == nil {
			agentEnv["GEOIP_CITY_IPV4_MMDB"] = geolite
			agentEnv["GEOIP_CITY_IPV6_MMDB"] = strings.Replace(geolite, "ipv4", "ipv6", 1)
		}
	}
	bench := "../test/integration/testdata/bench/"
	base, variant, _ := strings.Cut(name, "+")
	switch base {
	case pipelineOurs, pipelineBaseline:
		binDir := suite.binDir
		if base == pipelineBaseline {
			binDir = os.Getenv("BENCH_E2E_BASELINE_BIN_DIR")
			require.NotEmpty(t, binDir, "pipeline baseline: set BENCH_E2E_BASELINE_BIN_DIR")
		}
		// The gateway's Jaeger copy runs too, into a sink in this process
		// that only counts: its work in the gateway is measured, a Jaeger is
		// not (the stock pipeline has no second backend).
		gatewayEnv["JAEGER_OTLP_ENDPOINT"] = startOTLPSink(t).addr
		setup := oursVariant(t, variant)
		p.gateway = startCollectorFrom(t, binDir, run+"-gateway", setup.gateway, gatewayEnv)
		// The ClickHouse exporter made its tables in Start, before the
		// gateway reported healthy.
		applyClickHouseSQL(t, setup.clickhouseSQL, p.db)
		p.agent = startCollectorFrom(t, binDir, run+"-agent", setup.agent, agentEnv)
		p.send = func(c *http.Client, body []byte, _ int) (int, error) {
			return postEvents(c, p.agent.Endpoints.Events, body)
		}
		p.body = appEventsBodyAt
		p.path = eventsPath{topic: eventTopic(benchCategory), agentExporter: "kafkaevents", gatewayExporter: "clickhouselogs"}
		addresses := os.Getenv("BENCH_E2E_ADDRESSES")
		require.Contains(t, []string{"", "event", "upload"}, addresses, "BENCH_E2E_ADDRESSES")
		if addresses == "upload" {
			p.body = deviceEventsBodyAt
		}
	case pipelineStock, pipelineStockEnriched:
		require.Emptyf(t, variant, "pipeline %q: only ours has variants", name)
		p.gateway = startCollectorConfigs(t, run+"-gateway", []string{bench + "stock-gateway.yaml"}, gatewayEnv)
		p.agent = startCollectorConfigs(t, run+"-agent", []string{bench + "stock-agent.yaml"}, agentEnv)
		p.send = func(c *http.Client, body []byte, n int) (int, error) {
			return postOTLPLogs(c, p.agent.Endpoints.OTLPHTTP, body, n)
		}
		p.body = otlpLogsUpload
		p.path = eventsPath{topic: "otlp_logs", agentExporter: "kafka", gatewayExporter: "clickhouse"}
		if name == pipelineStockEnriched {
			p.body = enrichedOTLPLogsUpload
		}
	default:
		t.Fatalf("unknown pipeline %q", name)
	}
	return p
}

// processes are the trees measured for the run: the pipeline's own and the
// shared ClickHouse (its CPU is counted from the run's first sample).
func (p *benchPipeline) processes() []*proctree.Tree {
	pids := p.pids()
	trees := make([]*proctree.Tree, 0, len(pids))
	for _, name := range measuredProcesses() {
		trees = append(trees, proctree.New(name, proctree.PID(pids[name])))
	}
	return trees
}

// measuredProcesses names the processes a run measures, in the report's
// order.
func measuredProcesses() []string {
	return []string{"agent", "gateway", "kafka", "clickhouse"}
}

// pids are the root pids of the processes measured, by name.
func (p *benchPipeline) pids() map[string]int {
	return map[string]int{"agent": p.agent.Pid(), "gateway": p.gateway.Pid(), "kafka": p.kafka.Pid(), "clickhouse": suite.ch.Pid()}
}

// stop ends the run's processes and drops its database, so neither its
// Kafka nor ClickHouse's merges of its parts run into the next run.
func (p *benchPipeline) stop() {
	_ = p.agent.Stop()
	_ = p.gateway.Stop()
	_ = p.kafka.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _ = suite.ch.Query(ctx, "DROP DATABASE IF EXISTS "+p.db)
}

// otlpLogsUpload carries the same events as appEventsBody as OTLP logs, the
// way eventsplit would have made them, for the stock pipeline's OTLP
// receiver.
func otlpLogsUpload(app, category, prefix string, n int, at time.Time) []byte {
	return marshalLogs(eventlogstest.Upload(app, category, prefix, n, at))
}

// enrichedOTLPLogsUpload is otlpLogsUpload with what ours adds to every
// event on its way to ClickHouse (eventlogstest.Enrich).
func enrichedOTLPLogsUpload(app, category, prefix string, n int, at time.Time) []byte {
	ld := eventlogstest.Upload(app, category, prefix, n, at)
	eventlogstest.Enrich(ld)
	return marshalLogs(ld)
}

func marshalLogs(ld plog.Logs) []byte {
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		panic(err) // a Logs built here always marshals
	}
	return body
}

// postEvents sends an eventsplit upload and returns the events the agent
// accepted, read from the answer's leading "accepted" count alone. The
// load's clients share the two cores with the pipeline: decoding every
// event's part of the answer cost them about 0.15 of a core more than the
// stock clients, who only read a small OTLP answer (BENCHMARKS.md, "The
// load's clients took cores from ours"). uploadEvents checks the count
// against the parts on every real answer of the tests.
func postEvents(client *http.Client, endpoint string, body []byte) (int, error) {
	resp, err := client.Post("http://"+endpoint+"/v1/events", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	accepted, parseErr := leadingAcceptedCount(resp.Body)
	// Read to the end, so the connection is kept for the next upload.
	_, _ = io.Copy(io.Discard, resp.Body)
	switch {
	case resp.StatusCode != http.StatusOK:
		return accepted, fmt.Errorf("answer %d", resp.StatusCode)
	case parseErr != nil:
		return 0, fmt.Errorf("answer 200 without an accepted count: %w", parseErr)
	}
	return accepted, nil
}

// leadingAcceptedCount reads an eventsplit answer up to its first member,
// {"accepted":N, ...}, and returns N.
func leadingAcceptedCount(r io.Reader) (int, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var tokens [3]json.Token
	for i := range tokens {
		tok, err := dec.Token()
		if err != nil {
			return 0, err
		}
		tokens[i] = tok
	}
	n, isNumber := tokens[2].(json.Number)
	if tokens[0] != json.Delim('{') || tokens[1] != "accepted" || !isNumber {
		return 0, fmt.Errorf("answer starts %v %v %v, not {\"accepted\": N", tokens[0], tokens[1], tokens[2])
	}
	accepted, err := strconv.Atoi(n.String())
	return accepted, err
}

// postOTLPLogs sends an OTLP/HTTP logs request of n records: all are
// acknowledged with a 200 (the stock path has no partial success), none
// otherwise.
func postOTLPLogs(client *http.Client, endpoint string, body []byte, n int) (int, error) {
	resp, err := client.Post("http://"+endpoint+"/v1/logs", "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("OTLP logs: %d %s", resp.StatusCode, raw)
	}
	return n, nil
}
