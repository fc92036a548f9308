package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"errors"
	"fmt"
	"net/http"
	"time"
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

// retryable answers are sent with Retry-After.
func (e *requestError) retryable() bool {
	return e.status == http.StatusServiceUnavailable || e.status == http.StatusTooManyRequests
}

func envelopeErr(code, format string, args ...any) *requestError {
	return &requestError{status: http.StatusBadRequest, code: code, detail: fmt.Sprintf(format, args...)}
}

// asRequestError turns what a pass-1 walk returned into the request's
// answer: a syntax error is malformed JSON, a *requestError stands as it is.
func asRequestError(err error) *requestError {
	var rerr *requestError
	if errors.As(err, &rerr) {
		return rerr
	}
	var serr *syntaxError
	if errors.As(err, &serr) {
		return envelopeErr(errMalformedJSON, "%v", serr)
	}
	return &requestError{status: http.StatusInternalServerError, code: errInternal, detail: err.Error()}
}

// decoder turns upload bodies into log records under the configured limits.
type decoder struct {
	limits         LimitsConfig
	maxFutureSkew  time.Duration
	maxAge         time.Duration
	structuredBody bool
	// eventNameAttribute: also write the deprecated event.name attribute.
	eventNameAttribute bool
	// addressOnResource: client.address (and so the geolocation) once per
	// distinct address, on the resource (client_address: resource).
	addressOnResource bool
	ids               *backendIDs
	scopeName         string
	scopeVersion      string
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
	seenMeta, seenData := false, false
	err := s.eachMember(func(key span) error {
		switch {
		case s.equals(key, "meta"):
			if seenMeta {
				return envelopeErr(errInvalidEnvelope, "meta appears twice")
			}
			seenMeta = true
			return d.parseMeta(st)
		case s.equals(key, "data"):
			if seenData {
				return envelopeErr(errInvalidEnvelope, "data appears twice")
			}
			seenData = true
			return d.parseData(st, now)
		default:
			return envelopeErr(errInvalidEnvelope, "unknown field %q: the body has only meta and data", string(appendUnescaped(nil, body[key.start:key.end])))
		}
	})
	if err != nil {
		return asRequestError(err)
	}
	if s.skipWS(); s.pos != len(body) {
		return envelopeErr(errMalformedJSON, "%v", s.errorf("data after the end of the JSON object"))
	}
	switch {
	case !seenMeta:
		return envelopeErr(errInvalidMeta, "meta is required")
	case !seenData:
		return envelopeErr(errInvalidEnvelope, "data is required")
	case len(st.views) == 0:
		return envelopeErr(errEmptyData, "data holds no events")
	}
	return nil
}

// parseData reads the data array, one event view per element.
func (d *decoder) parseData(st *decodeState, now time.Time) error {
	s := &st.s
	if s.peek() != '[' {
		return envelopeErr(errInvalidEnvelope, "data must be an array of events")
	}
	return s.eachElement(func() error {
		if len(st.views) == d.limits.MaxEvents {
			return &requestError{
				status: http.StatusRequestEntityTooLarge, code: errTooManyEvents,
				detail: fmt.Sprintf("more than %d events in one request; split the upload", d.limits.MaxEvents),
			}
		}
		st.views = append(st.views, eventView{})
		v := &st.views[len(st.views)-1]
		start := s.pos
		if err := d.parseEvent(st, v); err != nil {
			return err
		}
		v.size = s.pos - start
		d.finishEvent(st, v, now)
		return nil
	})
}
