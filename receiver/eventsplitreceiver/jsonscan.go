package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"fmt"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// scanner reads one JSON document in place. It validates the syntax
// strictly (RFC 8259, UTF-8 only) and hands out positions into the buffer,
// so values are read without copying; nothing it does recurses, so no input
// can exhaust the stack.
type scanner struct {
	buf []byte
	pos int
}

// syntaxError is a JSON syntax error: the whole document is unusable.
type syntaxError struct {
	pos int
	msg string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("malformed JSON at byte %d: %s", e.pos, e.msg)
}

func (s *scanner) errorf(format string, args ...any) error {
	return &syntaxError{pos: s.pos, msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) skipWS() {
	for s.pos < len(s.buf) {
		switch s.buf[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte without consuming it, 0 at the end.
func (s *scanner) peek() byte {
	s.skipWS()
	if s.pos < len(s.buf) {
		return s.buf[s.pos]
	}
	return 0
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		if s.pos >= len(s.buf) {
			return s.errorf("unexpected end of input, want %q", c)
		}
		return s.errorf("want %q, got %q", c, s.buf[s.pos])
	}
	s.pos++
	return nil
}

// span is a JSON string's contents (between the quotes) in the buffer.
type span struct {
	start, end int
	escaped    bool // contains backslash escapes: must be decoded before use
}

// readString reads a string token. Control characters must be escaped,
// escapes must be valid and the bytes valid UTF-8.
func (s *scanner) readString() (span, error) {
	if s.peek() != '"' {
		return span{}, s.errorf("want a string")
	}
	s.pos++
	start := s.pos
	escaped, ascii := false, true
	for s.pos < len(s.buf) {
		c := s.buf[s.pos]
		switch {
		case c == '"':
			sp := span{start: start, end: s.pos, escaped: escaped}
			if !ascii && !utf8.Valid(s.buf[start:s.pos]) {
				return span{}, s.errorf("string is not valid UTF-8")
			}
			s.pos++
			return sp, nil
		case c == '\\':
			escaped = true
			if s.pos+1 >= len(s.buf) {
				return span{}, s.errorf("unterminated escape")
			}
			switch s.buf[s.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos += 2
			case 'u':
				if s.pos+6 > len(s.buf) || !isHex4(s.buf[s.pos+2:s.pos+6]) {
					return span{}, s.errorf("invalid \\u escape")
				}
				s.pos += 6
			default:
				return span{}, s.errorf("invalid escape \\%c", s.buf[s.pos+1])
			}
		case c < 0x20:
			return span{}, s.errorf("control character in string")
		default:
			if c >= 0x80 {
				ascii = false
			}
			s.pos++
		}
	}
	return span{}, s.errorf("unterminated string")
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// number is a JSON number token's position.
type number struct {
	start, end int
	integer    bool // no fraction and no exponent
}

func (s *scanner) readNumber() (number, error) {
	s.skipWS()
	start := s.pos
	if s.pos < len(s.buf) && s.buf[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.buf) && s.buf[s.pos] == '0':
		s.pos++
	case s.pos < len(s.buf) && '1' <= s.buf[s.pos] && s.buf[s.pos] <= '9':
		s.skipDigits()
	default:
		return number{}, s.errorf("invalid number")
	}
	integer := true
	if s.pos < len(s.buf) && s.buf[s.pos] == '.' {
		integer = false
		s.pos++
		if !s.skipDigits() {
			return number{}, s.errorf("invalid number: no digits after '.'")
		}
	}
	if s.pos < len(s.buf) && (s.buf[s.pos] == 'e' || s.buf[s.pos] == 'E') {
		integer = false
		s.pos++
		if s.pos < len(s.buf) && (s.buf[s.pos] == '+' || s.buf[s.pos] == '-') {
			s.pos++
		}
		if !s.skipDigits() {
			return number{}, s.errorf("invalid number: no digits in exponent")
		}
	}
	return number{start: start, end: s.pos, integer: integer}, nil
}

func (s *scanner) skipDigits() bool {
	start := s.pos
	for s.pos < len(s.buf) && '0' <= s.buf[s.pos] && s.buf[s.pos] <= '9' {
		s.pos++
	}
	return s.pos > start
}

// literal kinds.
const (
	litNull = iota
	litTrue
	litFalse
)

func (s *scanner) readLiteral() (int, error) {
	rest := s.buf[s.pos:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "null":
		s.pos += 4
		return litNull, nil
	case len(rest) >= 4 && string(rest[:4]) == "true":
		s.pos += 4
		return litTrue, nil
	case len(rest) >= 5 && string(rest[:5]) == "false":
		s.pos += 5
		return litFalse, nil
	}
	return 0, s.errorf("invalid literal")
}

// text returns the bytes of a span as a string without copying. The
// receiver never modifies a request body after it has been read, so the
// string stays valid as long as anything refers to it.
func (s *scanner) text(sp span) string {
	if sp.end == sp.start {
		return ""
	}
	return unsafe.String(&s.buf[sp.start], sp.end-sp.start) //nolint:gosec // G103: buf outlives the strings, see text
}

// raw returns buf[start:end] as a string without copying (see text).
func (s *scanner) raw(start, end int) string {
	if end == start {
		return ""
	}
	return unsafe.String(&s.buf[start], end-start) //nolint:gosec // G103: as text
}

// parseInt parses an integer number token; ok is false when it does not fit
// an int64.
func (s *scanner) parseInt(n number) (int64, bool) {
	v, err := strconv.ParseInt(s.raw(n.start, n.end), 10, 64)
	return v, err == nil
}

// parseFloat parses any number token.
func (s *scanner) parseFloat(n number) (float64, bool) {
	v, err := strconv.ParseFloat(s.raw(n.start, n.end), 64)
	return v, err == nil
}
