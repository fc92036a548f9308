package tracecontext

import (
	"errors"
	"strings"
)

// Limits of the tracestate header (Trace Context §3.3).
const (
	maxTraceStateMembers = 32
	maxTraceStateValue   = 256
	maxSimpleKey         = 256
	maxTenantID          = 241
	maxSystemID          = 14
)

var (
	ErrTooManyMembers = errors.New("too many list members")
	ErrMemberFormat   = errors.New("list member is not key=value")
	ErrKey            = errors.New("invalid key")
	ErrValue          = errors.New("invalid value")
	ErrDuplicateKey   = errors.New("duplicate key")
)

// ParseTraceState validates the tracestate header values of one request
// (several headers are one comma-separated list) and returns the list in
// canonical form: members joined by "," without surrounding whitespace,
// empty members dropped. An invalid list is discarded as a whole, as the
// specification asks; the traceparent stays valid.
func ParseTraceState(values []string) (string, error) {
	const header = "tracestate"
	var b strings.Builder
	members := 0
	seen := make(map[string]struct{}, 4)
	for _, v := range values {
		for member := range strings.SplitSeq(v, ",") {
			member = strings.Trim(member, " \t")
			if member == "" {
				continue // empty members are allowed and dropped
			}
			members++
			if members > maxTraceStateMembers {
				return "", invalid(header, ErrTooManyMembers)
			}
			key, value, ok := strings.Cut(member, "=")
			if !ok {
				return "", invalid(header, ErrMemberFormat)
			}
			if !validTraceStateKey(key) {
				return "", invalid(header, ErrKey)
			}
			if !validTraceStateValue(value) {
				return "", invalid(header, ErrValue)
			}
			if _, dup := seen[key]; dup {
				return "", invalid(header, ErrDuplicateKey)
			}
			seen[key] = struct{}{}
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(member)
		}
	}
	return b.String(), nil
}

// validTraceStateKey: simple-key = lcalpha 0*255(lcalpha / DIGIT / "_" / "-"/ "*" / "/"),
// or multi-tenant-key = tenant-id "@" system-id with
// tenant-id = (lcalpha / DIGIT) 0*240(...) and system-id = lcalpha 0*13(...).
func validTraceStateKey(key string) bool {
	if tenant, system, multi := strings.Cut(key, "@"); multi {
		return len(tenant) >= 1 && len(tenant) <= maxTenantID && (isLCAlpha(tenant[0]) || isDigit(tenant[0])) &&
			keyChars(tenant[1:]) &&
			len(system) >= 1 && len(system) <= maxSystemID && isLCAlpha(system[0]) && keyChars(system[1:])
	}
	return len(key) >= 1 && len(key) <= maxSimpleKey && isLCAlpha(key[0]) && keyChars(key[1:])
}

func keyChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLCAlpha(c) && !isDigit(c) && c != '_' && c != '-' && c != '*' && c != '/' {
			return false
		}
	}
	return true
}

// validTraceStateValue: value = 0*255(chr) nblk-chr, chr = %x20 / nblk-chr,
// nblk-chr = %x21-2B / %x2D-3C / %x3E-7E.
func validTraceStateValue(v string) bool {
	if len(v) == 0 || len(v) > maxTraceStateValue || v[len(v)-1] == ' ' {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 || c > 0x7e || c == ',' || c == '=' {
			return false
		}
	}
	return true
}

func isLCAlpha(c byte) bool { return 'a' <= c && c <= 'z' }
func isDigit(c byte) bool   { return '0' <= c && c <= '9' }
