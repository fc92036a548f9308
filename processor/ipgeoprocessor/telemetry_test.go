package ipgeoprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestInternalTelemetry(t *testing.T) {
	f := writeFixtures(t)
	h := newLogsHarness(t, func(c *Config) { c.Providers = []ProviderConfig{mmdbAt(f.city)} })
	for _, ip := range []string{ipLondon, ipLondon, ipMapped, ipUnknown, ipUnknown, ipPrivate, "junk"} {
		h.enrich(map[string]any{"client.address": ip})
	}
	h.enrich(map[string]any{"other": "no source attribute"})

	assertCounter(t, h.tel, "otelcol_processor_ipgeo_lookups", 5)
	assertCounter(t, h.tel, "otelcol_processor_ipgeo_cache_misses", 2) // London once, the unknown address once
	assertCounter(t, h.tel, "otelcol_processor_ipgeo_cache_hits", 3)
	assertCounter(t, h.tel, "otelcol_processor_ipgeo_not_found", 2) // both asks for the unknown address
	assert.Equal(t, map[string]int64{"reason=private": 1, "reason=invalid": 1},
		counterValues(t, h.tel, "otelcol_processor_ipgeo_skipped_addresses"))
}
