// Package tracecontext reads the caller's trace context from request or
// record headers in W3C Trace Context, B3 or Jaeger form, in an order of
// precedence, and writes it back out in each form.
//
// traceparent is parsed here, strictly (anything the specification does not
// allow is an error, never a panic or a half-parsed value) and without
// allocating: it is read once per upload and once per consumed Kafka batch,
// and its parser is fuzzed. Everything else comes from OpenTelemetry Go:
// tracestate (trace.ParseTraceState), W3C baggage (baggage.Parse), and B3
// and uber-trace-id (the contrib propagators). Callers treat an invalid
// header as absent and count it.
//
// The eventsplit receiver uses it to continue the caller's trace, and the
// kafkalink connector to continue the producer's trace on the consuming side.
package tracecontext

import (
	"encoding/hex"
	"errors"
	"fmt"
)

// TraceParent is a parsed traceparent header.
type TraceParent struct {
	// Version is the header's version; only version 0 is produced.
	Version byte
	TraceID [16]byte
	SpanID  [8]byte
	Flags   byte
}

// Trace flags this package knows: sampled (Trace Context level 1) and
// random trace id (level 2). Others are not propagated: a participant must not
// pass on flags whose meaning it does not know.
const (
	FlagSampled byte = 0x01
	FlagRandom  byte = 0x02
	knownFlags       = FlagSampled | FlagRandom
)

const (
	traceParentLen = 55 // "00-" + 32 + "-" + 16 + "-" + 2
	versionInvalid = 0xff
)

// Errors returned by the parsers, wrapped in an *InvalidError that says
// which header failed and why.
var (
	ErrLength      = errors.New("wrong length")
	ErrFormat      = errors.New("not in the version-traceid-parentid-flags format")
	ErrHex         = errors.New("not lowercase hex")
	ErrVersion     = errors.New("version ff is invalid")
	ErrZeroTraceID = errors.New("all-zero trace id")
	ErrZeroSpanID  = errors.New("all-zero parent id")
	ErrMultiple    = errors.New("more than one header")
)

// InvalidError reports an invalid header.
type InvalidError struct {
	Header string
	Err    error
}

func (e *InvalidError) Error() string { return fmt.Sprintf("invalid %s header: %v", e.Header, e.Err) }
func (e *InvalidError) Unwrap() error { return e.Err }

func invalid(err error) error { return &InvalidError{Header: HeaderTraceParent, Err: err} }

// ParseTraceParent parses one traceparent header value.
//
// Version 00 must be exactly 55 characters. A higher version (01-fe) may be
// longer, with a '-' after the version-00 fields; only those fields are read,
// as the specification asks of a version-00 parser. Hex must be lowercase,
// version ff and all-zero ids are invalid.
func ParseTraceParent(s string) (TraceParent, error) {
	var tp TraceParent
	if len(s) < traceParentLen {
		return tp, invalid(ErrLength)
	}
	version, ok := hexByte(s[0], s[1])
	if !ok {
		return tp, invalid(ErrHex)
	}
	if version == versionInvalid {
		return tp, invalid(ErrVersion)
	}
	if version == 0 && len(s) != traceParentLen {
		return tp, invalid(ErrLength)
	}
	if len(s) > traceParentLen && s[traceParentLen] != '-' {
		return tp, invalid(ErrFormat)
	}
	if s[2] != '-' || s[35] != '-' || s[52] != '-' {
		return tp, invalid(ErrFormat)
	}
	if !decodeLowerHex(tp.TraceID[:], s[3:35]) || !decodeLowerHex(tp.SpanID[:], s[36:52]) {
		return tp, invalid(ErrHex)
	}
	flags, ok := hexByte(s[53], s[54])
	if !ok {
		return tp, invalid(ErrHex)
	}
	if tp.TraceID == [16]byte{} {
		return tp, invalid(ErrZeroTraceID)
	}
	if tp.SpanID == [8]byte{} {
		return tp, invalid(ErrZeroSpanID)
	}
	tp.Version = version
	tp.Flags = flags
	return tp, nil
}

// ParseTraceParentHeaders parses the traceparent values of one request. Zero
// values mean absent (ok false, no error); more than one is invalid, since
// the caller's parent would be ambiguous.
func ParseTraceParentHeaders(values []string) (tp TraceParent, ok bool, err error) {
	switch len(values) {
	case 0:
		return tp, false, nil
	case 1:
		tp, err = ParseTraceParent(values[0])
		return tp, err == nil, err
	default:
		return tp, false, invalid(ErrMultiple)
	}
}

// Sampled reports whether the sampled flag is set.
func (tp TraceParent) Sampled() bool { return tp.Flags&FlagSampled != 0 }

// AppendText appends the version-00 form of tp to b. Whatever version was
// parsed, a participant writes the version it knows (00).
func (tp TraceParent) AppendText(b []byte) []byte {
	b = append(b, "00-"...)
	b = hex.AppendEncode(b, tp.TraceID[:])
	b = append(b, '-')
	b = hex.AppendEncode(b, tp.SpanID[:])
	b = append(b, '-')
	return hex.AppendEncode(b, []byte{tp.Flags & knownFlags})
}

// String is the version-00 header value.
func (tp TraceParent) String() string { return string(tp.AppendText(make([]byte, 0, traceParentLen))) }

func hexByte(hi, lo byte) (byte, bool) {
	h, ok1 := lowerHexDigit(hi)
	l, ok2 := lowerHexDigit(lo)
	return h<<4 | l, ok1 && ok2
}

func lowerHexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

func decodeLowerHex(dst []byte, s string) bool {
	for i := range dst {
		b, ok := hexByte(s[2*i], s[2*i+1])
		if !ok {
			return false
		}
		dst[i] = b
	}
	return true
}
