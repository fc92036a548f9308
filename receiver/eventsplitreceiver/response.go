package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"strconv"
	"unicode/utf8"
)

// The answer is written by hand into a reused buffer: it is on the hot path
// (one part per event) and its shape is fixed.
//
//	{"accepted":A,"rejected":R,"parts":[{"id":"...","status":"accepted","backend_id":"..."},
//	                                    {"id":"...","status":"rejected","reason":"...","detail":"..."}],
//	 "error":{"code":"...","detail":"..."}}   <- only when the request as a whole failed

// appendAnswer writes the answer for parsed events. refused is the
// request-level error when the pipeline refused a batch of them: its events
// and those after it carry reason retry_later.
func appendAnswer(b []byte, views []eventView, accepted, rejected int, refused *requestError) []byte {
	b = append(b, `{"accepted":`...)
	b = strconv.AppendInt(b, int64(accepted), 10)
	b = append(b, `,"rejected":`...)
	b = strconv.AppendInt(b, int64(rejected), 10)
	b = append(b, `,"parts":[`...)
	for i := range views {
		v := &views[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		if v.hasID && v.reason != reasonInvalidID {
			b = appendJSONString(b, v.idText)
		} else {
			b = append(b, "null"...)
		}
		if v.reason != reasonNone {
			b = append(b, `,"status":"rejected","reason":"`...)
			b = append(b, v.reason.String()...)
			b = append(b, `","detail":`...)
			b = appendJSONString(b, v.detail)
		} else {
			b = append(b, `,"status":"accepted","backend_id":"`...)
			b = append(b, v.backendID...) // UUID text, nothing to escape
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	if refused != nil {
		b = appendError(b, refused)
	}
	return append(b, '}')
}

// appendRequestError writes the answer to a request that failed as a whole.
func appendRequestError(b []byte, e *requestError) []byte {
	b = append(b, `{"accepted":0,"rejected":0,"parts":[]`...)
	b = appendError(b, e)
	return append(b, '}')
}

func appendError(b []byte, e *requestError) []byte {
	b = append(b, `,"error":{"code":"`...)
	b = append(b, e.code...)
	b = append(b, `","detail":`...)
	b = appendJSONString(b, e.detail)
	return append(b, '}')
}

// appendJSONString writes s as a JSON string. Invalid UTF-8 becomes U+FFFD
// (ids are valid UTF-8 already; details may quote anything).
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default: // other control characters, and <>& so the answer is safe to embed in HTML
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
