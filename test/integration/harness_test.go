//go:build integration

package integration

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
	"github.com/otelcol-events/otelcol-events/internal/geodbtest"
)

// suite holds what every test shares: where the binaries are and one
// ClickHouse server (each test writes to its own database).
var suite struct {
	repoRoot string
	binDir   string
	ch       *stack.ClickHouse
	geoIPv4  string // fixture geolocation databases the configs' ipgeo reads
	geoIPv6  string
	ports    *stack.PortPicker // every port a test listens on
}

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	root, err := filepath.Abs("../..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	suite.repoRoot = root
	suite.ports = stack.NewPortPicker()
	suite.binDir = os.Getenv("OTELCOL_EVENTS_BIN_DIR")
	if suite.binDir == "" {
		suite.binDir = filepath.Join(root, "bin")
	}
	for _, b := range []string{stack.CollectorBinary, stack.ClickHouseBinary, stack.KafkaBinary} {
		if _, err := os.Stat(filepath.Join(suite.binDir, b)); err != nil {
			fmt.Fprintf(os.Stderr, "integration tests need %s: run `make build` (or `make test`, which builds first): %v\n", b, err)
			return 1
		}
	}
	if _, err := os.Stat(stack.DefaultCHDBLibrary()); err != nil {
		fmt.Fprintf(os.Stderr, "integration tests need libchdb.so: run `make chdb`: %v\n", err)
		return 1
	}

	dataDir, err := os.MkdirTemp("", "otelcol-events-it-clickhouse-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dataDir)
	if err := writeGeoFixtures(dataDir); err != nil {
		fmt.Fprintln(os.Stderr, "geo fixtures:", err)
		return 1
	}
	logFile, err := os.Create(filepath.Join(os.TempDir(), "otelcol-events-it-clickhouse.log"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer logFile.Close()

	ch, err := startClickHouse(dataDir, logFile)
	if err != nil {
		fmt.Fprintf(os.Stderr, "start ClickHouse: %v (log: %s)\n", err, logFile.Name())
		return 1
	}
	suite.ch = ch
	defer func() { _ = suite.ch.Stop() }()
	return m.Run()
}

func startClickHouse(dataDir string, out *os.File) (*stack.ClickHouse, error) {
	tcp, err := suite.ports.Pick()
	if err != nil {
		return nil, err
	}
	httpPort, err := suite.ports.Pick()
	if err != nil {
		return nil, err
	}
	return stack.StartClickHouse(context.Background(), stack.ClickHouseConfig{
		BinDir: suite.binDir, DataDir: dataDir, TCPPort: tcp, HTTPPort: httpPort, Output: out,
	})
}

// writeGeoFixtures writes small databases in the shape of the GeoLite2
// files `make run` uses (ip-location-db, one per IP version), so tests
// assert exact geo values.
func writeGeoFixtures(dir string) error {
	suite.geoIPv4 = filepath.Join(dir, "geolite2-city-ipv4.mmdb")
	suite.geoIPv6 = filepath.Join(dir, "geolite2-city-ipv6.mmdb")
	if err := geodbtest.WriteFlat(suite.geoIPv4, 4, []geodbtest.FlatCity{{
		Network: "81.2.69.0/24", CountryCode: "GB", State1: "England", City: "London", Postcode: "EC1A",
		Latitude: 51.5142, Longitude: -0.0931, Timezone: "Europe/London",
	}}); err != nil {
		return err
	}
	return geodbtest.WriteFlat(suite.geoIPv6, 6, []geodbtest.FlatCity{{
		Network: "2a02:8109::/32", CountryCode: "DE", State1: "State of Berlin", City: "Berlin", Postcode: "14169",
		Latitude: 52.4446, Longitude: 13.2514, Timezone: "Europe/Berlin",
	}})
}

// startClickHouseAgain starts the shared server again on the same ports
// and data, after a test killed it.
func startClickHouseAgain(t testing.TB) {
	t.Helper()
	// A killed server's engine dies with it (Pdeathsig); wait for its ports.
	require.Eventually(t, func() bool {
		return stack.CheckPortsFree(
			stack.Port{Host: suite.ch.Host, Port: suite.ch.TCPPort},
			stack.Port{Host: suite.ch.Host, Port: suite.ch.HTTPPort}) == nil
	}, 30*time.Second, 50*time.Millisecond)
	ch, err := stack.StartClickHouse(context.Background(), stack.ClickHouseConfig{
		BinDir: suite.binDir, DataDir: suite.ch.DataDir, TCPPort: suite.ch.TCPPort, HTTPPort: suite.ch.HTTPPort,
		Output: testLog(t, "clickhouse-restarted"),
	})
	require.NoError(t, err)
	suite.ch = ch
}

// explainFailure logs what explain returns when the test failed. Call it
// first: cleanups run last-registered first, so this one runs after every
// child's log tail and ends the test's output, the part a CI log shows.
func explainFailure(t testing.TB, explain func() string) {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- why it failed ----\n%s", explain())
		}
	})
}

// testLog is a file for one child's output. When the test fails, its tail is
// printed, so a failure shows what the collector said.
func testLog(t testing.TB, name string) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			data, _ := os.ReadFile(f.Name())
			t.Logf("---- last lines of %s ----\n%s", name, tail(data, 80))
		}
		f.Close()
	})
	return f
}

func tail(data []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

func freePort(t testing.TB) int {
	t.Helper()
	p, err := suite.ports.Pick()
	require.NoError(t, err)
	return p
}

func addr(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }

// kafkaRun is a broker of the test's own and how to start it again on the
// same port and data.
type kafkaRun struct {
	*stack.Kafka
	cfg stack.KafkaConfig
}

// startKafka starts a broker of its own for the test.
func startKafka(t testing.TB, topics ...string) *kafkaRun {
	t.Helper()
	k := &kafkaRun{cfg: stack.KafkaConfig{
		BinDir: suite.binDir, Port: freePort(t), Topics: topics, Partitions: 3,
		DataDir: filepath.Join(t.TempDir(), "kafka"), Output: testLog(t, "kafka"),
	}}
	k.start(t)
	t.Cleanup(func() { _ = k.Stop() })
	return k
}

func (k *kafkaRun) start(t testing.TB) {
	t.Helper()
	started, err := stack.StartKafka(context.Background(), k.cfg)
	require.NoError(t, err)
	k.Kafka = started
}

// startJaeger starts Jaeger v2 with Badger storage (deploy/local/jaeger.yaml,
// the local stack's) on free ports, for the test alone.
func startJaeger(t testing.TB) *stack.Jaeger {
	t.Helper()
	return startJaegerWith(t, "jaeger", "jaeger.yaml", func(cfg *stack.JaegerConfig) {
		cfg.DataDir = filepath.Join(t.TempDir(), "jaeger")
	})
}

// startJaegerClickHouse starts Jaeger v2 storing in database db of the
// shared ClickHouse (deploy/local/jaeger-clickhouse.yaml).
func startJaegerClickHouse(t testing.TB, db string) *stack.Jaeger {
	t.Helper()
	return startJaegerWith(t, "jaeger-clickhouse", "jaeger-clickhouse.yaml", func(cfg *stack.JaegerConfig) {
		cfg.ClickHouse = &stack.JaegerClickHouse{
			TCPAddr: strings.TrimPrefix(suite.ch.TCPEndpoint(), "tcp://"), HTTPAddr: suite.ch.HTTPAddr(), Database: db,
		}
	})
}

func startJaegerWith(t testing.TB, name, configFile string, storage func(*stack.JaegerConfig)) *stack.Jaeger {
	t.Helper()
	cfg := stack.JaegerConfig{
		Name:       name,
		ConfigFile: filepath.Join(suite.repoRoot, "deploy", "local", configFile),
		Ports: stack.JaegerPorts{
			OTLPGRPC: freePort(t), OTLPHTTP: freePort(t), Query: freePort(t),
			QueryGRPC: freePort(t), Health: freePort(t), Metrics: freePort(t),
		},
		Output: testLog(t, name),
	}
	storage(&cfg)
	j, err := stack.StartJaeger(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = j.Stop() })
	return j
}

// collectorEndpoints are the listening addresses a collector config reads
// from its environment.
type collectorEndpoints struct {
	OTLPGRPC, OTLPHTTP, Events, Health, Metrics, Pprof string
	// Zipkin and Jaeger span intake (agent and local configs).
	Zipkin, JaegerGRPC, JaegerThriftHTTP string
}

// collectorRun is one collector process and how to start it again.
type collectorRun struct {
	*stack.Collector
	cfg       stack.CollectorConfig
	Endpoints collectorEndpoints
}

// startCollector runs bin/otelcol-events with config/<configName> and the
// given environment, on free ports, and stops it when the test ends.
func startCollector(t testing.TB, name, configName string, env map[string]string) *collectorRun {
	t.Helper()
	return startCollectorConfigs(t, name, []string{configName}, env)
}

// localConfigs is the local stack's collector (`make run`): both halves of
// the pipeline, merged in one process.
func localConfigs() []string { return []string{"gateway.yaml", "agent.yaml"} }

// startCollectorConfigs is startCollector with several config files under
// config/, merged in order (overlays).
func startCollectorConfigs(t testing.TB, name string, configNames []string, env map[string]string) *collectorRun {
	t.Helper()
	ep := collectorEndpoints{
		OTLPGRPC: addr(freePort(t)), OTLPHTTP: addr(freePort(t)),
		Events: addr(freePort(t)), Health: addr(freePort(t)), Metrics: addr(freePort(t)), Pprof: addr(freePort(t)),
		Zipkin: addr(freePort(t)), JaegerGRPC: addr(freePort(t)), JaegerThriftHTTP: addr(freePort(t)),
	}
	vars := map[string]string{
		"OTLP_GRPC_ENDPOINT":   ep.OTLPGRPC,
		"OTLP_HTTP_ENDPOINT":   ep.OTLPHTTP,
		"EVENTS_ENDPOINT":      ep.Events,
		"ZIPKIN_ENDPOINT":      ep.Zipkin,
		"JAEGER_GRPC_ENDPOINT": ep.JaegerGRPC,
		// UDP: a port the picker found free for TCP is free enough here.
		"JAEGER_THRIFT_COMPACT_ENDPOINT": addr(freePort(t)),
		"JAEGER_THRIFT_HTTP_ENDPOINT":    ep.JaegerThriftHTTP,
		"HEALTH_ENDPOINT":                ep.Health,
		"ZPAGES_ENDPOINT":                addr(freePort(t)),
		"PPROF_ENDPOINT":                 ep.Pprof,
		"METRICS_HOST":                   "127.0.0.1",
		"METRICS_PORT":                   strings.TrimPrefix(ep.Metrics, "127.0.0.1:"),
		"STORAGE_DIR":                    filepath.Join(t.TempDir(), name+"-storage"),
		"GEOIP_CITY_IPV4_MMDB":           suite.geoIPv4,
		"GEOIP_CITY_IPV6_MMDB":           suite.geoIPv6,
	}
	for k, v := range env {
		vars[k] = v
	}
	configs := make([]string, len(configNames))
	for i, c := range configNames {
		configs[i] = c
		if !filepath.IsAbs(c) {
			configs[i] = filepath.Join(suite.repoRoot, "config", filepath.FromSlash(c))
		}
	}
	cfg := stack.CollectorConfig{
		Name:           name,
		BinDir:         suite.binDir,
		Configs:        configs,
		Env:            envList(vars),
		HealthEndpoint: ep.Health,
		Output:         testLog(t, name),
	}
	run := &collectorRun{cfg: cfg, Endpoints: ep}
	run.start(t)
	t.Cleanup(func() { _ = run.Stop() })
	return run
}

func (r *collectorRun) start(t testing.TB) {
	t.Helper()
	c, err := stack.StartCollector(context.Background(), r.cfg)
	require.NoError(t, err)
	r.Collector = c
}

// restart stops the collector (gracefully) and starts it again with the same
// configuration, ports and storage.
func (r *collectorRun) restart(t testing.TB) {
	t.Helper()
	require.NoError(t, r.Stop())
	r.start(t)
}

func envList(vars map[string]string) []string {
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

var nonIdent = regexp.MustCompile(`[^a-z0-9_]+`)

// newDatabase names a ClickHouse database of the test's own; the clickhouse
// exporter creates it (create_schema: true).
func newDatabase(t testing.TB) string {
	name := "it_" + nonIdent.ReplaceAllString(strings.ToLower(t.Name()), "_")
	name += "_" + strconv.FormatInt(time.Now().UnixNano()%1e6, 10)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = suite.ch.Query(ctx, "DROP DATABASE IF EXISTS "+name)
	})
	return name
}

// chQuery runs a query on the shared ClickHouse and returns its TSV rows.
func chQuery(t testing.TB, query string) [][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := suite.ch.Query(ctx, query+" FORMAT TSV")
	require.NoError(t, err, query)
	var rows [][]string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		rows = append(rows, strings.Split(sc.Text(), "\t"))
	}
	return rows
}

// chCount runs a count query; a missing table (not created yet) counts 0.
func chCount(t testing.TB, query string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := suite.ch.Query(ctx, query+" FORMAT TSV")
	if err != nil {
		if strings.Contains(err.Error(), "UNKNOWN_TABLE") || strings.Contains(err.Error(), "UNKNOWN_DATABASE") {
			return 0, nil
		}
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(out))
}

// runBinary runs the collector binary with args and returns its output.
func runBinary(t testing.TB, args ...string) (string, error) {
	t.Helper()
	return runBinaryEnv(t, nil, args...)
}

// runBinaryEnv is runBinary with exactly the given environment (plus PATH
// and HOME), so a check sees only what a container would set.
func runBinaryEnv(t testing.TB, env map[string]string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(suite.binDir, stack.CollectorBinary), args...)
	if env != nil {
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// counter is a concurrency-safe tally for test sinks.
type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) add(n int) {
	c.mu.Lock()
	c.n += n
	c.mu.Unlock()
}

func (c *counter) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
