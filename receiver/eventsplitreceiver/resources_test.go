package eventsplitreceiver

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
)

// resourceAddresses lists, per resource of logs, its client.address and the
// ids of its events.
func resourceAddresses(t *testing.T, logs plog.Logs) map[string][]string {
	t.Helper()
	got := map[string][]string{}
	for _, rl := range logs.ResourceLogs().All() {
		address, ok := rl.Resource().Attributes().Get(attrClientAddress)
		require.True(t, ok, "every resource carries its address")
		require.NotContains(t, got, address.Str(), "one resource per address")
		for _, r := range rl.ScopeLogs().At(0).LogRecords().All() {
			_, onEvent := r.Attributes().Get(attrClientAddress)
			assert.False(t, onEvent, "the address is on the resource only")
			id, _ := r.Attributes().Get(attrEventID)
			got[address.Str()] = append(got[address.Str()], id.Str())
		}
	}
	return got
}

func postAddressed(t *testing.T, h *harness, ips ...string) plog.Logs {
	t.Helper()
	events := make([]string, len(ips))
	for i, ip := range ips {
		fields := []string{fmt.Sprintf(`"id":"e%d"`, i+1), `"name":"tap"`, fmt.Sprintf(`"timestamp":%d`, nowMs())}
		if ip != "" {
			fields = append(fields, fmt.Sprintf(`"ip":%q`, ip))
		}
		events[i] = ev(fields...)
	}
	code, a, _ := h.post(upload(defaultMeta, events...))
	require.Equal(t, http.StatusOK, code, "%+v", a)
	require.Len(t, h.logs.AllLogs(), 1)
	return h.logs.AllLogs()[0]
}

// With client_address: resource, events that share an address share a
// resource, whatever their order, and each address is written once.
func TestAddressOnResourceGroupsByAddress(t *testing.T) {
	h := startHarness(t, withConfig(func(c *Config) { c.ClientAddress = clientAddressOnResource }))
	logs := postAddressed(t, h, "81.2.69.1", "2001:db8::7", "81.2.69.1", "", "")
	assert.Equal(t, map[string][]string{
		"81.2.69.1":   {"e1", "e3"},
		"2001:db8::7": {"e2"},
		"127.0.0.1":   {"e4", "e5"},
	}, resourceAddresses(t, logs))
	assert.Equal(t, 3, logs.ResourceLogs().Len())
}

// An upload whose events name no address, as a device's SDK sends it, is
// one resource with the peer's address.
func TestAddressOnResourceOneDevice(t *testing.T) {
	h := startHarness(t, withConfig(func(c *Config) { c.ClientAddress = clientAddressOnResource }))
	logs := postAddressed(t, h, "", "", "")
	assert.Equal(t, map[string][]string{"127.0.0.1": {"e1", "e2", "e3"}}, resourceAddresses(t, logs))
}

// By default the address stays on each event and the batch is one resource
// without it.
func TestAddressOnEventByDefault(t *testing.T) {
	h := startHarness(t)
	logs := postAddressed(t, h, "81.2.69.1", "", "2001:db8::7")
	require.Equal(t, 1, logs.ResourceLogs().Len())
	_, onResource := logs.ResourceLogs().At(0).Resource().Attributes().Get(attrClientAddress)
	assert.False(t, onResource)
	var addresses []string
	for _, r := range logs.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().All() {
		address, ok := r.Attributes().Get(attrClientAddress)
		require.True(t, ok)
		addresses = append(addresses, address.Str())
	}
	assert.Equal(t, []string{"81.2.69.1", "127.0.0.1", "2001:db8::7"}, addresses)
}

// batchesOf posts 40 events under a meta of 8 extra keys of 200 bytes
// each, with max_batch_bytes of limit and the client address where
// clientAddress says; ip(i) is event i's ip ("" for none).
func batchesOf(t *testing.T, limit int, clientAddress string, ip func(i int) string) []plog.Logs {
	t.Helper()
	h := startHarness(t, withConfig(func(c *Config) {
		c.ClientAddress = clientAddress
		c.MaxBatchBytes = limit
	}))
	extras := make([]string, 8)
	for i := range extras {
		extras[i] = fmt.Sprintf(`"extra_%d":%q`, i, strings.Repeat("m", 200))
	}
	meta := `{"app_id":"shop","category":"web",` + strings.Join(extras, ",") + `}`
	events := make([]string, 40)
	for i := range events {
		fields := []string{fmt.Sprintf(`"id":"e%d"`, i), `"name":"tap"`, fmt.Sprintf(`"timestamp":%d`, nowMs())}
		if ip(i) != "" {
			fields = append(fields, fmt.Sprintf(`"ip":%q`, ip(i)))
		}
		events[i] = ev(fields...)
	}
	code, a, _ := h.post(upload(meta, events...))
	require.Equal(t, http.StatusOK, code, "%+v", a)
	require.Equal(t, 40, a.Accepted)
	batches := h.logs.AllLogs()
	for _, ld := range batches {
		assert.LessOrEqual(t, (&plog.ProtoMarshaler{}).LogsSize(ld), limit, "no batch above max_batch_bytes")
	}
	return batches
}

// With client_address: resource a relay's upload, whose every event names
// another address, repeats the meta in a resource per event: batches are
// cut so that even then none exceeds max_batch_bytes.
func TestAddressOnResourceBatchesStayUnderTheBound(t *testing.T) {
	batches := batchesOf(t, 8<<10, clientAddressOnResource, func(i int) string { return fmt.Sprintf("81.2.69.%d", i+1) })
	require.Greater(t, len(batches), 1)
	for _, ld := range batches {
		assert.Equal(t, ld.LogRecordCount(), ld.ResourceLogs().Len(), "a resource per address")
	}
}

// A device's upload is one resource either way, so with client_address:
// resource it is cut into no more batches than with the address on each
// event: the meta is counted once, not once per event.
func TestAddressOnResourceDeviceUploadBatches(t *testing.T) {
	none := func(int) string { return "" }
	onEvent := batchesOf(t, 8<<10, clientAddressOnEvent, none)
	onResource := batchesOf(t, 8<<10, clientAddressOnResource, none)
	assert.LessOrEqual(t, len(onResource), len(onEvent))
}
