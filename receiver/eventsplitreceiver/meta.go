package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

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

// Meta depth: the request object and the meta object.
const metaDepth = 2

// envelopeMeta is the validated meta object.
type envelopeMeta struct {
	appID, category, platform, appVersion, sdkVersion, deviceID string
	extra                                                       []metaField
}

// resourceSize bounds what a resource made of the meta takes encoded: its
// framing, the fixed keys and (app_id twice) their values, and each extra
// key with its value (a number or bool in at most 16 bytes).
func (m *envelopeMeta) resourceSize() int {
	size := batchOverhead + 2*len(m.appID) + len(m.category) + len(m.platform) +
		len(m.appVersion) + len(m.sdkVersion) + len(m.deviceID)
	for _, f := range m.extra {
		size += 32 + len(resMetaPrefix) + len(f.key) + max(len(f.str), 16)
	}
	return size
}

type metaField struct {
	key   string
	kind  byte // 's' string, 'i' int, 'd' double, 'b' bool, 'j' JSON text of an object or array
	str   string
	num   float64
	inum  int64
	truth bool
}

// parseMeta reads and validates the envelope's meta object. Any problem
// fails the whole request: every event shares the meta.
func (d *decoder) parseMeta(st *decodeState) error {
	s := &st.s
	if s.peek() != '{' {
		return envelopeErr(errInvalidMeta, "meta must be an object")
	}
	m := &st.meta
	var seen [6]bool
	err := s.eachMember(func(key span) error {
		k := st.stringOf(key)
		field, known := knownMetaField(k)
		if !known {
			return d.parseExtraMeta(st, m, k)
		}
		if seen[field] {
			return envelopeErr(errInvalidMeta, "meta.%s appears twice", k)
		}
		seen[field] = true
		return d.parseKnownMeta(st, m, field, k)
	})
	switch {
	case err != nil:
		return err
	case m.appID == "":
		return envelopeErr(errInvalidMeta, "meta.app_id is required")
	case m.category == "":
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

func (d *decoder) parseKnownMeta(st *decodeState, m *envelopeMeta, field int, key string) error {
	s := &st.s
	required := field == metaAppID || field == metaCategory
	if !required && s.peek() == 'n' {
		_, err := s.readLiteral()
		return err // null: not given
	}
	if s.peek() != '"' {
		return envelopeErr(errInvalidMeta, "meta.%s must be a string", key)
	}
	sp, err := s.readString()
	if err != nil {
		return err
	}
	v := st.stringOf(sp)
	limit := d.limits.MaxValueLength
	if field == metaAppID || field == metaDeviceID {
		limit = d.limits.MaxIDLength
	}
	if len(v) > limit {
		return envelopeErr(errInvalidMeta, "meta.%s is longer than %d bytes", key, limit)
	}
	if (field == metaAppID || field == metaDeviceID) && hasControl([]byte(v)) {
		return envelopeErr(errInvalidMeta, "meta.%s must not contain control characters", key)
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
func (d *decoder) parseExtraMeta(st *decodeState, m *envelopeMeta, key string) error {
	if err := d.checkExtraMetaKey(m, key); err != nil {
		return err
	}
	f := metaField{key: key}
	keep, err := d.readExtraMetaValue(st, &f)
	if err != nil || !keep {
		return err
	}
	if (f.kind == 's' || f.kind == 'j') && len(f.str) > d.limits.MaxValueLength {
		return envelopeErr(errInvalidMeta, "meta.%s is longer than %d bytes", key, d.limits.MaxValueLength)
	}
	m.extra = append(m.extra, f)
	return nil
}

// checkExtraMetaKey refuses a key that would make a bad or repeated
// attribute name, or one key more than max_meta_keys.
func (d *decoder) checkExtraMetaKey(m *envelopeMeta, key string) error {
	if key == "" {
		return envelopeErr(errInvalidMeta, "meta keys must not be empty")
	}
	if len(key) > d.limits.MaxKeyLength {
		return envelopeErr(errInvalidMeta, "meta key longer than %d bytes", d.limits.MaxKeyLength)
	}
	if hasControl([]byte(key)) {
		return envelopeErr(errInvalidMeta, "meta keys must not contain control characters")
	}
	for _, f := range m.extra {
		if f.key == key {
			return envelopeErr(errInvalidMeta, "meta.%s appears twice", key)
		}
	}
	if len(m.extra) == d.limits.MaxMetaKeys {
		return envelopeErr(errInvalidMeta, "more than %d extra meta keys", d.limits.MaxMetaKeys)
	}
	return nil
}

// readExtraMetaValue reads f's value into f; keep is false for null.
func (d *decoder) readExtraMetaValue(st *decodeState, f *metaField) (keep bool, err error) {
	s := &st.s
	switch c := s.peek(); {
	case c == '"':
		sp, err := s.readString()
		if err != nil {
			return false, err
		}
		f.kind, f.str = 's', st.stringOf(sp)
	case c == 't' || c == 'f' || c == 'n':
		lit, err := s.readLiteral()
		if err != nil || lit == litNull {
			return false, err
		}
		f.kind, f.truth = 'b', lit == litTrue
	case c == '{' || c == '[':
		start := s.pos
		nest, err := s.skipValue()
		if err != nil {
			return false, err
		}
		if metaDepth+nest > d.limits.MaxDepth {
			return false, envelopeErr(errInvalidMeta, "meta.%s nests deeper than max_depth %d allows", f.key, d.limits.MaxDepth)
		}
		f.kind, f.str = 'j', s.raw(start, s.pos)
	default:
		return true, readExtraMetaNumber(s, f)
	}
	return true, nil
}

// readExtraMetaNumber reads an integer as int64 and any other number as a
// double; one that fits neither is refused, not rounded.
func readExtraMetaNumber(s *scanner, f *metaField) error {
	n, err := s.readNumber()
	if err != nil {
		return err
	}
	if n.integer {
		i, ok := s.parseInt(n)
		if !ok {
			return envelopeErr(errInvalidMeta, "meta.%s does not fit a signed 64-bit integer; send it as a string", f.key)
		}
		f.kind, f.inum = 'i', i
		return nil
	}
	fl, ok := s.parseFloat(n)
	if !ok {
		return envelopeErr(errInvalidMeta, "meta.%s is a number out of range", f.key)
	}
	f.kind, f.num = 'd', fl
	return nil
}
