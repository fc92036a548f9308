//go:build integration

package integration

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With config/overlays/address-on-resource.yaml the events reach ClickHouse
// with client.address and their geolocation in ResourceAttributes, none in
// LogAttributes: a device's upload as one resource, a relay's upload of
// events from several addresses as one resource per address, each with its
// own geolocation. The ingest span keeps the request's address.
func TestAddressOnResourceStored(t *testing.T) {
	s := startLinkedStackWith(t, linkedOptions{agentOverlays: []string{"overlays/address-on-resource.yaml"}})
	device := deviceEventsBodyAt("it-app", "crash", "device", 4, time.Now())
	relay := eventsBody("crash", "relay", 3) // 81.2.69.1, .2 and .3
	for _, body := range [][]byte{device, relay} {
		code, a := uploadEvents(t, s.agent.Endpoints.Events, body, nil)
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, 0, a.Rejected)
	}
	waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_logs WHERE ServiceName = 'it-app'", s.db), 7, 120*time.Second)

	rows := chQuery(t, fmt.Sprintf(`SELECT LogAttributes['event.id'], ResourceAttributes['client.address'],
		ResourceAttributes['geo.country.iso_code'], ResourceAttributes['geo.locality.name'],
		LogAttributes['client.address'] || LogAttributes['geo.country.iso_code']
		FROM %s.otel_logs WHERE ServiceName = 'it-app' ORDER BY LogAttributes['event.id']`, s.db))
	require.Len(t, rows, 7)
	deviceAddress := rows[0][1]
	for _, r := range rows {
		assert.Equal(t, "GB", r[2], "geolocation on the resource: %v", r)
		assert.Equal(t, "London", r[3], "%v", r)
		assert.Empty(t, r[4], "nothing of the address on the event: %v", r)
	}
	for _, r := range rows[:4] {
		assert.Equal(t, deviceAddress, r[1], "a device's upload shares its address: %v", r)
	}
	for i, r := range rows[4:] {
		assert.Equal(t, fmt.Sprintf("relay-%d", i), r[0])
		assert.Equal(t, fmt.Sprintf("81.2.69.%d", i+1), r[1], "each relayed event keeps its own address")
	}

	waitForAtLeast(t, fmt.Sprintf("SELECT count() FROM %s.otel_traces WHERE SpanName = 'POST /v1/events'", s.db), 2, 120*time.Second)
	spans := chQuery(t, fmt.Sprintf(`SELECT SpanAttributes['client.address']
		FROM %s.otel_traces WHERE SpanName = 'POST /v1/events'`, s.db))
	for _, sp := range spans {
		assert.Equal(t, []string{"127.0.0.1"}, sp, "the ingest span keeps the request's address")
	}
}
