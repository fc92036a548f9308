package ipgeoprocessor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-events/otelcol-events/internal/geodbtest"
	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/metadata"
	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/metadatatest"
)

func reloadingHarness(t *testing.T, providers ...ProviderConfig) *logsHarness {
	return newLogsHarness(t, func(c *Config) {
		c.Providers = providers
		c.Reload.Enabled = true
		c.Reload.Interval = 20 * time.Millisecond
	})
}

func writeCity(t *testing.T, path, cityName string) {
	t.Helper()
	require.NoError(t, geodbtest.WriteGeoIP2(path, "GeoIP2-City", []geodbtest.City{{
		Network: "81.2.69.0/24", CountryISOCode: "GB", CityNames: map[string]string{"en": cityName},
	}}))
}

func TestReloadPicksUpNewDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.mmdb")
	writeCity(t, path, "London")
	h := reloadingHarness(t, mmdbAt(path))
	locality := func() any { return h.enrich(map[string]any{"client.address": ipLondon})["geo.locality.name"] }
	require.Equal(t, "London", locality())

	// Replace the file the way updaters do: write aside, rename over.
	writeCity(t, path, "Londinium")
	require.Eventually(t, func() bool { return locality() == "Londinium" }, 10*time.Second, 10*time.Millisecond,
		"the new database is served without a restart, and the cache was not stale")
	metadatatest.AssertEqualProcessorIpgeoReloads(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("database", path))},
	}, metricdatatest.IgnoreTimestamp())
	_, err := h.tel.GetMetric("otelcol_processor_ipgeo_reload_failures")
	assert.Error(t, err, "no reload failed, so the counter was never recorded")
}

func TestReloadIP2Region(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ip2region.xdb")
	require.NoError(t, writeXDB(path, "81.2.69.0/24", "United Kingdom|0|England|London|0"))
	h := reloadingHarness(t, ProviderConfig{Type: providerIP2Region, Path: path})
	locality := func() any { return h.enrich(map[string]any{"client.address": ipLondon})["geo.locality.name"] }
	require.Equal(t, "London", locality())
	require.NoError(t, writeXDB(path, "81.2.69.0/24", "United Kingdom|0|England|Reading|0"))
	require.Eventually(t, func() bool { return locality() == "Reading" }, 10*time.Second, 10*time.Millisecond)
}

// handCheckedProcessor is the processor with its watcher off: the test runs
// the watcher's check (reloadIfChanged) itself, so "ten check intervals"
// are ten checks, not a wait.
func handCheckedProcessor(t *testing.T, providers ...ProviderConfig) (*ipgeoProcessor, *componenttest.Telemetry) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.Providers = providers
	cfg.Cache.Size = 16
	set, tel := telemetrySettings(t)
	p, err := newIPGeoProcessor(cfg, set)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
	return p, tel
}

// localityOf is the city p gives the addresses of one batch, which must
// all get the same one.
func localityOf(p *ipgeoProcessor, batch int) (string, error) {
	ld := plog.NewLogs()
	recs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for range batch {
		recs.AppendEmpty().Attributes().PutStr("client.address", ipLondon)
	}
	out, err := p.processLogs(context.Background(), ld)
	if err != nil {
		return "", err
	}
	recs = out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	first, _ := recs.At(0).Attributes().Get("geo.locality.name")
	for i := 1; i < recs.Len(); i++ {
		if v, _ := recs.At(i).Attributes().Get("geo.locality.name"); v.Str() != first.Str() {
			return "", fmt.Errorf("a batch saw two databases: %q and %q", first.Str(), v.Str())
		}
	}
	return first.Str(), nil
}

func TestCorruptReplacementKeepsOldDatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "city.mmdb")
	writeCity(t, path, "London")
	p, tel := handCheckedProcessor(t, mmdbAt(path))
	locality := func() string {
		city, err := localityOf(p, 1)
		require.NoError(t, err)
		return city
	}
	require.Equal(t, "London", locality())

	for _, broken := range [][]byte{[]byte("garbage, not a database"), {}} {
		tmp := filepath.Join(dir, "broken.tmp")
		require.NoError(t, os.WriteFile(tmp, broken, 0o600))
		require.NoError(t, os.Rename(tmp, path))
		for range 10 { // ten check intervals
			p.reloadIfChanged()
		}
		assert.Equal(t, "London", locality(), "the old database keeps serving")
	}
	// Each broken replacement is counted once, not every interval.
	metadatatest.AssertEqualProcessorIpgeoReloadFailures(t, tel, []metricdata.DataPoint[int64]{
		{Value: 2, Attributes: attribute.NewSet(attribute.String("database", path))},
	}, metricdatatest.IgnoreTimestamp())

	// A good file after the broken ones is picked up.
	writeCity(t, path, "Londinium")
	p.reloadIfChanged()
	assert.Equal(t, "Londinium", locality())
}

func TestDeletedDatabaseKeepsServing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.mmdb")
	writeCity(t, path, "London")
	p, tel := handCheckedProcessor(t, mmdbAt(path))
	require.NoError(t, os.Remove(path))
	for range 10 {
		p.reloadIfChanged()
	}
	city, err := localityOf(p, 1)
	require.NoError(t, err)
	assert.Equal(t, "London", city)
	metadatatest.AssertEqualProcessorIpgeoReloadFailures(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("database", path))},
	}, metricdatatest.IgnoreTimestamp())
}

// Records in flight during reloads always see one complete database: every
// record of a batch gets the same city, from the old file or the new one.
// Run with -race.
func TestReloadUnderLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.mmdb")
	writeCity(t, path, "city-0")
	p, _ := handCheckedProcessor(t, mmdbAt(path))

	stop := make(chan struct{})
	var checked atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := localityOf(p, 50); err != nil {
					t.Error(err)
					return
				}
				checked.Add(1)
			}
		})
	}
	// Each reload swaps the set while the workers run batches; the last
	// city must be served once it is loaded.
	for i := 1; i <= 10; i++ {
		writeCity(t, path, fmt.Sprintf("city-%d", i))
		p.reloadIfChanged()
	}
	close(stop)
	wg.Wait()
	assert.Positive(t, checked.Load())
	city, err := localityOf(p, 50)
	require.NoError(t, err)
	assert.Equal(t, "city-10", city)
}

// One instance serves the three signals of a config (sharedcomponent): it
// opens the databases at the first Start, closes them at the first
// Shutdown (the service stops every pipeline together, upstream first), and
// is forgotten, so the same config starts fresh.
func TestSharedAcrossSignals(t *testing.T) {
	f := writeFixtures(t)
	factory := NewFactory()
	cfg := createDefaultConfig().(*Config)
	cfg.Providers = []ProviderConfig{mmdbAt(f.city)}
	set := processortest.NewNopSettings(metadata.Type)
	for round := 0; round < 2; round++ {
		sink := new(consumertest.MetricsSink)
		tr, err := factory.CreateTraces(context.Background(), set, cfg, consumertest.NewNop())
		require.NoError(t, err)
		lg, err := factory.CreateLogs(context.Background(), set, cfg, consumertest.NewNop())
		require.NoError(t, err)
		mt, err := factory.CreateMetrics(context.Background(), set, cfg, sink)
		require.NoError(t, err)
		for _, c := range []component.Component{tr, lg, mt} {
			require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
		}
		md := pmetric.NewMetrics()
		dp := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge().DataPoints().AppendEmpty()
		dp.Attributes().PutStr("client.address", ipLondon)
		require.NoError(t, mt.ConsumeMetrics(context.Background(), md))
		got, _ := sink.AllMetrics()[0].ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints().At(0).Attributes().Get("geo.locality.name")
		assert.Equal(t, "London", got.Str(), "round %d", round)
		for _, c := range []component.Component{tr, lg, mt} {
			require.NoError(t, c.Shutdown(context.Background()))
		}
	}
}
