package ipgeoprocessor

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-events/otelcol-events/internal/componentconfigtest"
	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/metadata"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cfg, err := componentconfigtest.Load(t, NewFactory(), component.NewIDWithName(metadata.Type, name))
	return cfg.(*Config), err
}

func TestLoadConfigDefault(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	want := createDefaultConfig().(*Config)
	want.Providers = []ProviderConfig{{Type: "mmdb", Path: "/var/lib/geoip/GeoLite2-City.mmdb"}}
	assert.Equal(t, want, cfg)
	assert.Equal(t, []string{"client.address", "source.address", "network.peer.address"}, cfg.Source.Attributes)
	assert.Equal(t, "record", cfg.Source.Context)
	assert.Equal(t, 65536, cfg.Cache.Size)
	assert.Equal(t, 30*time.Second, cfg.Reload.Interval)
}

func TestLoadConfigFull(t *testing.T) {
	cfg, err := loadConfig(t, "full")
	require.NoError(t, err)
	require.Len(t, cfg.Providers, 3)
	assert.Equal(t, "geoip2", cfg.Providers[0].Schema)
	assert.Equal(t, map[string]string{"postal_code": "zip"}, cfg.Providers[1].Fields)
	assert.Equal(t, []string{"country", "area", "province", "city", "isp"}, cfg.Providers[2].Layout)
	assert.Equal(t, "field", cfg.Merge)
	assert.Equal(t, "/var/lib/geoip/GeoLite2-ASN.mmdb", cfg.ASN.Path)
	assert.Equal(t, []string{"http.client_ip", "client.address"}, cfg.Source.Attributes)
	assert.Equal(t, "both", cfg.Source.Context)
	assert.Equal(t, "de", cfg.Language)
	assert.Equal(t, map[string]string{"country": "geo.country.iso_code", "city": "geo.locality.name"}, cfg.LegacyAttributes)
	assert.True(t, cfg.Overwrite)
	assert.Equal(t, 1000, cfg.Cache.Size)
	assert.Equal(t, 5*time.Second, cfg.Reload.Interval)
	assert.Equal(t, 10*time.Second, cfg.OpenTimeout)
}

func TestLoadConfigInvalid(t *testing.T) {
	for name, want := range map[string]string{
		"no_providers":          "providers: at least one database is required",
		"bad_type":              `providers[0]: type must be "mmdb" or "ip2region", got "geoip"`,
		"bad_schema":            `providers[0]: schema must be auto, geoip2, flat or custom, got "nested"`,
		"custom_without_fields": "providers[0]: schema custom needs fields",
		"unknown_field":         `providers[0]: fields: unknown output field "town"`,
		"layout_on_mmdb":        "providers[0]: layout applies to ip2region databases only",
		"bad_context":           `source::context must be "record", "resource" or "both", got "span"`,
		"bad_legacy":            `legacy_attributes: "country" maps to "geo.country", which is not one of`,
		"bad_merge":             `merge must be "record" or "field", got "first"`,
		"missing_path":          "providers[0]: path is required",
		"bad_open_timeout":      "open_timeout must be positive",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(t, name)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}
