package ipgeoprocessor

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/metadatatest"
)

func TestInternalTelemetry(t *testing.T) {
	f := writeFixtures(t)
	h := newLogsHarness(t, func(c *Config) { c.Providers = []ProviderConfig{mmdbAt(f.city)} })
	for _, ip := range []string{ipLondon, ipLondon, ipMapped, ipUnknown, ipUnknown, ipPrivate, "junk"} {
		h.enrich(map[string]any{"client.address": ip})
	}
	h.enrich(map[string]any{"other": "no source attribute"})

	metadatatest.AssertEqualProcessorIpgeoLookups(t, h.tel, []metricdata.DataPoint[int64]{{Value: 5}}, metricdatatest.IgnoreTimestamp())
	// London once, the unknown address once.
	metadatatest.AssertEqualProcessorIpgeoCacheMisses(t, h.tel, []metricdata.DataPoint[int64]{{Value: 2}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorIpgeoCacheHits(t, h.tel, []metricdata.DataPoint[int64]{{Value: 3}}, metricdatatest.IgnoreTimestamp())
	// Both asks for the unknown address.
	metadatatest.AssertEqualProcessorIpgeoNotFound(t, h.tel, []metricdata.DataPoint[int64]{{Value: 2}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorIpgeoSkippedAddresses(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "private"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "invalid"))},
	}, metricdatatest.IgnoreTimestamp())
}
