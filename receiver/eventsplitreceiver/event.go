package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"fmt"
	"net/netip"
	"time"
	"unsafe"
)

// eventView is where one event's fields are in the body, and whether the
// event is valid. Pass 1 fills it while validating; pass 2 builds a log
// record from a valid one. It holds positions, not copies.
type eventView struct {
	id, name    span
	hasID       bool
	hasName     bool
	hasTS       bool
	hasIP       bool
	hasAttrs    bool
	hasPayload  bool
	timestampMs int64
	ip          netip.Addr
	attrsStart  int // position of the attributes object's '{'
	attrCount   int
	payload     [2]int // start and end of the payload value
	size        int    // bytes of the event in the body

	reason    reason
	detail    string
	idText    string // decoded id, for the answer and the record
	backendID string // set when the record is built
}

func (v *eventView) reject(r reason, detail string) {
	if v.reason == reasonNone {
		v.reason, v.detail = r, detail
	}
}

// Bits of eventView fields seen, to catch duplicate fields.
const (
	fieldID = 1 << iota
	fieldName
	fieldTimestamp
	fieldIP
	fieldAttributes
	fieldPayload
)

// eventField names a known event field by its bit; 0 for unknown keys.
func eventField(s *scanner, key span) int {
	switch {
	case s.equals(key, "id"):
		return fieldID
	case s.equals(key, "name"):
		return fieldName
	case s.equals(key, "timestamp"):
		return fieldTimestamp
	case s.equals(key, "ip"):
		return fieldIP
	case s.equals(key, "attributes"):
		return fieldAttributes
	case s.equals(key, "payload"):
		return fieldPayload
	}
	return 0
}

// parseEvent reads one event. Only a JSON syntax error is returned; what is
// wrong with the event itself goes into v.reason.
func (d *decoder) parseEvent(st *decodeState, v *eventView) error {
	s := &st.s
	if s.peek() != '{' {
		v.reject(reasonInvalidEvent, "an event must be a JSON object")
		_, err := s.skipValue()
		return err
	}
	seen := 0
	return s.eachMember(func(key span) error {
		field := eventField(s, key)
		if field != 0 && seen&field != 0 {
			v.reject(reasonDuplicateField, fmt.Sprintf("field %q appears twice", string(appendUnescaped(nil, s.buf[key.start:key.end]))))
		}
		seen |= field
		var err error
		switch field {
		case fieldID:
			v.id, v.hasID, err = parseStringField(s, v, reasonInvalidID, "id must be a string")
		case fieldName:
			v.name, v.hasName, err = parseStringField(s, v, reasonInvalidName, "name must be a string")
		case fieldTimestamp:
			err = d.parseTimestampField(s, v)
		case fieldIP:
			err = d.parseIPField(st, v)
		case fieldAttributes:
			err = d.parseAttributesField(st, v)
		case fieldPayload:
			err = d.parsePayloadField(s, v)
		default:
			v.reject(reasonUnknownField, fmt.Sprintf("unknown field %q: put custom data into attributes or payload", string(appendUnescaped(nil, s.buf[key.start:key.end]))))
			_, err = s.skipValue()
		}
		return err
	})
}

// parseStringField reads a field that must be a JSON string (id, name). A
// value of another type rejects the event (why) and is skipped, so the
// rest of the upload still parses.
func parseStringField(s *scanner, v *eventView, why reason, msg string) (span, bool, error) {
	if s.peek() != '"' {
		v.reject(why, msg)
		_, err := s.skipValue()
		return span{}, false, err
	}
	sp, err := s.readString()
	return sp, err == nil, err
}

func (d *decoder) parseTimestampField(s *scanner, v *eventView) error {
	c := s.peek()
	if c != '-' && (c < '0' || c > '9') {
		v.reject(reasonInvalidTimestamp, "timestamp must be an integer number of Unix milliseconds")
		_, err := s.skipValue()
		return err
	}
	n, err := s.readNumber()
	if err != nil {
		return err
	}
	v.hasTS = true
	if !n.integer {
		v.reject(reasonInvalidTimestamp, "timestamp must be an integer number of Unix milliseconds")
		return nil
	}
	ms, ok := s.parseInt(n)
	if !ok || ms <= 0 || ms > maxTimestampMs {
		v.reject(reasonInvalidTimestamp, "timestamp is out of range for Unix milliseconds")
		return nil
	}
	v.timestampMs = ms
	return nil
}

// maxTimestampMs keeps ms*1e6 inside an int64 of nanoseconds (year 2262).
const maxTimestampMs = (1<<63 - 1) / int64(time.Millisecond)

func (d *decoder) parseIPField(st *decodeState, v *eventView) error {
	s := &st.s
	switch s.peek() {
	case 'n':
		lit, err := s.readLiteral()
		if err == nil && lit != litNull {
			v.reject(reasonInvalidIP, "ip must be an IPv4 or IPv6 address string")
		}
		return err
	case '"':
	default:
		v.reject(reasonInvalidIP, "ip must be an IPv4 or IPv6 address string")
		_, err := s.skipValue()
		return err
	}
	sp, err := s.readString()
	if err != nil {
		return err
	}
	text := st.decoded(sp)
	addr, perr := netip.ParseAddr(unsafe.String(unsafe.SliceData(text), len(text))) //nolint:gosec // G103: ParseAddr keeps no reference to it
	if perr != nil || addr.Zone() != "" {
		v.reject(reasonInvalidIP, "ip is not a valid IPv4 or IPv6 address")
		return nil
	}
	v.ip, v.hasIP = addr.Unmap(), true
	return nil
}

func (d *decoder) parsePayloadField(s *scanner, v *eventView) error {
	if s.peek() == 'n' {
		_, err := s.readLiteral() // only null starts with 'n': a null payload is no payload
		return err
	}
	start := s.pos
	nest, err := s.skipValue()
	if err != nil {
		return err
	}
	v.hasPayload, v.payload = true, [2]int{start, s.pos}
	if s.pos-start > d.limits.MaxPayloadBytes {
		v.reject(reasonPayloadTooLarge, fmt.Sprintf("payload larger than %d bytes", d.limits.MaxPayloadBytes))
	}
	if eventDepth+nest > d.limits.MaxDepth {
		v.reject(reasonTooDeep, fmt.Sprintf("payload nests deeper than max_depth %d allows", d.limits.MaxDepth))
	}
	return nil
}

// finishEvent applies the checks that need the whole event, and claims the
// id of a valid event.
func (d *decoder) finishEvent(st *decodeState, v *eventView, now time.Time) {
	if v.hasID {
		checkIdentifier(v, reasonInvalidID, "id", st.decoded(v.id), d.limits.MaxIDLength)
		v.idText = st.stringOf(v.id)
	}
	if v.hasName {
		checkIdentifier(v, reasonInvalidName, "name", st.decoded(v.name), d.limits.MaxNameLength)
	}
	switch {
	case !v.hasID:
		v.reject(reasonMissingID, "id is required")
	case !v.hasName:
		v.reject(reasonMissingName, "name is required")
	case !v.hasTS:
		v.reject(reasonMissingTimestamp, "timestamp is required")
	}
	if v.reason != reasonNone {
		return
	}
	ts := time.UnixMilli(v.timestampMs)
	if ahead := ts.Sub(now); ahead > d.maxFutureSkew {
		v.reject(reasonTimestampInFuture, fmt.Sprintf("timestamp is %s ahead of the receiver's clock; max_future_skew is %s", ahead.Round(time.Second), d.maxFutureSkew))
		return
	}
	if age := now.Sub(ts); age > d.maxAge {
		v.reject(reasonTimestampTooOld, fmt.Sprintf("timestamp is %s old; max_age is %s", age.Round(time.Second), d.maxAge))
		return
	}
	if _, dup := st.seenIDs[v.idText]; dup {
		v.reject(reasonDuplicateID, "another event of this request has the same id")
		return
	}
	st.seenIDs[v.idText] = struct{}{}
	st.valid++
}

// checkIdentifier rejects an empty, too long or unprintable id or name.
// Control characters (a JSON escape such as \u0000 decodes to one) would
// end up inside a stored key that tools print, compare and index.
func checkIdentifier(v *eventView, why reason, what string, text []byte, limit int) {
	switch {
	case len(text) == 0:
		v.reject(why, what+" must not be empty")
	case len(text) > limit:
		v.reject(why, fmt.Sprintf("%s longer than %d bytes", what, limit))
	case hasControl(text):
		v.reject(why, what+" must not contain control characters")
	}
}

// hasControl reports whether b holds an ASCII control character (C0 or DEL).
func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}
