package ipgeoprocessor

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-events/otelcol-events/internal/geodbtest"
	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/metadata"
)

// livenessBound is how long a step may take before the test calls it hung.
// It is not a performance assertion: the steps take milliseconds, and a
// decoder that followed every pointer of the crafted file would need
// longer than the age of the universe.
const livenessBound = 60 * time.Second

// within runs f and fails the test if it has not returned after
// livenessBound.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(livenessBound):
		t.Fatalf("%s did not return: hung on a crafted database", what)
	}
}

// writeBomb writes a database whose records share pointers 60 levels deep
// under the keys the geoip2 schema reads.
func writeBomb(t *testing.T, path, databaseType string) {
	t.Helper()
	require.NoError(t, geodbtest.WriteSharedPointerBomb(path, databaseType, 60,
		"continent", "country", "subdivisions", "city", "postal", "location"))
}

// A crafted database neither hangs Start nor a lookup: with the schema
// given, lookups walk only the wanted branches and find nothing usable;
// with schema auto the record shape cannot be told and Start says so.
func TestCraftedDatabaseDoesNotHang(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crafted.mmdb")
	writeBomb(t, path, "GeoIP2-City")
	within(t, "Start and a lookup", func() {
		h := newLogsHarness(t, func(c *Config) { c.Providers = []ProviderConfig{mmdbAt(path)} })
		assert.Empty(t, geo(h.enrich(map[string]any{"client.address": ipLondon})))
	})

	unknown := filepath.Join(t.TempDir(), "unknown-type.mmdb")
	writeBomb(t, unknown, "Crafted")
	within(t, "Start with schema auto", func() {
		cfg := createDefaultConfig().(*Config)
		cfg.Providers = []ProviderConfig{mmdbAt(unknown)}
		p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
		require.NoError(t, err)
		err = p.Start(context.Background(), componenttest.NewNopHost())
		require.ErrorContains(t, err, "cannot tell the record shape")
		require.NoError(t, p.Shutdown(context.Background()))
	})
}

// A crafted file renamed over a good one during hot reload is refused (or
// serves nothing), the old answers keep coming while it is looked at, and
// Shutdown returns.
func TestCraftedReplacementDuringReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.mmdb")
	writeCity(t, path, "London")
	cfg := createDefaultConfig().(*Config)
	cfg.Providers = []ProviderConfig{mmdbAt(path)}
	cfg.Reload.Interval = 20 * time.Millisecond
	sink := new(consumertest.LogsSink)
	set, tel := telemetrySettings(t)
	p, err := NewFactory().CreateLogs(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))

	crafted := filepath.Join(filepath.Dir(path), "crafted.tmp")
	writeBomb(t, crafted, "Crafted")
	require.NoError(t, os.Rename(crafted, path))
	require.Eventually(t, func() bool {
		_, err := tel.GetMetric("otelcol_processor_ipgeo_reload_failures")
		return err == nil
	}, livenessBound, 10*time.Millisecond, "the crafted replacement is looked at and refused")
	within(t, "Shutdown", func() { require.NoError(t, p.Shutdown(context.Background())) })
}

// FuzzOpenMMDB opens arbitrary bytes as a MaxMind DB with every schema and
// looks addresses up: an error is fine, a panic or a hang is not. The seeds
// are a good City file, the crafted shared-pointer file, and cut-off copies
// of both.
func FuzzOpenMMDB(f *testing.F) {
	dir := f.TempDir()
	good := filepath.Join(dir, "good.mmdb")
	require.NoError(f, geodbtest.WriteGeoIP2(good, "GeoIP2-City", cityRecords()))
	bomb := filepath.Join(dir, "bomb.mmdb")
	require.NoError(f, geodbtest.WriteSharedPointerBomb(bomb, "GeoIP2-City", 40, "country", "city"))
	for _, p := range []string{good, bomb} {
		data, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(data)
		f.Add(data[:len(data)/2])
		f.Add(data[len(data)/3:])
	}
	addrs := []netip.Addr{netip.MustParseAddr(ipLondon), netip.MustParseAddr(ipBerlin), netip.MustParseAddr("8.8.8.8")}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.mmdb")
		require.NoError(t, os.WriteFile(path, data, 0o600))
		for _, schema := range []string{schemaAuto, schemaGeoIP2, schemaFlat} {
			p, err := openMMDB(path, schema, nil, "de")
			if err != nil {
				continue
			}
			for _, a := range addrs {
				var loc location
				_, _ = p.lookup(a, &loc)
			}
			require.NoError(t, p.close())
		}
	})
}
