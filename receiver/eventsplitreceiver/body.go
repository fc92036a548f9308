package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"strings"
)

// checkRequest accepts a POST of application/json, with an optional UTF-8
// charset (JSON is UTF-8).
func checkRequest(w http.ResponseWriter, req *http.Request) *requestError {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return &requestError{status: http.StatusMethodNotAllowed, code: errMethodNotAllowed, detail: "uploads are POSTed"}
	}
	unsupported := func(detail string) *requestError {
		return &requestError{status: http.StatusUnsupportedMediaType, code: errUnsupportedMedia, detail: detail}
	}
	ct := req.Header.Get("Content-Type")
	switch {
	case ct == "":
		return unsupported("Content-Type is missing; send application/json")
	case ct == "application/json":
		return nil // the common case, without parsing
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return unsupported(fmt.Sprintf("Content-Type %q is not supported; send application/json", ct))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return unsupported(fmt.Sprintf("charset %q is not supported; JSON is UTF-8", cs))
	}
	return nil
}

// readBody reads the whole (decompressed) body. The server layer caps it at
// max_request_body_size both as sent and after decompression, so a
// compression bomb stops at the limit; the buffer is sized from
// Content-Length when that is known. The buffer is never reused: records
// refer into it.
func (r *eventSplitReceiver) readBody(req *http.Request) ([]byte, *requestError) {
	limit := r.cfg.ServerConfig.MaxRequestBodySize
	if req.ContentLength > limit {
		return nil, tooLarge(limit) // drainUnreadBody reads the rest, so the client gets this answer
	}
	size := int64(16 << 10)
	if req.ContentLength > 0 {
		size = req.ContentLength + 1 // +1: reading to EOF needs no growth
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := req.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, bodyReadError(err, limit)
		}
	}
}

// bodyReadError says why the body could not be read, without the socket
// addresses a network error carries.
func bodyReadError(err error, limit int64) *requestError {
	var tooBig *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooBig):
		return tooLarge(limit)
	case errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return &requestError{status: http.StatusRequestTimeout, code: errBodyTimeout,
			detail: "the body did not arrive within the server's read_timeout; send it again"}
	case errors.As(err, &netErr), errors.Is(err, io.ErrUnexpectedEOF):
		return &requestError{status: http.StatusBadRequest, code: errMalformedBody,
			detail: "the connection ended before the whole body arrived"}
	}
	// Decompression errors describe the data, not the connection.
	return &requestError{status: http.StatusBadRequest, code: errMalformedBody,
		detail: "the body could not be decompressed: " + err.Error()}
}

func tooLarge(limit int64) *requestError {
	return &requestError{status: http.StatusRequestEntityTooLarge, code: errBodyTooLarge,
		detail: fmt.Sprintf("the body is larger than %d bytes (after decompression); split the upload", limit)}
}

// drainLimit is how much of an unread body is read and thrown away so that
// the client gets the answer: four times the accepted size. A body larger
// than that is cut off (the client sees the connection reset).
func drainLimit(maxBody int64) int64 { return 4 * maxBody }

// drainUnreadBody reads what the handler left of a request body, up to
// limit bytes, after the handler answered. Clients that write the whole
// body before reading the answer (most HTTP client libraries) would
// otherwise see their connection reset when the server closes it with
// unread data, instead of the 413 it answered. The answer is flushed
// first, so clients that read while writing see it at once. The server's
// read timeout still bounds the time spent.
func drainUnreadBody(next http.Handler, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		raw := req.Body
		next.ServeHTTP(w, req)
		if raw == nil || raw == http.NoBody {
			return
		}
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(raw, limit))
	})
}
