package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"fmt"
	"strconv"
	"unicode/utf16"
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

// containerStack remembers, one bit per level, whether each open container
// is an object, so skipValue needs no recursion at any depth.
type containerStack struct {
	inline [4]uint64
	more   []uint64
	n      int
}

func (c *containerStack) push(object bool) {
	word, bit := c.n/64, uint(c.n%64)
	if word >= len(c.inline)+len(c.more) {
		c.more = append(c.more, 0)
	}
	w := c.word(word)
	if object {
		*w |= 1 << bit
	} else {
		*w &^= 1 << bit
	}
	c.n++
}

func (c *containerStack) word(i int) *uint64 {
	if i < len(c.inline) {
		return &c.inline[i]
	}
	return &c.more[i-len(c.inline)]
}

func (c *containerStack) topIsObject() bool {
	i := c.n - 1
	return *c.word(i / 64)&(1<<uint(i%64)) != 0
}

func (c *containerStack) pop() { c.n-- }

// skipValue consumes one value of any kind and depth, validating its
// syntax. It returns how deeply containers nested inside it (0 for a
// scalar, 1 for [1,2], 2 for [[1]], ...), so the caller can apply a depth
// limit to just this value.
func (s *scanner) skipValue() (int, error) {
	var stack containerStack
	deepest := 0
	for {
		// A value is expected here.
		switch c := s.peek(); c {
		case '{', '[':
			s.pos++
			stack.push(c == '{')
			deepest = max(deepest, stack.n)
			closing := byte('}')
			if c == '[' {
				closing = ']'
			}
			if s.peek() == closing {
				s.pos++
				stack.pop()
				break
			}
			if c == '{' {
				if err := s.readKey(); err != nil {
					return 0, err
				}
			}
			continue
		case '"':
			if _, err := s.readString(); err != nil {
				return 0, err
			}
		case 't', 'f', 'n':
			if _, err := s.readLiteral(); err != nil {
				return 0, err
			}
		case 0:
			return 0, s.errorf("unexpected end of input, want a value")
		default:
			if _, err := s.readNumber(); err != nil {
				return 0, err
			}
		}
		// A value ended: close containers or move to the next element.
		for {
			if stack.n == 0 {
				return deepest, nil
			}
			c := s.peek()
			if c == ',' {
				s.pos++
				if stack.topIsObject() {
					if err := s.readKey(); err != nil {
						return 0, err
					}
				}
				break
			}
			if (c == '}' && stack.topIsObject()) || (c == ']' && !stack.topIsObject()) {
				s.pos++
				stack.pop()
				continue
			}
			return 0, s.errorf("want ',' or the end of the container")
		}
	}
}

// readKey reads an object key and the colon after it.
func (s *scanner) readKey() error {
	if _, err := s.readString(); err != nil {
		return err
	}
	return s.expect(':')
}

// text returns the bytes of a span as a string without copying. The
// receiver never modifies a request body after it has been read, so the
// string stays valid as long as anything refers to it.
func (s *scanner) text(sp span) string {
	if sp.end == sp.start {
		return ""
	}
	return unsafe.String(&s.buf[sp.start], sp.end-sp.start)
}

// raw returns buf[start:end] as a string without copying (see text).
func (s *scanner) raw(start, end int) string {
	if end == start {
		return ""
	}
	return unsafe.String(&s.buf[start], end-start)
}

// equals reports whether a string span equals lit, decoding escapes if any.
func (s *scanner) equals(sp span, lit string) bool {
	if !sp.escaped {
		return string(s.buf[sp.start:sp.end]) == lit
	}
	var scratch [64]byte
	return string(appendUnescaped(scratch[:0], s.buf[sp.start:sp.end])) == lit
}

// appendUnescaped appends the decoded form of a validated string body.
// Lone surrogates decode to U+FFFD, as encoding/json does.
func appendUnescaped(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		c := src[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		switch src[i+1] {
		case '"', '\\', '/':
			dst = append(dst, src[i+1])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := rune(hex4(src[i+2 : i+6]))
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(src) && src[i] == '\\' && src[i+1] == 'u' {
					if pair := utf16.DecodeRune(r, rune(hex4(src[i+2:i+6]))); pair != utf8.RuneError {
						dst = utf8.AppendRune(dst, pair)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		}
		i += 2
	}
	return dst
}

func hex4(b []byte) uint16 {
	var v uint16
	for _, c := range b {
		v <<= 4
		switch {
		case '0' <= c && c <= '9':
			v |= uint16(c - '0')
		case 'a' <= c && c <= 'f':
			v |= uint16(c - 'a' + 10)
		default:
			v |= uint16(c - 'A' + 10)
		}
	}
	return v
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
