package eventsplitreceiver

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// counterValues sums an int64 counter per attribute set, keyed by the
// set's encoding ("" for no attributes).
func counterValues(t *testing.T, tel *componenttest.Telemetry, name string) map[string]int64 {
	t.Helper()
	m, err := tel.GetMetric(name)
	if err != nil {
		return map[string]int64{}
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is not an int64 sum", name)
	out := map[string]int64{}
	for _, dp := range sum.DataPoints {
		out[dp.Attributes.Encoded(attribute.DefaultEncoder())] += dp.Value
	}
	return out
}

func assertCounter(t *testing.T, tel *componenttest.Telemetry, name string, want int64) {
	t.Helper()
	var total int64
	for _, v := range counterValues(t, tel, name) {
		total += v
	}
	assert.Equal(t, want, total, name)
}

func TestInternalTelemetry(t *testing.T) {
	h := startHarness(t)
	body := upload(defaultMeta, validEvent("a"), validEvent("b"), ev(`"id":"c"`), ev(`"name":"d"`))
	code, _, _ := h.post(body)
	require.Equal(t, http.StatusMultiStatus, code)
	code, _, _ = h.post(`nope`)
	require.Equal(t, http.StatusBadRequest, code)

	assert.Equal(t, map[string]int64{
		"http.response.status_code=207": 1,
		"http.response.status_code=400": 1,
	}, counterValues(t, h.tel, "otelcol_receiver_eventsplit_requests"))
	assertCounter(t, h.tel, "otelcol_receiver_eventsplit_events_accepted", 2)
	assert.Equal(t, map[string]int64{"reason=missing_name": 1, "reason=missing_id": 1},
		counterValues(t, h.tel, "otelcol_receiver_eventsplit_events_rejected"))
	assertCounter(t, h.tel, "otelcol_receiver_eventsplit_bytes_received", int64(len(body)+len("nope")))

	m, err := h.tel.GetMetric("otelcol_receiver_eventsplit_request_duration")
	require.NoError(t, err)
	hist := m.Data.(metricdata.Histogram[float64])
	require.Len(t, hist.DataPoints, 1)
	assert.Equal(t, uint64(2), hist.DataPoints[0].Count)

	// The collector's standard receiver metrics count the accepted records.
	assertCounter(t, h.tel, "otelcol_receiver_accepted_log_records", 2)
}
