package tracecontext

import (
	"errors"
	"net/url"
	"strings"
)

// Limits of W3C Baggage (§3.3.1): the grammar allows 1 + 179 list members,
// and a baggage string of at most 8192 bytes.
const (
	maxBaggageMembers = 180
	maxBaggageBytes   = 8192
)

var (
	ErrTooLong  = errors.New("longer than 8192 bytes")
	ErrProperty = errors.New("invalid property")
	ErrEncoding = errors.New("invalid percent-encoding")
	ErrEmpty    = errors.New("empty list member")
)

// BaggageMember is one list member. Value is kept percent-encoded as it
// travels; Decoded gives the text.
type BaggageMember struct {
	Key   string
	Value string
	// Properties is the raw ";"-separated property list after the value,
	// without the leading ";" (empty when there is none).
	Properties string
}

// Decoded is the member's value with percent-encoding removed.
func (m BaggageMember) Decoded() string {
	v, err := url.PathUnescape(m.Value)
	if err != nil {
		return m.Value // cannot happen for a parsed member: ParseBaggage checks the encoding
	}
	return v
}

// Baggage is a parsed, valid baggage list.
type Baggage struct {
	members []BaggageMember
}

// ParseBaggage parses the baggage header values of one request (several
// headers are one comma-separated list). Anything outside the grammar, an
// invalid percent-encoding, more than 180 members or more than 8192 bytes is
// an error, and the caller discards the whole header.
func ParseBaggage(values []string) (Baggage, error) {
	const header = "baggage"
	var b Baggage
	total := 0
	for i, v := range values {
		total += len(v)
		if i > 0 {
			total++ // the comma that joins them
		}
	}
	if total > maxBaggageBytes {
		return b, invalid(header, ErrTooLong)
	}
	for _, v := range values {
		for raw := range strings.SplitSeq(v, ",") {
			m, err := parseBaggageMember(raw)
			if err != nil {
				return Baggage{}, invalid(header, err)
			}
			if len(b.members) == maxBaggageMembers {
				return Baggage{}, invalid(header, ErrTooManyMembers)
			}
			b.set(m)
		}
	}
	return b, nil
}

func parseBaggageMember(raw string) (BaggageMember, error) {
	raw = trimOWS(raw)
	if raw == "" {
		return BaggageMember{}, ErrEmpty
	}
	kv, props, _ := strings.Cut(raw, ";")
	key, value, ok := strings.Cut(kv, "=")
	if !ok {
		return BaggageMember{}, ErrMemberFormat
	}
	key, value = trimOWS(key), trimOWS(value)
	if !isToken(key) {
		return BaggageMember{}, ErrKey
	}
	if !validBaggageValue(value) {
		return BaggageMember{}, ErrValue
	}
	if _, err := url.PathUnescape(value); err != nil {
		return BaggageMember{}, ErrEncoding
	}
	m := BaggageMember{Key: key, Value: value}
	if props != "" {
		var canonical []string
		for p := range strings.SplitSeq(props, ";") {
			p = trimOWS(p)
			pk, pv, hasValue := strings.Cut(p, "=")
			pk, pv = trimOWS(pk), trimOWS(pv)
			if !isToken(pk) || (hasValue && !validBaggageValue(pv)) {
				return BaggageMember{}, ErrProperty
			}
			if hasValue {
				canonical = append(canonical, pk+"="+pv)
			} else {
				canonical = append(canonical, pk)
			}
		}
		m.Properties = strings.Join(canonical, ";")
	}
	return m, nil
}

// Get returns the decoded value of key.
func (b Baggage) Get(key string) (string, bool) {
	for _, m := range b.members {
		if m.Key == key {
			return m.Decoded(), true
		}
	}
	return "", false
}

// Members returns the list members in order.
func (b Baggage) Members() []BaggageMember { return b.members }

// Len is the number of members.
func (b Baggage) Len() int { return len(b.members) }

// With returns a copy of b where key carries value (percent-encoded as
// needed), replacing an existing member of that key; key must be a token.
func (b Baggage) With(key, value string) Baggage {
	out := Baggage{members: make([]BaggageMember, 0, len(b.members)+1)}
	out.members = append(out.members, b.members...)
	out.set(BaggageMember{Key: key, Value: EncodeBaggageValue(value)})
	return out
}

// set replaces the member of the same key (the last one wins, as for a map)
// or appends.
func (b *Baggage) set(m BaggageMember) {
	for i := range b.members {
		if b.members[i].Key == m.Key {
			b.members[i] = m
			return
		}
	}
	b.members = append(b.members, m)
}

// String is the header value.
func (b Baggage) String() string {
	var s strings.Builder
	for i, m := range b.members {
		if i > 0 {
			s.WriteByte(',')
		}
		s.WriteString(m.Key)
		s.WriteByte('=')
		s.WriteString(m.Value)
		if m.Properties != "" {
			s.WriteByte(';')
			s.WriteString(m.Properties)
		}
	}
	return s.String()
}

// EncodeBaggageValue percent-encodes every byte that is not a baggage-octet,
// and '%' itself, so any UTF-8 text round-trips through Decoded.
func EncodeBaggageValue(v string) string {
	const hexDigits = "0123456789ABCDEF"
	clean := true
	for i := 0; i < len(v); i++ {
		if !isBaggageOctet(v[i]) || v[i] == '%' {
			clean = false
			break
		}
	}
	if clean {
		return v
	}
	var b strings.Builder
	b.Grow(len(v) + 8)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if isBaggageOctet(c) && c != '%' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0x0f])
	}
	return b.String()
}

func validBaggageValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if !isBaggageOctet(v[i]) {
			return false
		}
	}
	return true
}

// isBaggageOctet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E.
func isBaggageOctet(c byte) bool {
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
		(c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e)
}

// isToken: RFC 7230 token, 1*tchar.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isLCAlpha(c), 'A' <= c && c <= 'Z', isDigit(c):
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func trimOWS(s string) string { return strings.Trim(s, " \t") }
