package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import "fmt"

// Attribute keys the receiver writes on every record (event.name only with
// event_name_attribute). Events may not send attributes under these names.
const (
	attrEventID        = "event.id"
	attrEventName      = "event.name"
	attrEventBackendID = "event.backend_id"
	attrClientAddress  = "client.address"
	attrRequestID      = "request.id"
)

// parseAttributesField validates an event's attributes object in pass 1 and
// remembers where it is; pass 2 copies it (putAttributes).
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
	st.attrKeys = st.attrKeys[:0]
	return s.eachMember(func(key span) error {
		v.attrCount++
		if v.attrCount > d.limits.MaxAttributes {
			v.reject(reasonTooManyAttributes, fmt.Sprintf("more than %d attributes", d.limits.MaxAttributes))
		} else if v.reason == reasonNone {
			d.checkAttributeKey(st, v, key)
		}
		return d.checkAttributeValue(s, v)
	})
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
	case hasControl(k):
		v.reject(reasonInvalidAttribute, "attribute keys must not contain control characters")
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
		if n.integer {
			// A whole number is stored as a 64-bit integer; one beyond it
			// would silently lose digits as a double.
			if _, ok := s.parseInt(n); !ok {
				v.reject(reasonInvalidAttribute, "attribute integer does not fit a signed 64-bit integer; send it as a string")
			}
		} else if _, ok := s.parseFloat(n); !ok {
			v.reject(reasonInvalidAttribute, "attribute number out of range")
		}
	}
	return nil
}
