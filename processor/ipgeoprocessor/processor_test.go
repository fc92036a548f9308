package ipgeoprocessor

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/metadata"
	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/metadatatest"
)

// logsHarness is a started processor in a logs pipeline.
type logsHarness struct {
	t    *testing.T
	proc processor.Logs
	sink *consumertest.LogsSink
	tel  *componenttest.Telemetry
}

// telemetrySettings are processor settings whose telemetry the test can
// read, shut down when the test ends.
func telemetrySettings(t *testing.T) (processor.Settings, *componenttest.Telemetry) {
	t.Helper()
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	return set, tel
}

func newLogsHarness(t *testing.T, mutate func(*Config)) *logsHarness {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.Reload.Enabled = false
	mutate(cfg)
	require.NoError(t, cfg.Validate())
	set, tel := telemetrySettings(t)
	h := &logsHarness{t: t, sink: new(consumertest.LogsSink), tel: tel}
	p, err := NewFactory().CreateLogs(context.Background(), set, cfg, h.sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
	h.proc = p
	return h
}

// enrich runs one log record with the given attributes through and returns
// its attributes afterwards.
func (h *logsHarness) enrich(attrs map[string]any) map[string]any {
	h.t.Helper()
	ld := plog.NewLogs()
	rec := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	require.NoError(h.t, rec.Attributes().FromRaw(attrs))
	require.NoError(h.t, h.proc.ConsumeLogs(context.Background(), ld))
	all := h.sink.AllLogs()
	return all[len(all)-1].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().AsRaw()
}

func mmdbAt(path string) ProviderConfig { return ProviderConfig{Type: providerMMDB, Path: path} }

// geo returns only the attributes the processor writes.
func geo(attrs map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range attrs {
		if len(k) > 4 && (k[:4] == "geo." || k[:3] == "as.") {
			out[k] = v
		}
	}
	return out
}

func TestGeoIP2City(t *testing.T) {
	f := writeFixtures(t)
	h := newLogsHarness(t, func(c *Config) { c.Providers = []ProviderConfig{mmdbAt(f.city)} })

	assert.Equal(t, map[string]any{
		"geo.continent.code":   "EU",
		"geo.country.iso_code": "GB",
		"geo.country.name":     "United Kingdom",
		"geo.region.iso_code":  "GB-ENG",
		"geo.region.name":      "England",
		"geo.locality.name":    "London",
		"geo.postal_code":      "EC1A",
		"geo.location.lat":     51.5142,
		"geo.location.lon":     -0.0931,
	}, geo(h.enrich(map[string]any{"client.address": ipLondon})))

	assert.Equal(t, map[string]any{
		"geo.continent.code": "EU", "geo.country.iso_code": "DE", "geo.country.name": "Germany",
		"geo.region.iso_code": "DE-BE", "geo.region.name": "Land Berlin", "geo.locality.name": "Berlin",
		"geo.postal_code": "10115", "geo.location.lat": 52.52, "geo.location.lon": 13.405,
	}, geo(h.enrich(map[string]any{"client.address": ipBerlin})), "IPv6")

	assert.Equal(t, map[string]any{
		"geo.continent.code": "EU", "geo.country.iso_code": "SE", "geo.country.name": "Sweden",
	}, geo(h.enrich(map[string]any{"client.address": ipSweden})), "a country-level record writes what it has")

	assert.Equal(t, geo(h.enrich(map[string]any{"client.address": ipLondon})),
		geo(h.enrich(map[string]any{"client.address": ipMapped})), "IPv4-mapped IPv6 is the IPv4 address")

	assert.Empty(t, geo(h.enrich(map[string]any{"client.address": ipUnknown})), "not in the database: nothing written")
}

func TestLanguageWithFallback(t *testing.T) {
	f := writeFixtures(t)
	h := newLogsHarness(t, func(c *Config) {
		c.Providers = []ProviderConfig{mmdbAt(f.city)}
		c.Language = "de"
	})
	got := geo(h.enrich(map[string]any{"client.address": ipLondon}))
	assert.Equal(t, "Vereinigtes Königreich", got["geo.country.name"])
	got = geo(h.enrich(map[string]any{"client.address": ipMilton}))
	assert.Equal(t, "USA", got["geo.country.name"])
	assert.Equal(t, "Washington", got["geo.region.name"], "no German name: English")
	assert.Equal(t, "Milton", got["geo.locality.name"])
}

func TestFlatSchemaTwoFilesAndASN(t *testing.T) {
	f := writeFixtures(t)
	h := newLogsHarness(t, func(c *Config) {
		// ip-location-db ships one file per IP version: the first one with an
		// answer wins.
		c.Providers = []ProviderConfig{mmdbAt(f.flat4), mmdbAt(f.flat6)}
		c.ASN.Path = f.asn
	})
	assert.Equal(t, map[string]any{
		"geo.country.iso_code": "GB", "geo.region.name": "England", "geo.locality.name": "Bracknell",
		"geo.postal_code": "RG12", "geo.location.lat": 51.4036, "geo.location.lon": -0.7618,
		"as.number": int64(20712), "as.organization.name": "Andrews & Arnold Ltd",
	}, geo(h.enrich(map[string]any{"client.address": ipLondon})))
	assert.Equal(t, map[string]any{
		"geo.country.iso_code": "DE", "geo.region.name": "State of Berlin", "geo.locality.name": "Berlin",
		"geo.postal_code": "14169", "geo.location.lat": 52.4446, "geo.location.lon": 13.2514,
		"as.number": int64(3209), "as.organization.name": "Vodafone GmbH",
	}, geo(h.enrich(map[string]any{"client.address": ipBerlin})))
	assert.Equal(t, map[string]any{
		"geo.country.iso_code": "US", "geo.location.lat": 37.751, "geo.location.lon": -97.822,
	}, geo(h.enrich(map[string]any{"client.address": "8.8.8.8"})), "empty strings in a flat record are unknown, not written")
	assert.Equal(t, map[string]any{"as.number": int64(209), "as.organization.name": "CenturyLink"},
		geo(h.enrich(map[string]any{"client.address": ipMilton})), "ASN alone still answers")
}

func TestIP2Region(t *testing.T) {
	f := writeFixtures(t)
	h := newLogsHarness(t, func(c *Config) {
		c.Providers = []ProviderConfig{{Type: providerIP2Region, Path: f.xdb4}, {Type: providerIP2Region, Path: f.xdb6}}
	})
	assert.Equal(t, map[string]any{
		"geo.country.name": "中国", "geo.region.name": "广东省", "geo.locality.name": "深圳市", "as.organization.name": "电信",
	}, geo(h.enrich(map[string]any{"client.address": ipShenzen})))
	assert.Equal(t, map[string]any{
		"geo.country.name": "United Kingdom", "geo.region.name": "England", "geo.locality.name": "London",
	}, geo(h.enrich(map[string]any{"client.address": ipLondon})), `"0" parts are unknown`)
	assert.Equal(t, map[string]any{
		"geo.country.name": "中国", "geo.region.name": "广东省", "geo.locality.name": "广州市", "as.organization.name": "电信",
	}, geo(h.enrich(map[string]any{"client.address": ipGuangz})), "IPv6")
}

func TestIP2RegionCustomLayout(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "custom.xdb")
	require.NoError(t, writeXDB(path, "81.2.69.0/24", "GB|England|London|EC1A"))
	h := newLogsHarness(t, func(c *Config) {
		c.Providers = []ProviderConfig{{Type: providerIP2Region, Path: path, Layout: []string{"country_iso_code", "province", "city", "postal_code"}}}
	})
	assert.Equal(t, map[string]any{
		"geo.country.iso_code": "GB", "geo.region.name": "England", "geo.locality.name": "London", "geo.postal_code": "EC1A",
	}, geo(h.enrich(map[string]any{"client.address": ipLondon})))
}

func TestMergeRecordVersusField(t *testing.T) {
	f := writeFixtures(t)
	// The Country database first: with merge record its (country-only)
	// answer is all there is; with merge field the City database fills in.
	record := newLogsHarness(t, func(c *Config) {
		c.Providers = []ProviderConfig{mmdbAt(f.country), mmdbAt(f.city)}
	})
	got := geo(record.enrich(map[string]any{"client.address": ipLondon}))
	assert.Equal(t, map[string]any{"geo.continent.code": "EU", "geo.country.iso_code": "GB", "geo.country.name": "United Kingdom"}, got)
	got = geo(record.enrich(map[string]any{"client.address": ipMilton}))
	assert.Equal(t, "Milton", got["geo.locality.name"], "the Country database has no answer: the next provider's whole record")

	field := newLogsHarness(t, func(c *Config) {
		c.Providers = []ProviderConfig{mmdbAt(f.country), mmdbAt(f.city)}
		c.Merge = mergeField
	})
	got = geo(field.enrich(map[string]any{"client.address": ipLondon}))
	assert.Equal(t, "United Kingdom", got["geo.country.name"])
	assert.Equal(t, "London", got["geo.locality.name"], "fields the first provider lacks come from the next")
	assert.Equal(t, 51.5142, got["geo.location.lat"])
	got = geo(field.enrich(map[string]any{"client.address": ipChina}))
	assert.Equal(t, map[string]any{"geo.continent.code": "AS", "geo.country.iso_code": "CN", "geo.country.name": "China"}, got)
}

func TestCustomFields(t *testing.T) {
	path := filepath.Join(t.TempDir(), "acme.mmdb")
	require.NoError(t, writeCustom(path))
	h := newLogsHarness(t, func(c *Config) {
		c.Providers = []ProviderConfig{{
			Type: providerMMDB, Path: path, Schema: schemaCustom,
			Fields: map[string]string{
				"country_iso_code": "geo.cc",
				"locality_name":    "geo.places.1.label",
				"latitude":         "coords.lat",
				"longitude":        "coords.lng",
				"as_number":        "net.asn",
			},
		}}
	})
	assert.Equal(t, map[string]any{
		"geo.country.iso_code": "GB", "geo.locality.name": "London", "geo.location.lat": 51.5, "geo.location.lon": -0.12,
		"as.number": int64(20712),
	}, geo(h.enrich(map[string]any{"client.address": ipLondon})))
}

func TestSourceAttributesAndValues(t *testing.T) {
	f := writeFixtures(t)
	h := newLogsHarness(t, func(c *Config) { c.Providers = []ProviderConfig{mmdbAt(f.city)} })
	country := func(attrs map[string]any) any { return geo(h.enrich(attrs))["geo.country.iso_code"] }

	assert.Equal(t, "GB", country(map[string]any{"source.address": ipLondon}), "second default key")
	assert.Equal(t, "GB", country(map[string]any{"network.peer.address": ipLondon}), "third default key")
	assert.Equal(t, "US", country(map[string]any{"client.address": ipMilton, "source.address": ipLondon}), "the first key wins")
	assert.Equal(t, "GB", country(map[string]any{"client.address": "not an ip", "source.address": ipLondon}), "an invalid value falls through")
	assert.Nil(t, country(map[string]any{"client.address": ipPrivate, "source.address": ipLondon}), "a valid private address decides: internal client")
	assert.Equal(t, "GB", country(map[string]any{"client.address": "10.0.0.1, 192.168.1.1 , 81.2.69.160, 216.160.83.56"}), "XFF list: first public")
	assert.Nil(t, country(map[string]any{"client.address": "10.0.0.1, 192.168.1.1"}), "XFF list without a public address")
	assert.Equal(t, "GB", country(map[string]any{"client.address": "81.2.69.160:443"}), "with port")
	assert.Equal(t, "DE", country(map[string]any{"client.address": "[2a02:8109:8a00::1]:443"}), "IPv6 with port")
	assert.Equal(t, "GB", country(map[string]any{"client.address": "  81.2.69.160 "}), "spaces")
	for _, bad := range []any{"", "81.2.69", "81.2.69.160.1", "::ffff:zz", "fe80::1%eth0", "garbage,,,", int64(1358841248), true} {
		assert.Nil(t, country(map[string]any{"client.address": bad}), "%v", bad)
	}
}

func TestPrivateAndReservedAreNotLookedUp(t *testing.T) {
	f := writeFixtures(t)
	h := newLogsHarness(t, func(c *Config) { c.Providers = []ProviderConfig{mmdbAt(f.city)} })
	for _, ip := range []string{
		"10.0.0.1", "172.16.5.4", "192.168.0.1", "127.0.0.1", "169.254.1.1", "100.64.0.1", "100.127.255.254",
		"0.1.2.3", "192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255",
		"::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1", "2001::1", "100::1",
	} {
		attrs := h.enrich(map[string]any{"client.address": ip})
		assert.Empty(t, geo(attrs), ip)
		assert.Equal(t, map[string]any{"client.address": ip}, attrs, "%s: nothing is written", ip)
	}
	metadatatest.AssertEqualProcessorIpgeoSkippedAddresses(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: 24, Attributes: attribute.NewSet(attribute.String("reason", "private"))},
	}, metricdatatest.IgnoreTimestamp())
	_, err := h.tel.GetMetric("otelcol_processor_ipgeo_lookups")
	assert.Error(t, err, "nothing was looked up")
}

func TestOverwriteAndLegacyNames(t *testing.T) {
	f := writeFixtures(t)
	keep := newLogsHarness(t, func(c *Config) {
		c.Providers = []ProviderConfig{mmdbAt(f.city)}
		c.LegacyAttributes = map[string]string{"country": "geo.country.iso_code", "city": "geo.locality.name", "lat": "geo.location.lat"}
	})
	got := keep.enrich(map[string]any{"client.address": ipLondon, "geo.locality.name": "Upstream City"})
	assert.Equal(t, "Upstream City", got["geo.locality.name"], "existing geo attributes are left alone")
	assert.Equal(t, "GB", got["geo.country.iso_code"], "missing ones are added")
	assert.Equal(t, "GB", got["country"])
	assert.Equal(t, "London", got["city"], "legacy names carry the database's value")
	assert.Equal(t, 51.5142, got["lat"])

	overwrite := newLogsHarness(t, func(c *Config) {
		c.Providers = []ProviderConfig{mmdbAt(f.city)}
		c.Overwrite = true
	})
	got = overwrite.enrich(map[string]any{"client.address": ipLondon, "geo.locality.name": "Upstream City"})
	assert.Equal(t, "London", got["geo.locality.name"])
}

func TestStartFailsNamingTheFile(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.mmdb")
	require.NoError(t, os.WriteFile(corrupt, []byte("this is not a MaxMind DB"), 0o600))
	badXDB := filepath.Join(dir, "bad.xdb")
	require.NoError(t, os.WriteFile(badXDB, make([]byte, 1024), 0o600))
	missing := filepath.Join(dir, "missing.mmdb")
	for name, tc := range map[string]struct {
		provider ProviderConfig
		want     string
	}{
		"missing":     {mmdbAt(missing), missing},
		"corrupt":     {mmdbAt(corrupt), corrupt},
		"corrupt xdb": {ProviderConfig{Type: providerIP2Region, Path: badXDB}, badXDB},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.Providers = []ProviderConfig{tc.provider}
			p, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
			require.NoError(t, err)
			err = p.Start(context.Background(), componenttest.NewNopHost())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			require.NoError(t, p.Shutdown(context.Background()))
		})
	}
}

func TestUnknownSchemaNeedsConfiguration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "weird.mmdb")
	require.NoError(t, writeWeird(path))
	cfg := createDefaultConfig().(*Config)
	cfg.Providers = []ProviderConfig{mmdbAt(path)}
	p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.NoError(t, err)
	err = p.Start(context.Background(), componenttest.NewNopHost())
	require.ErrorContains(t, err, `cannot tell the record shape of database type "Weird-DB"`)
	require.ErrorContains(t, err, path)
	require.NoError(t, p.Shutdown(context.Background()))
}

func TestSchemaDetectedFromRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vendor.mmdb")
	require.NoError(t, writeVendorNested(path))
	h := newLogsHarness(t, func(c *Config) { c.Providers = []ProviderConfig{mmdbAt(path)} })
	assert.Equal(t, "US", geo(h.enrich(map[string]any{"client.address": "8.8.8.8"}))["geo.country.iso_code"])
}
