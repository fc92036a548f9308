package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

// Meta depth: the request object and the meta object.
const metaDepth = 2

// parseMeta reads and validates the envelope's meta object. Any problem
// fails the whole request: every event shares the meta.
func (d *decoder) parseMeta(st *decodeState) *requestError {
	s := &st.s
	if s.peek() != '{' {
		return envelopeErr(errInvalidMeta, "meta must be an object")
	}
	s.pos++
	m := &st.meta
	var seen [6]bool
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
			k := st.stringOf(key)
			field, known := knownMetaField(k)
			if known {
				if seen[field] {
					return envelopeErr(errInvalidMeta, "meta.%s appears twice", k)
				}
				seen[field] = true
				if rerr := d.parseKnownMeta(st, m, field, k); rerr != nil {
					return rerr
				}
			} else if rerr := d.parseExtraMeta(st, m, k); rerr != nil {
				return rerr
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
	if m.appID == "" {
		return envelopeErr(errInvalidMeta, "meta.app_id is required")
	}
	if m.category == "" {
		return envelopeErr(errInvalidMeta, "meta.category is required")
	}
	return nil
}

const (
	metaAppID = iota
	metaCategory
	metaPlatform
	metaAppVersion
	metaSDKVersion
	metaDeviceID
)

func knownMetaField(key string) (int, bool) {
	switch key {
	case "app_id":
		return metaAppID, true
	case "category":
		return metaCategory, true
	case "platform":
		return metaPlatform, true
	case "app_version":
		return metaAppVersion, true
	case "sdk_version":
		return metaSDKVersion, true
	case "device_id":
		return metaDeviceID, true
	}
	return 0, false
}

func (d *decoder) parseKnownMeta(st *decodeState, m *envelopeMeta, field int, key string) *requestError {
	s := &st.s
	required := field == metaAppID || field == metaCategory
	if !required && s.peek() == 'n' {
		if _, err := s.readLiteral(); err != nil {
			return envelopeErr(errMalformedJSON, "%v", err)
		}
		return nil // null: not given
	}
	if s.peek() != '"' {
		return envelopeErr(errInvalidMeta, "meta.%s must be a string", key)
	}
	sp, err := s.readString()
	if err != nil {
		return envelopeErr(errMalformedJSON, "%v", err)
	}
	v := st.stringOf(sp)
	limit := d.limits.MaxValueLength
	if field == metaAppID || field == metaDeviceID {
		limit = d.limits.MaxIDLength
	}
	if len(v) > limit {
		return envelopeErr(errInvalidMeta, "meta.%s is longer than %d bytes", key, limit)
	}
	switch field {
	case metaAppID:
		if v == "" {
			return envelopeErr(errInvalidMeta, "meta.app_id must not be empty")
		}
		m.appID = v
	case metaCategory:
		if !validCategory(v) {
			return envelopeErr(errInvalidMeta, "meta.category %q must match ^[A-Za-z0-9_.-]{1,64}$ (it becomes part of Kafka topic names)", v)
		}
		m.category = v
	case metaPlatform:
		m.platform = v
	case metaAppVersion:
		m.appVersion = v
	case metaSDKVersion:
		m.sdkVersion = v
	case metaDeviceID:
		m.deviceID = v
	}
	return nil
}

// validCategory: ^[A-Za-z0-9_.-]{1,64}$.
func validCategory(c string) bool {
	if len(c) == 0 || len(c) > 64 {
		return false
	}
	for i := 0; i < len(c); i++ {
		b := c[i]
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_' || b == '.' || b == '-') {
			return false
		}
	}
	return true
}

// parseExtraMeta keeps a meta key the receiver does not know as resource
// attribute "meta.<key>": strings, numbers and booleans as they are, objects
// and arrays as their JSON text; null is dropped.
func (d *decoder) parseExtraMeta(st *decodeState, m *envelopeMeta, key string) *requestError {
	s := &st.s
	if key == "" {
		return envelopeErr(errInvalidMeta, "meta keys must not be empty")
	}
	if len(key) > d.limits.MaxKeyLength {
		return envelopeErr(errInvalidMeta, "meta key longer than %d bytes", d.limits.MaxKeyLength)
	}
	for _, f := range m.extra {
		if f.key == key {
			return envelopeErr(errInvalidMeta, "meta.%s appears twice", key)
		}
	}
	if len(m.extra) == d.limits.MaxMetaKeys {
		return envelopeErr(errInvalidMeta, "more than %d extra meta keys", d.limits.MaxMetaKeys)
	}
	f := metaField{key: key}
	switch c := s.peek(); {
	case c == '"':
		sp, err := s.readString()
		if err != nil {
			return envelopeErr(errMalformedJSON, "%v", err)
		}
		f.kind, f.str = 's', st.stringOf(sp)
	case c == 't' || c == 'f' || c == 'n':
		lit, err := s.readLiteral()
		if err != nil {
			return envelopeErr(errMalformedJSON, "%v", err)
		}
		if lit == litNull {
			return nil
		}
		f.kind, f.truth = 'b', lit == litTrue
	case c == '{' || c == '[':
		start := s.pos
		nest, err := s.skipValue()
		if err != nil {
			return envelopeErr(errMalformedJSON, "%v", err)
		}
		if metaDepth+nest > d.limits.MaxDepth {
			return envelopeErr(errInvalidMeta, "meta.%s nests deeper than max_depth %d allows", key, d.limits.MaxDepth)
		}
		f.kind, f.str = 'j', s.raw(start, s.pos)
	default:
		n, err := s.readNumber()
		if err != nil {
			return envelopeErr(errMalformedJSON, "%v", err)
		}
		if i, ok := s.parseInt(n); ok && n.integer {
			f.kind, f.inum = 'i', i
		} else if fl, ok := s.parseFloat(n); ok {
			f.kind, f.num = 'd', fl
		} else {
			return envelopeErr(errInvalidMeta, "meta.%s is a number out of range", key)
		}
	}
	if (f.kind == 's' || f.kind == 'j') && len(f.str) > d.limits.MaxValueLength {
		return envelopeErr(errInvalidMeta, "meta.%s is longer than %d bytes", key, d.limits.MaxValueLength)
	}
	m.extra = append(m.extra, f)
	return nil
}
