package eventsplitreceiver

// Request bodies at and past the limits: size, event count, compression.

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTooLarge(t *testing.T) {
	h := startHarness(t, withConfig(func(c *Config) {
		c.ServerConfig.MaxRequestBodySize = 64 << 10
		c.Limits.MaxEvents = 10
	}))

	big := upload(defaultMeta, ev(`"id":"a"`, `"name":"n"`, fmt.Sprintf(`"timestamp":%d`, nowMs()), `"payload":"`+strings.Repeat("x", 70<<10)+`"`))
	code, a, _ := h.post(big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	assert.Equal(t, "body_too_large", a.Error.Code)

	events := make([]string, 11)
	for i := range events {
		events[i] = validEvent(fmt.Sprint(i))
	}
	code, a, _ = h.post(upload(defaultMeta, events...))
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	assert.Equal(t, "too_many_events", a.Error.Code)

	code, _, _ = h.post(upload(defaultMeta, events[:10]...))
	assert.Equal(t, http.StatusOK, code, "exactly max_events is fine")
	assert.Equal(t, 10, h.logs.LogRecordCount())
}

func TestCompressedBodies(t *testing.T) {
	h := startHarness(t)
	body := []byte(upload(defaultMeta, validEvent("a"), validEvent("b")))

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(body)
	require.NoError(t, zw.Close())
	code, a, _ := h.do(http.MethodPost, gz.Bytes(), "Content-Type", "application/json", "Content-Encoding", "gzip")
	require.Equal(t, http.StatusOK, code, "%+v", a)
	assert.Equal(t, 2, a.Accepted)

	enc, err := zstd.NewWriter(nil)
	require.NoError(t, err)
	code, a, _ = h.do(http.MethodPost, enc.EncodeAll(body, nil), "Content-Type", "application/json", "Content-Encoding", "zstd")
	require.Equal(t, http.StatusOK, code, "%+v", a)
	assert.Equal(t, 2, a.Accepted)

	code, a, _ = h.do(http.MethodPost, []byte("not gzip at all"), "Content-Type", "application/json", "Content-Encoding", "gzip")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "malformed_body", a.Error.Code)

	code, a, _ = h.do(http.MethodPost, body, "Content-Type", "application/json", "Content-Encoding", "br")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "malformed_body", a.Error.Code)
	assert.Contains(t, a.Error.Detail, "unsupported Content-Encoding")
}

// A small gzip body that inflates past the limit is refused at the limit,
// not after inflating all of it.
func TestCompressionBomb(t *testing.T) {
	h := startHarness(t, withConfig(func(c *Config) { c.ServerConfig.MaxRequestBodySize = 1 << 20 }))
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	_, _ = zw.Write([]byte(`{"meta":` + defaultMeta + `,"data":[{"id":"a","name":"n","timestamp":1,"payload":"`))
	chunk := bytes.Repeat([]byte("A"), 1<<20)
	for i := 0; i < 64; i++ { // 64 MiB inflated
		_, _ = zw.Write(chunk)
	}
	require.NoError(t, zw.Close())
	require.Less(t, gz.Len(), 1<<20, "the compressed body itself is under the limit")

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	code, a, _ := h.do(http.MethodPost, gz.Bytes(), "Content-Type", "application/json", "Content-Encoding", "gzip")
	runtime.ReadMemStats(&after)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	assert.Equal(t, "body_too_large", a.Error.Code)
	// The whole test process allocated far less than the inflated size: the
	// body was cut off at the limit, not inflated and then measured.
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20))
}
