package eventsplitreceiver

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver/internal/metadatatest"
)

func TestInternalTelemetry(t *testing.T) {
	h := startHarness(t)
	body := upload(defaultMeta, validEvent("a"), validEvent("b"), ev(`"id":"c"`), ev(`"name":"d"`))
	code, _, _ := h.post(body)
	require.Equal(t, http.StatusMultiStatus, code)
	code, _, _ = h.post(`nope`)
	require.Equal(t, http.StatusBadRequest, code)

	// Exemplars come with the ingest spans; the values are what is checked.
	ignore := []metricdatatest.Option{metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars()}
	metadatatest.AssertEqualReceiverEventsplitRequests(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.Int("http.response.status_code", 207))},
		{Value: 1, Attributes: attribute.NewSet(attribute.Int("http.response.status_code", 400))},
	}, ignore...)
	metadatatest.AssertEqualReceiverEventsplitEventsAccepted(t, h.tel, []metricdata.DataPoint[int64]{{Value: 2}}, ignore...)
	metadatatest.AssertEqualReceiverEventsplitEventsRejected(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "missing_name"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "missing_id"))},
	}, ignore...)
	metadatatest.AssertEqualReceiverEventsplitBytesReceived(t, h.tel, []metricdata.DataPoint[int64]{{Value: int64(len(body) + len("nope"))}}, ignore...)

	m, err := h.tel.GetMetric("otelcol_receiver_eventsplit_request_duration")
	require.NoError(t, err)
	hist := m.Data.(metricdata.Histogram[float64])
	require.Len(t, hist.DataPoints, 1)
	assert.Equal(t, uint64(2), hist.DataPoints[0].Count)

	// The collector's standard receiver metrics count the accepted records.
	m, err = h.tel.GetMetric("otelcol_receiver_accepted_log_records")
	require.NoError(t, err)
	accepted := m.Data.(metricdata.Sum[int64])
	require.Len(t, accepted.DataPoints, 1)
	assert.Equal(t, int64(2), accepted.DataPoints[0].Value)
}
