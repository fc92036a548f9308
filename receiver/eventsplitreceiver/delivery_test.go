package eventsplitreceiver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// eventsWithPayload makes n valid events whose payloads are payloadBytes long.
func eventsWithPayload(prefix string, n, payloadBytes int) []string {
	events := make([]string, n)
	for i := range events {
		events[i] = ev(fmt.Sprintf(`"id":"%s-%d"`, prefix, i), `"name":"n"`, fmt.Sprintf(`"timestamp":%d`, nowMs()),
			`"payload":"`+strings.Repeat("p", payloadBytes)+`"`)
	}
	return events
}

// An upload larger than max_batch_bytes goes to the pipeline as several
// batches, none above the bound, in order, and every event is accepted.
func TestLargeUploadIsSplitIntoBatches(t *testing.T) {
	const limit = 16 << 10
	h := startHarness(t, withConfig(func(c *Config) { c.MaxBatchBytes = limit }))
	code, a, _ := h.post(upload(defaultMeta, eventsWithPayload("big", 40, 2000)...))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, 40, a.Accepted)

	batches := h.logs.AllLogs()
	require.Greater(t, len(batches), 3, "40 events of 2 KB cannot go in one 16 KiB batch")
	seen := 0
	for _, ld := range batches {
		size := (&plog.ProtoMarshaler{}).LogsSize(ld)
		assert.LessOrEqual(t, size, limit, "a batch's encoded size stays under max_batch_bytes")
		recs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
		for i := 0; i < recs.Len(); i++ {
			id, _ := recs.At(i).Attributes().Get("event.id")
			assert.Equal(t, fmt.Sprintf("big-%d", seen), id.Str(), "batches keep the upload's order")
			seen++
		}
		assert.Equal(t, "shop", mustAttr(t, ld.ResourceLogs().At(0).Resource().Attributes(), "app.id"),
			"every batch carries the envelope's resource")
	}
	assert.Equal(t, 40, seen)
	span := h.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.Equal(t, int64(len(batches)), mustAttrInt(t, span.Attributes(), "eventsplit.batches"))
}

// One event larger than max_batch_bytes still goes, alone: the bound
// splits requests, it does not refuse events (payloads are bounded by
// max_payload_bytes).
func TestEventLargerThanBatchGoesAlone(t *testing.T) {
	h := startHarness(t, withConfig(func(c *Config) { c.MaxBatchBytes = 4 << 10 }))
	code, a, _ := h.post(upload(defaultMeta, eventsWithPayload("one", 2, 8000)...))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, 2, a.Accepted)
	assert.Len(t, h.logs.AllLogs(), 2)
}

// refuseAfter takes the first n batches and refuses the rest.
type refuseAfter struct {
	mu    sync.Mutex
	n     int
	taken []plog.Logs
	err   error
}

func (c *refuseAfter) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (c *refuseAfter) ConsumeLogs(_ context.Context, ld plog.Logs) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.taken) == c.n {
		return c.err
	}
	c.taken = append(c.taken, ld)
	return nil
}

// When the pipeline refuses a later batch, what it took stays accepted
// and the rest is answered retry_later, event by event: a client resends
// exactly what was not taken, and nothing accepted is answered as failed.
func TestRefusedLaterBatchAnswersPerEvent(t *testing.T) {
	next := &refuseAfter{n: 1, err: errors.New("sending queue is full")}
	h := startHarness(t, withLogsConsumer(next), withConfig(func(c *Config) { c.MaxBatchBytes = 8 << 10 }))
	code, a, hdr := h.post(upload(defaultMeta, eventsWithPayload("r", 12, 2000)...))
	require.Equal(t, http.StatusMultiStatus, code)
	require.Len(t, next.taken, 1)
	taken := next.taken[0].LogRecordCount()
	require.Positive(t, taken)
	assert.Equal(t, taken, a.Accepted)
	assert.Equal(t, 12-taken, a.Rejected)
	assert.Equal(t, "5", hdr.Get("Retry-After"))
	require.NotNil(t, a.Error)
	assert.Equal(t, "pipeline_refused", a.Error.Code)
	for i, p := range a.Parts {
		if i < taken {
			assert.Equal(t, "accepted", p.Status)
			assert.NotEmpty(t, p.BackendID)
			continue
		}
		assert.Equal(t, "rejected", p.Status)
		assert.Equal(t, "retry_later", p.Reason)
		assert.Empty(t, p.BackendID)
	}
}

// rawPost writes a whole request (headers and body) before reading the
// answer, as Python's urllib and most SDK HTTP clients do, and returns the
// status line's code. chunked sends the body without Content-Length.
func rawPost(t *testing.T, addr, path string, body []byte, chunked bool) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(30*time.Second)))
	w := bufio.NewWriter(conn)
	fmt.Fprintf(w, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n", path, addr)
	if chunked {
		fmt.Fprintf(w, "Transfer-Encoding: chunked\r\n\r\n")
		for off := 0; off < len(body); off += 32 << 10 {
			chunk := body[off:min(off+32<<10, len(body))]
			fmt.Fprintf(w, "%x\r\n", len(chunk))
			_, _ = w.Write(chunk)
			fmt.Fprintf(w, "\r\n")
		}
		fmt.Fprintf(w, "0\r\n\r\n")
	} else {
		fmt.Fprintf(w, "Content-Length: %d\r\n\r\n", len(body))
		_, _ = w.Write(body)
	}
	require.NoError(t, w.Flush(), "the server must read the whole body, not reset the connection")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the answer arrives after the whole body was written")
	defer resp.Body.Close()
	text, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(text)
}

// A body over the limit is answered 413 even to a client that writes all
// of it before reading: the receiver reads and drops the rest, so the
// connection is not reset under the client.
func TestTooLargeAnswerReachesClientsThatWriteFirst(t *testing.T) {
	h := startHarness(t, withConfig(func(c *Config) { c.ServerConfig.MaxRequestBodySize = 1 << 20 }))
	body := []byte(upload(defaultMeta, eventsWithPayload("x", 1, 4<<20)...))
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			code, text := rawPost(t, h.r.addr.String(), h.r.cfg.Path, body, chunked)
			assert.Equal(t, http.StatusRequestEntityTooLarge, code, text)
			assert.Contains(t, text, `"code":"body_too_large"`)
		})
	}
	assert.Zero(t, h.logs.LogRecordCount())
}

// A body that does not arrive within read_timeout is answered 408, and the
// answer names no socket addresses.
func TestBodyReadTimeoutIs408(t *testing.T) {
	h := startHarness(t, withConfig(func(c *Config) { c.ServerConfig.ReadTimeout = 300 * time.Millisecond }))
	conn, err := net.Dial("tcp", h.r.addr.String())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(30*time.Second)))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"meta\":", h.r.cfg.Path)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil) // the rest of the body never comes
	require.NoError(t, err)
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode, string(text))
	assert.Contains(t, string(text), `"code":"body_timeout"`)
	assert.NotContains(t, string(text), "127.0.0.1")
}

func mustAttr(t *testing.T, m pcommon.Map, key string) string {
	t.Helper()
	v, ok := m.Get(key)
	require.True(t, ok, key)
	return v.Str()
}

func mustAttrInt(t *testing.T, m pcommon.Map, key string) int64 {
	t.Helper()
	v, ok := m.Get(key)
	require.True(t, ok, key)
	return v.Int()
}
