package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/netip"
	"time"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Attribute keys the receiver writes on every record. Events may not send
// attributes under these names.
const (
	attrEventID        = "event.id"
	attrEventName      = "event.name"
	attrEventBackendID = "event.backend_id"
	attrClientAddress  = "client.address"
	attrRequestID      = "request.id"
)

// Resource attribute keys from the envelope's meta.
const (
	resServiceName = "service.name"
	resAppID       = "app.id"
	resCategory    = "event.category"
	resPlatform    = "app.platform"
	resAppVersion  = "app.version"
	resSDKVersion  = "app.sdk.version"
	resDeviceID    = "device.id"
	resMetaPrefix  = "meta."
)

// Envelope depth: the request object, the data array and the event object.
const eventDepth = 3

// requestError is a failure of the whole request, answered without parts.
type requestError struct {
	status int
	code   string
	detail string
}

func (e *requestError) Error() string { return e.code + ": " + e.detail }

func envelopeErr(code, format string, args ...any) *requestError {
	return &requestError{status: http.StatusBadRequest, code: code, detail: fmt.Sprintf(format, args...)}
}

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

// envelopeMeta is the validated meta object.
type envelopeMeta struct {
	appID, category, platform, appVersion, sdkVersion, deviceID string
	extra                                                       []metaField
}

type metaField struct {
	key   string
	kind  byte // 's' string, 'i' int, 'd' double, 'b' bool, 'j' JSON text of an object or array
	str   string
	num   float64
	inum  int64
	truth bool
}

// decoder turns upload bodies into log records under the configured limits.
type decoder struct {
	limits         LimitsConfig
	maxFutureSkew  time.Duration
	maxAge         time.Duration
	structuredBody bool
	ids            *backendIDs
	scopeName      string
	scopeVersion   string
}

// decodeState is the per-request working memory; requests reuse it through
// a pool. Everything a record keeps lives in the body or the arena, never
// here.
type decodeState struct {
	s        scanner
	views    []eventView
	seenIDs  map[string]struct{}
	attrKeys []span
	scratch  []byte
	random   []byte
	arena    arena
	meta     envelopeMeta
	valid    int
}

func newDecodeState() *decodeState {
	return &decodeState{seenIDs: make(map[string]struct{}, 128), arena: arena{chunk: 4096}}
}

// randomBytes returns a reused buffer of n bytes; the random bits are
// copied into the ids, so the buffer does not outlive the request.
func (st *decodeState) randomBytes(n int) []byte {
	if cap(st.random) < n {
		st.random = make([]byte, n)
	}
	return st.random[:n]
}

// reset drops references to the last request so its memory can be freed.
func (st *decodeState) reset() {
	clear(st.views)
	st.views = st.views[:0]
	clear(st.seenIDs)
	st.attrKeys = st.attrKeys[:0]
	st.arena = arena{chunk: 4096}
	st.meta = envelopeMeta{extra: st.meta.extra[:0]}
	clear(st.meta.extra[:cap(st.meta.extra)])
	st.s = scanner{}
	st.valid = 0
}

// parse is pass 1: it validates the body and every event, recording where
// each event's fields are. A *requestError fails the whole request; events
// only get a reason.
func (d *decoder) parse(st *decodeState, body []byte, now time.Time) *requestError {
	st.s = scanner{buf: body}
	s := &st.s
	switch s.peek() {
	case '{':
	case 0:
		return envelopeErr(errMalformedJSON, "the body is empty")
	default:
		if _, err := s.skipValue(); err != nil {
			return envelopeErr(errMalformedJSON, "%v", err)
		}
		return envelopeErr(errInvalidEnvelope, `the body must be a JSON object {"meta": {...}, "data": [...]}`)
	}
	s.pos++
	seenMeta, seenData := false, false
	if s.peek() == '}' {
		s.pos++
	} else {
		for {
			key, err := s.readString()
			if err != nil {
				return envelopeErr(errMalformedJSON, "%v", err)
			}
			if err := s.expect(':'); err != nil {
				return envelopeErr(errMalformedJSON, "%v", err)
			}
			switch {
			case s.equals(key, "meta"):
				if seenMeta {
					return envelopeErr(errInvalidEnvelope, "meta appears twice")
				}
				seenMeta = true
				if rerr := d.parseMeta(st); rerr != nil {
					return rerr
				}
			case s.equals(key, "data"):
				if seenData {
					return envelopeErr(errInvalidEnvelope, "data appears twice")
				}
				seenData = true
				if rerr := d.parseData(st, now); rerr != nil {
					return rerr
				}
			default:
				return envelopeErr(errInvalidEnvelope, "unknown field %q: the body has only meta and data", string(appendUnescaped(nil, body[key.start:key.end])))
			}
			if s.peek() == ',' {
				s.pos++
				continue
			}
			if err := s.expect('}'); err != nil {
				return envelopeErr(errMalformedJSON, "%v", err)
			}
			break
		}
	}
	if s.skipWS(); s.pos != len(body) {
		return envelopeErr(errMalformedJSON, "%v", s.errorf("data after the end of the JSON object"))
	}
	if !seenMeta {
		return envelopeErr(errInvalidMeta, "meta is required")
	}
	if !seenData {
		return envelopeErr(errInvalidEnvelope, "data is required")
	}
	if len(st.views) == 0 {
		return envelopeErr(errEmptyData, "data holds no events")
	}
	return nil
}

func (d *decoder) parseData(st *decodeState, now time.Time) *requestError {
	s := &st.s
	if s.peek() != '[' {
		return envelopeErr(errInvalidEnvelope, "data must be an array of events")
	}
	s.pos++
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for {
		if len(st.views) == d.limits.MaxEvents {
			return &requestError{
				status: http.StatusRequestEntityTooLarge, code: errTooManyEvents,
				detail: fmt.Sprintf("more than %d events in one request; split the upload", d.limits.MaxEvents),
			}
		}
		st.views = append(st.views, eventView{})
		v := &st.views[len(st.views)-1]
		if err := d.parseEvent(st, v); err != nil {
			return envelopeErr(errMalformedJSON, "%v", err)
		}
		d.finishEvent(st, v, now)
		if s.peek() == ',' {
			s.pos++
			continue
		}
		if err := s.expect(']'); err != nil {
			return envelopeErr(errMalformedJSON, "%v", err)
		}
		return nil
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

// parseEvent reads one event. Only a JSON syntax error is returned; what is
// wrong with the event itself goes into v.reason.
func (d *decoder) parseEvent(st *decodeState, v *eventView) error {
	s := &st.s
	if s.peek() != '{' {
		v.reject(reasonInvalidEvent, "an event must be a JSON object")
		_, err := s.skipValue()
		return err
	}
	s.pos++
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	seen := 0
	for {
		key, err := s.readString()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		field := 0
		switch {
		case s.equals(key, "id"):
			field = fieldID
		case s.equals(key, "name"):
			field = fieldName
		case s.equals(key, "timestamp"):
			field = fieldTimestamp
		case s.equals(key, "ip"):
			field = fieldIP
		case s.equals(key, "attributes"):
			field = fieldAttributes
		case s.equals(key, "payload"):
			field = fieldPayload
		}
		if field != 0 && seen&field != 0 {
			v.reject(reasonDuplicateField, fmt.Sprintf("field %q appears twice", string(appendUnescaped(nil, s.buf[key.start:key.end]))))
		}
		seen |= field
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
		if err != nil {
			return err
		}
		if s.peek() == ',' {
			s.pos++
			continue
		}
		return s.expect('}')
	}
}

// decoded returns a string span's decoded bytes, valid until the next use
// of the scratch buffer.
func (st *decodeState) decoded(sp span) []byte {
	st.scratch = st.scratch[:0]
	return st.appendDecoded(sp)
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
	addr, perr := netip.ParseAddr(unsafe.String(unsafe.SliceData(text), len(text))) // ParseAddr keeps no reference to it
	if perr != nil || addr.Zone() != "" {
		v.reject(reasonInvalidIP, "ip is not a valid IPv4 or IPv6 address")
		return nil
	}
	v.ip, v.hasIP = addr.Unmap(), true
	return nil
}

func (d *decoder) parseAttributesField(st *decodeState, v *eventView) error {
	s := &st.s
	switch s.peek() {
	case '{':
	case 'n':
		lit, err := s.readLiteral()
		if err == nil && lit != litNull {
			v.reject(reasonInvalidAttributes, "attributes must be an object")
		}
		return err
	default:
		v.reject(reasonInvalidAttributes, "attributes must be an object of string, number or boolean values")
		_, err := s.skipValue()
		return err
	}
	v.hasAttrs, v.attrsStart = true, s.pos
	s.pos++
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	st.attrKeys = st.attrKeys[:0]
	for {
		key, err := s.readString()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		v.attrCount++
		if v.attrCount > d.limits.MaxAttributes {
			v.reject(reasonTooManyAttributes, fmt.Sprintf("more than %d attributes", d.limits.MaxAttributes))
		} else if v.reason == reasonNone {
			d.checkAttributeKey(st, v, key)
		}
		if err := d.checkAttributeValue(s, v); err != nil {
			return err
		}
		if s.peek() == ',' {
			s.pos++
			continue
		}
		return s.expect('}')
	}
}

func (d *decoder) checkAttributeKey(st *decodeState, v *eventView, key span) {
	st.scratch = st.scratch[:0]
	k := st.appendDecoded(key)
	switch {
	case len(k) == 0:
		v.reject(reasonInvalidAttribute, "attribute keys must not be empty")
		return
	case len(k) > d.limits.MaxKeyLength:
		v.reject(reasonInvalidAttribute, fmt.Sprintf("attribute key longer than %d bytes", d.limits.MaxKeyLength))
		return
	}
	switch string(k) {
	case attrEventID, attrEventName, attrEventBackendID, attrClientAddress, attrRequestID:
		v.reject(reasonInvalidAttribute, fmt.Sprintf("attribute key %q is reserved for the receiver", string(k)))
		return
	}
	for _, prev := range st.attrKeys {
		mark := len(st.scratch)
		same := string(st.appendDecoded(prev)) == string(k)
		st.scratch = st.scratch[:mark]
		if same {
			v.reject(reasonInvalidAttribute, fmt.Sprintf("attribute %q appears twice", string(k)))
			return
		}
	}
	st.attrKeys = append(st.attrKeys, key)
}

// appendDecoded returns a string span's decoded bytes: the body itself when
// there are no escapes, else decoded onto the end of the scratch buffer.
func (st *decodeState) appendDecoded(sp span) []byte {
	if !sp.escaped {
		return st.s.buf[sp.start:sp.end]
	}
	mark := len(st.scratch)
	st.scratch = appendUnescaped(st.scratch, st.s.buf[sp.start:sp.end])
	return st.scratch[mark:]
}

func (d *decoder) checkAttributeValue(s *scanner, v *eventView) error {
	switch c := s.peek(); {
	case c == '"':
		sp, err := s.readString()
		if err != nil {
			return err
		}
		if sp.end-sp.start > d.limits.MaxValueLength && len(appendUnescaped(nil, s.buf[sp.start:sp.end])) > d.limits.MaxValueLength {
			v.reject(reasonInvalidAttribute, fmt.Sprintf("attribute value longer than %d bytes", d.limits.MaxValueLength))
		}
	case c == 't' || c == 'f':
		_, err := s.readLiteral()
		return err
	case c == 'n':
		if _, err := s.readLiteral(); err != nil {
			return err
		}
		v.reject(reasonInvalidAttribute, "attribute values must be strings, numbers or booleans, not null")
	case c == '{' || c == '[':
		v.reject(reasonInvalidAttribute, "attribute values must be strings, numbers or booleans; put structured data into payload")
		_, err := s.skipValue()
		return err
	default:
		n, err := s.readNumber()
		if err != nil {
			return err
		}
		if !n.integer {
			if _, ok := s.parseFloat(n); !ok {
				v.reject(reasonInvalidAttribute, "attribute number out of range")
			}
		}
	}
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
		id := st.decoded(v.id)
		switch {
		case len(id) == 0:
			v.reject(reasonInvalidID, "id must not be empty")
		case len(id) > d.limits.MaxIDLength:
			v.reject(reasonInvalidID, fmt.Sprintf("id longer than %d bytes", d.limits.MaxIDLength))
		}
		v.idText = st.stringOf(v.id)
	}
	if v.hasName {
		name := st.decoded(v.name)
		switch {
		case len(name) == 0:
			v.reject(reasonInvalidName, "name must not be empty")
		case len(name) > d.limits.MaxNameLength:
			v.reject(reasonInvalidName, fmt.Sprintf("name longer than %d bytes", d.limits.MaxNameLength))
		}
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

// stringOf returns a string span's decoded text: a view of the body when it
// has no escapes, else a copy in the arena.
func (st *decodeState) stringOf(sp span) string {
	if !sp.escaped {
		return st.s.text(sp)
	}
	dst := st.arena.reserve(sp.end - sp.start)
	return st.arena.commit(appendUnescaped(dst, st.s.buf[sp.start:sp.end]))
}

// recordContext is what every record of one request shares.
type recordContext struct {
	received   pcommon.Timestamp
	traceID    pcommon.TraceID
	spanID     pcommon.SpanID
	flags      plog.LogRecordFlags
	clientAddr string
	requestID  string
}

// build is pass 2: one ResourceLogs for the request, one log record per
// valid event, made directly in pdata. Each valid view gets its backend id.
func (d *decoder) build(st *decodeState, rc *recordContext, logs plog.Logs) error {
	rl := logs.ResourceLogs().AppendEmpty()
	d.buildResource(st, rl.Resource().Attributes())
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(d.scopeName)
	sl.Scope().SetVersion(d.scopeVersion)
	if st.valid == 0 {
		return nil
	}
	records := sl.LogRecords()
	records.EnsureCapacity(st.valid)

	random := st.randomBytes(8 * st.valid)
	if _, err := rand.Read(random); err != nil {
		return fmt.Errorf("random bytes for backend ids: %w", err)
	}
	ms, seq := d.ids.reserve(st.valid)
	ids := idSequence{ms: ms, seq: seq}

	n := 0
	for i := range st.views {
		v := &st.views[i]
		if v.reason != reasonNone {
			continue
		}
		backendID := st.arena.commit(ids.next(st.arena.reserve(36), random[8*n:]))
		n++
		lr := records.AppendEmpty()
		lr.SetTimestamp(pcommon.Timestamp(v.timestampMs * int64(time.Millisecond)))
		lr.SetObservedTimestamp(rc.received)
		lr.SetTraceID(rc.traceID)
		lr.SetSpanID(rc.spanID)
		lr.SetFlags(rc.flags)
		name := st.stringOf(v.name)
		lr.SetEventName(name)

		attrs := lr.Attributes()
		attrs.EnsureCapacity(5 + v.attrCount)
		attrs.PutStr(attrEventID, v.idText)
		attrs.PutStr(attrEventName, name)
		attrs.PutStr(attrEventBackendID, backendID)
		switch {
		case v.hasIP:
			attrs.PutStr(attrClientAddress, st.arena.commit(v.ip.AppendTo(st.arena.reserve(64))))
		case rc.clientAddr != "":
			attrs.PutStr(attrClientAddress, rc.clientAddr)
		}
		if rc.requestID != "" {
			attrs.PutStr(attrRequestID, rc.requestID)
		}
		if v.hasAttrs && v.attrCount > 0 {
			d.putAttributes(st, v.attrsStart, attrs)
		}
		if v.hasPayload {
			if d.structuredBody {
				st.s.pos = v.payload[0]
				d.putValue(st, lr.Body())
			} else {
				lr.Body().SetStr(st.s.raw(v.payload[0], v.payload[1]))
			}
		}
		v.backendID = backendID
	}
	return nil
}

// putAttributes copies a validated attributes object into attrs.
func (d *decoder) putAttributes(st *decodeState, start int, attrs pcommon.Map) {
	s := &st.s
	s.pos = start + 1
	for {
		key, _ := s.readString()
		_ = s.expect(':')
		k := st.stringOf(key)
		switch c := s.peek(); {
		case c == '"':
			sp, _ := s.readString()
			attrs.PutStr(k, st.stringOf(sp))
		case c == 't' || c == 'f':
			lit, _ := s.readLiteral()
			attrs.PutBool(k, lit == litTrue)
		default:
			n, _ := s.readNumber()
			if n.integer {
				if i, ok := s.parseInt(n); ok {
					attrs.PutInt(k, i)
					break
				}
			}
			f, _ := s.parseFloat(n)
			attrs.PutDouble(k, f)
		}
		if s.peek() == ',' {
			s.pos++
			continue
		}
		return
	}
}

// putValue decodes the validated JSON value at the scanner into v. Depth is
// bounded by max_depth, checked in pass 1.
func (d *decoder) putValue(st *decodeState, v pcommon.Value) {
	s := &st.s
	switch c := s.peek(); {
	case c == '{':
		s.pos++
		m := v.SetEmptyMap()
		if s.peek() == '}' {
			s.pos++
			return
		}
		for {
			key, _ := s.readString()
			_ = s.expect(':')
			d.putValue(st, m.PutEmpty(st.stringOf(key)))
			if s.peek() == ',' {
				s.pos++
				continue
			}
			s.pos++ // '}'
			return
		}
	case c == '[':
		s.pos++
		sl := v.SetEmptySlice()
		if s.peek() == ']' {
			s.pos++
			return
		}
		for {
			d.putValue(st, sl.AppendEmpty())
			if s.peek() == ',' {
				s.pos++
				continue
			}
			s.pos++ // ']'
			return
		}
	case c == '"':
		sp, _ := s.readString()
		v.SetStr(st.stringOf(sp))
	case c == 't' || c == 'f' || c == 'n':
		lit, _ := s.readLiteral()
		if lit != litNull {
			v.SetBool(lit == litTrue)
		}
	default:
		n, _ := s.readNumber()
		if n.integer {
			if i, ok := s.parseInt(n); ok {
				v.SetInt(i)
				return
			}
		}
		if f, ok := s.parseFloat(n); ok {
			v.SetDouble(f)
			return
		}
		v.SetStr(s.raw(n.start, n.end)) // beyond float64: keep the exact text
	}
}

func (d *decoder) buildResource(st *decodeState, attrs pcommon.Map) {
	m := &st.meta
	attrs.EnsureCapacity(8 + len(m.extra))
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
