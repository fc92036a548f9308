package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"net/netip"

	"go.opentelemetry.io/collector/pdata/plog"
)

// eventResources hands out the log records an event of one batch goes
// into. With client_address: event every event shares one ResourceLogs.
// With client_address: resource each distinct address gets a ResourceLogs
// of its own that carries it as client.address: the events of an upload
// from one device (the usual case) still share one, and a relay's upload of
// many clients' events gets one per client, in the order they first came.
type eventResources struct {
	d    *decoder
	st   *decodeState
	rc   *recordContext
	logs plog.Logs
	// expected is the batch's number of records, the first slice's size.
	expected int

	// Resources are keyed by the event's own ip, or by the zero Addr for
	// the request's client address, so that no address text is made to
	// tell them apart. Without the address on the resource every key is
	// the zero Addr.
	first     plog.LogRecordSlice
	firstKey  netip.Addr
	haveFirst bool
	// Further addresses, made only when a batch has a second one.
	more map[netip.Addr]plog.LogRecordSlice
}

// resourceKey is the key of the resource v's record goes in: its own ip
// with client_address: resource, else the zero Addr (the request's
// address, or one resource for all).
func (d *decoder) resourceKey(v *eventView) netip.Addr {
	if d.addressOnResource && v.hasIP {
		return v.ip
	}
	return netip.Addr{}
}

// recordsFor returns the log record slice v's record belongs in.
func (r *eventResources) recordsFor(v *eventView) plog.LogRecordSlice {
	key := r.d.resourceKey(v)
	if !r.haveFirst {
		r.first, r.firstKey, r.haveFirst = r.newResource(v, r.expected), key, true
		return r.first
	}
	if key == r.firstKey {
		return r.first
	}
	records, ok := r.more[key]
	if !ok {
		if r.more == nil {
			r.more = make(map[netip.Addr]plog.LogRecordSlice)
		}
		records = r.newResource(v, 0)
		r.more[key] = records
	}
	return records
}

// newResource appends a ResourceLogs for v's address (with client_address:
// resource) and returns its scope's log records, sized for capacity.
func (r *eventResources) newResource(v *eventView, capacity int) plog.LogRecordSlice {
	address := ""
	if r.d.addressOnResource {
		address = eventAddress(r.st, r.rc, v)
	}
	rl := r.logs.ResourceLogs().AppendEmpty()
	r.d.buildResource(r.st, rl.Resource().Attributes(), address)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(r.d.scopeName)
	sl.Scope().SetVersion(r.d.scopeVersion)
	records := sl.LogRecords()
	records.EnsureCapacity(capacity)
	return records
}

// eventAddress is the event's client.address: its own ip, else the
// request's client address ("" when there is none).
func eventAddress(st *decodeState, rc *recordContext, v *eventView) string {
	if v.hasIP {
		return st.arena.commit(v.ip.AppendTo(st.arena.reserve(64)))
	}
	return rc.clientAddr
}
