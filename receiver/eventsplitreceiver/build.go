package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"crypto/rand"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// geoRoom is the room an event with an address gets in its attributes for
// the geolocation the ipgeo processor adds further down the pipeline (up to
// nine fields from a City database): a map grown later is copied whole, and
// in the agent that copy was a third of the bytes it allocated.
const geoRoom = 9

// recordContext is what every record of one request shares.
type recordContext struct {
	received   pcommon.Timestamp
	traceID    pcommon.TraceID
	spanID     pcommon.SpanID
	flags      plog.LogRecordFlags
	clientAddr string
	requestID  string
}

// build is pass 2 for one batch of the request's events: one ResourceLogs
// (one per distinct address with client_address: resource), one log record
// per valid event of views, made directly in pdata. Each valid view gets
// its backend id. It returns how many records it made.
// The input was validated in pass 1, so a scanner error here is a bug of
// the receiver's, returned as such.
func (d *decoder) build(st *decodeState, rc *recordContext, views []eventView, logs plog.Logs) (int, error) {
	valid := 0
	for i := range views {
		if views[i].reason == reasonNone {
			valid++
		}
	}
	if valid == 0 {
		return 0, nil
	}
	resources := eventResources{d: d, st: st, rc: rc, logs: logs, expected: valid}

	var random [8]byte
	if _, err := rand.Read(random[:]); err != nil {
		return 0, fmt.Errorf("random bytes for backend ids: %w", err)
	}
	ms, seq := d.ids.reserve(valid)
	ids := newIDSequence(ms, seq, random)

	n := 0
	for i := range views {
		v := &views[i]
		if v.reason != reasonNone {
			continue
		}
		backendID := st.arena.commit(ids.next(st.arena.reserve(36)))
		n++
		if err := d.buildRecord(st, rc, v, backendID, resources.recordsFor(v).AppendEmpty()); err != nil {
			return 0, fmt.Errorf("event %q: %w", v.idText, err)
		}
		v.backendID = backendID
	}
	return n, nil
}

func (d *decoder) buildRecord(st *decodeState, rc *recordContext, v *eventView, backendID string, lr plog.LogRecord) error {
	lr.SetTimestamp(pcommon.Timestamp(v.timestampMs * int64(time.Millisecond)))
	lr.SetObservedTimestamp(rc.received)
	lr.SetTraceID(rc.traceID)
	lr.SetSpanID(rc.spanID)
	lr.SetFlags(rc.flags)
	name := st.stringOf(v.name)
	lr.SetEventName(name)

	attrs := lr.Attributes()
	room := 5 + v.attrCount
	addressHere := !d.addressOnResource && (v.hasIP || rc.clientAddr != "")
	if addressHere {
		room += geoRoom
	}
	attrs.EnsureCapacity(room)
	attrs.PutStr(attrEventID, v.idText)
	if d.eventNameAttribute {
		attrs.PutStr(attrEventName, name)
	}
	attrs.PutStr(attrEventBackendID, backendID)
	if addressHere {
		attrs.PutStr(attrClientAddress, eventAddress(st, rc, v))
	}
	if rc.requestID != "" {
		attrs.PutStr(attrRequestID, rc.requestID)
	}
	if v.hasAttrs && v.attrCount > 0 {
		st.s.pos = v.attrsStart
		if err := d.putAttributes(st, attrs); err != nil {
			return err
		}
	}
	if !v.hasPayload {
		return nil
	}
	if !d.structuredBody {
		lr.Body().SetStr(st.s.raw(v.payload[0], v.payload[1]))
		return nil
	}
	st.s.pos = v.payload[0]
	return d.putValue(st, lr.Body())
}

// putAttributes copies the validated attributes object at the scanner into
// attrs.
func (d *decoder) putAttributes(st *decodeState, attrs pcommon.Map) error {
	s := &st.s
	return s.eachMember(func(key span) error {
		k := st.stringOf(key)
		switch c := s.peek(); {
		case c == '"':
			sp, err := s.readString()
			if err != nil {
				return err
			}
			attrs.PutStr(k, st.stringOf(sp))
		case c == 't' || c == 'f':
			lit, err := s.readLiteral()
			if err != nil {
				return err
			}
			attrs.PutBool(k, lit == litTrue)
		default:
			n, err := s.readNumber()
			if err != nil {
				return err
			}
			if i, ok := s.parseInt(n); ok && n.integer {
				attrs.PutInt(k, i)
			} else if f, ok := s.parseFloat(n); ok {
				attrs.PutDouble(k, f)
			}
		}
		return nil
	})
}

// putValue decodes the validated JSON value at the scanner into v. Depth is
// bounded by max_depth, checked in pass 1. A number keeps its exact text as
// a string when an int64 (whole numbers) or a float64 cannot hold it.
func (d *decoder) putValue(st *decodeState, v pcommon.Value) error {
	s := &st.s
	switch c := s.peek(); {
	case c == '{':
		m := v.SetEmptyMap()
		return s.eachMember(func(key span) error {
			return d.putValue(st, m.PutEmpty(st.stringOf(key)))
		})
	case c == '[':
		sl := v.SetEmptySlice()
		return s.eachElement(func() error {
			return d.putValue(st, sl.AppendEmpty())
		})
	case c == '"':
		sp, err := s.readString()
		if err != nil {
			return err
		}
		v.SetStr(st.stringOf(sp))
	case c == 't' || c == 'f' || c == 'n':
		lit, err := s.readLiteral()
		if err != nil {
			return err
		}
		if lit != litNull {
			v.SetBool(lit == litTrue)
		}
	default:
		n, err := s.readNumber()
		if err != nil {
			return err
		}
		if n.integer {
			if i, ok := s.parseInt(n); ok {
				v.SetInt(i)
			} else {
				v.SetStr(s.raw(n.start, n.end)) // beyond int64: a double would lose digits
			}
			return nil
		}
		if f, ok := s.parseFloat(n); ok {
			v.SetDouble(f)
			return nil
		}
		v.SetStr(s.raw(n.start, n.end)) // beyond float64: keep the exact text
	}
	return nil
}

// buildResource writes the upload's meta as resource attributes, and
// address as client.address unless it is empty (with room for the
// geolocation ipgeo adds beside it).
func (d *decoder) buildResource(st *decodeState, attrs pcommon.Map, address string) {
	m := &st.meta
	room := 8 + len(m.extra)
	if address != "" {
		room += 1 + geoRoom
	}
	attrs.EnsureCapacity(room)
	if address != "" {
		attrs.PutStr(attrClientAddress, address)
	}
	attrs.PutStr(resServiceName, m.appID)
	attrs.PutStr(resAppID, m.appID)
	attrs.PutStr(resCategory, m.category)
	for _, f := range [...]struct{ key, value string }{
		{resPlatform, m.platform}, {resAppVersion, m.appVersion},
		{resSDKVersion, m.sdkVersion}, {resDeviceID, m.deviceID},
	} {
		if f.value != "" {
			attrs.PutStr(f.key, f.value)
		}
	}
	for _, f := range m.extra {
		key := resMetaPrefix + f.key
		switch f.kind {
		case 's', 'j':
			attrs.PutStr(key, f.str)
		case 'i':
			attrs.PutInt(key, f.inum)
		case 'd':
			attrs.PutDouble(key, f.num)
		case 'b':
			attrs.PutBool(key, f.truth)
		}
	}
}
