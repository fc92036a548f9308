//go:build integration

package integration

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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
		SystemLogs: clickHouseSystemLogs(),
	})
}

// clickHouseSystemLogs is whether the shared ClickHouse keeps its query and
// part logs: BENCH_E2E_CLICKHOUSE_LOGS=1 asks for them, so that
// BenchmarkPipelines reports where ClickHouse's CPU went (clickhouseWork).
func clickHouseSystemLogs() bool {
	v := os.Getenv("BENCH_E2E_CLICKHOUSE_LOGS")
	return v != "" && v != "0"
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
		Output: testLog(t, "clickhouse-restarted"), SystemLogs: clickHouseSystemLogs(),
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
