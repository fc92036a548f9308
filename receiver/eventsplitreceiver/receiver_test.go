package eventsplitreceiver

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

var uuidV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestAllAccepted(t *testing.T) {
	h := startHarness(t)
	code, a, _ := h.post(upload(defaultMeta, validEvent("a"), validEvent("b"), validEvent("c")))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, 3, a.Accepted)
	assert.Equal(t, 0, a.Rejected)
	assert.Nil(t, a.Error)
	require.Len(t, a.Parts, 3)
	var prev string
	for i, p := range a.Parts {
		assert.Equal(t, []string{"a", "b", "c"}[i], *p.ID, "parts are in request order")
		assert.Equal(t, "accepted", p.Status)
		assert.Regexp(t, uuidV7, p.BackendID)
		assert.Greater(t, p.BackendID, prev, "backend ids are time-ordered")
		prev = p.BackendID
	}
	require.Equal(t, 3, h.logs.LogRecordCount())
	ld := h.logs.AllLogs()[0]
	require.Equal(t, 1, ld.ResourceLogs().Len(), "one ResourceLogs per request")
	recs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	for i := 0; i < recs.Len(); i++ {
		bid, _ := recs.At(i).Attributes().Get("event.backend_id")
		assert.Equal(t, a.Parts[i].BackendID, bid.Str(), "the record carries the backend id the answer names")
	}
}

// Every validation rule, one event at a time, next to a valid event so the
// answer is 207 and the valid one still gets through.
func TestEventValidation(t *testing.T) {
	now := nowMs()
	ts := fmt.Sprintf(`"timestamp":%d`, now)
	id, name := `"id":"x"`, `"name":"n"`
	long := strings.Repeat("a", 129)
	manyAttrs := make([]string, 65)
	for i := range manyAttrs {
		manyAttrs[i] = fmt.Sprintf(`"k%d":1`, i)
	}
	tests := []struct {
		name   string
		event  string
		reason string
	}{
		{"not an object", `"just a string"`, "invalid_event"},
		{"array event", `[1,2]`, "invalid_event"},
		{"empty object", `{}`, "missing_id"},
		{"missing id", ev(name, ts), "missing_id"},
		{"id not a string", ev(`"id":42`, name, ts), "invalid_id"},
		{"empty id", ev(`"id":""`, name, ts), "invalid_id"},
		{"id too long", ev(`"id":"`+long+`"`, name, ts), "invalid_id"},
		{"missing name", ev(id, ts), "missing_name"},
		{"name not a string", ev(id, `"name":true`, ts), "invalid_name"},
		{"empty name", ev(id, `"name":""`, ts), "invalid_name"},
		{"name too long", ev(id, `"name":"`+strings.Repeat("n", 257)+`"`, ts), "invalid_name"},
		{"id with NUL escape", ev(`"id":"a\u0000b"`, name, ts), "invalid_id"},
		{"id with newline escape", ev(`"id":"a\nb"`, name, ts), "invalid_id"},
		{"name with NUL escape", ev(id, `"name":"view\u0000"`, ts), "invalid_name"},
		{"name with DEL", ev(id, `"name":"view\u007f"`, ts), "invalid_name"},
		{"missing timestamp", ev(id, name), "missing_timestamp"},
		{"timestamp as string", ev(id, name, `"timestamp":"2026-01-01"`), "invalid_timestamp"},
		{"timestamp with fraction", ev(id, name, fmt.Sprintf(`"timestamp":%d.5`, now)), "invalid_timestamp"},
		{"timestamp in seconds exponent", ev(id, name, `"timestamp":1.7e12`), "invalid_timestamp"},
		{"timestamp negative", ev(id, name, `"timestamp":-5`), "invalid_timestamp"},
		{"timestamp overflow", ev(id, name, `"timestamp":99999999999999999999`), "invalid_timestamp"},
		{"timestamp too far ahead", ev(id, name, fmt.Sprintf(`"timestamp":%d`, now+2*time.Hour.Milliseconds())), "timestamp_in_future"},
		{"timestamp too old", ev(id, name, fmt.Sprintf(`"timestamp":%d`, now-8*24*time.Hour.Milliseconds())), "timestamp_too_old"},
		{"ip garbage", ev(id, name, ts, `"ip":"300.1.1.1"`), "invalid_ip"},
		{"ip number", ev(id, name, ts, `"ip":12345`), "invalid_ip"},
		{"ip with zone", ev(id, name, ts, `"ip":"fe80::1%eth0"`), "invalid_ip"},
		{"ip with port", ev(id, name, ts, `"ip":"1.2.3.4:80"`), "invalid_ip"},
		{"attributes not object", ev(id, name, ts, `"attributes":[1]`), "invalid_attributes"},
		{"too many attributes", ev(id, name, ts, `"attributes":{`+strings.Join(manyAttrs, ",")+`}`), "too_many_attributes"},
		{"attribute object value", ev(id, name, ts, `"attributes":{"a":{"b":1}}`), "invalid_attribute"},
		{"attribute array value", ev(id, name, ts, `"attributes":{"a":[1]}`), "invalid_attribute"},
		{"attribute null value", ev(id, name, ts, `"attributes":{"a":null}`), "invalid_attribute"},
		{"attribute empty key", ev(id, name, ts, `"attributes":{"":1}`), "invalid_attribute"},
		{"attribute key too long", ev(id, name, ts, `"attributes":{"`+long+`":1}`), "invalid_attribute"},
		{"attribute value too long", ev(id, name, ts, `"attributes":{"a":"`+strings.Repeat("v", 4097)+`"}`), "invalid_attribute"},
		{"attribute number out of range", ev(id, name, ts, `"attributes":{"a":1e999}`), "invalid_attribute"},
		{"attribute integer beyond int64", ev(id, name, ts, `"attributes":{"a":123456789012345678901234567890}`), "invalid_attribute"},
		{"attribute integer just beyond int64", ev(id, name, ts, `"attributes":{"a":9223372036854775808}`), "invalid_attribute"},
		{"attribute key with control character", ev(id, name, ts, `"attributes":{"k\u0000":1}`), "invalid_attribute"},
		{"attribute reserved key", ev(id, name, ts, `"attributes":{"event.backend_id":"forged"}`), "invalid_attribute"},
		{"attribute duplicate key", ev(id, name, ts, `"attributes":{"a":1,"a":2}`), "invalid_attribute"},
		{"attribute duplicate key escaped", ev(id, name, ts, `"attributes":{"a":1,"\u0061":2}`), "invalid_attribute"},
		{"payload too large", ev(id, name, ts, `"payload":"`+strings.Repeat("p", 64<<10)+`"`), "payload_too_large"},
		{"payload too deep", ev(id, name, ts, `"payload":`+strings.Repeat("[", 30)+strings.Repeat("]", 30)), "too_deep"},
		{"unknown field", ev(id, name, ts, `"time_stamp":1`), "unknown_field"},
		{"duplicate field", ev(id, name, ts, `"name":"again"`), "duplicate_field"},
	}
	h := startHarness(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, a, _ := h.post(upload(defaultMeta, validEvent("ok"), tt.event))
			require.Equal(t, http.StatusMultiStatus, code)
			require.Len(t, a.Parts, 2)
			assert.Equal(t, 1, a.Accepted)
			assert.Equal(t, 1, a.Rejected)
			assert.Equal(t, "accepted", a.Parts[0].Status)
			assert.Equal(t, "rejected", a.Parts[1].Status)
			assert.Equal(t, tt.reason, a.Parts[1].Reason, a.Parts[1].Detail)
			assert.NotEmpty(t, a.Parts[1].Detail, "every rejection says why in words")
		})
	}
}

func TestEventsAtTheLimits(t *testing.T) {
	h := startHarness(t)
	attrs := make([]string, 64)
	for i := range attrs {
		attrs[i] = fmt.Sprintf(`"k%d":"v"`, i)
	}
	events := []string{
		ev(`"id":"`+strings.Repeat("i", 128)+`"`, `"name":"n"`, fmt.Sprintf(`"timestamp":%d`, nowMs())),
		ev(`"id":"attrs"`, `"name":"n"`, fmt.Sprintf(`"timestamp":%d`, nowMs()), `"attributes":{`+strings.Join(attrs, ",")+`}`),
		ev(`"id":"deep"`, `"name":"n"`, fmt.Sprintf(`"timestamp":%d`, nowMs()), `"payload":`+strings.Repeat("[", 29)+strings.Repeat("]", 29)),
		ev(`"id":"future"`, `"name":"n"`, fmt.Sprintf(`"timestamp":%d`, nowMs()+59*time.Minute.Milliseconds())),
		ev(`"id":"null-optional"`, `"name":"n"`, fmt.Sprintf(`"timestamp":%d`, nowMs()), `"ip":null`, `"attributes":null`, `"payload":null`),
	}
	code, a, _ := h.post(upload(defaultMeta, events...))
	require.Equal(t, http.StatusOK, code, "%+v", a)
	assert.Equal(t, 5, a.Accepted)
}

func TestDuplicateIDs(t *testing.T) {
	h := startHarness(t)
	invalidA := ev(`"id":"a"`, `"name":""`, fmt.Sprintf(`"timestamp":%d`, nowMs()))
	code, a, _ := h.post(upload(defaultMeta, invalidA, validEvent("a"), validEvent("b"), validEvent("a")))
	require.Equal(t, http.StatusMultiStatus, code)
	got := []string{}
	for _, p := range a.Parts {
		got = append(got, p.Status+":"+p.Reason)
	}
	// An invalid event does not claim its id; the first valid one does.
	assert.Equal(t, []string{"rejected:invalid_name", "accepted:", "accepted:", "rejected:duplicate_id"}, got)
}

func TestAllRejectedIs400(t *testing.T) {
	h := startHarness(t)
	code, a, _ := h.post(upload(defaultMeta, ev(`"id":"a"`), ev(`"name":"b"`)))
	require.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, 0, a.Accepted)
	assert.Equal(t, 2, a.Rejected)
	assert.Nil(t, a.Error, "event-level rejections are parts, not a request error")
	assert.Zero(t, h.logs.LogRecordCount(), "nothing was passed on")
}

func TestEnvelopeErrors(t *testing.T) {
	h := startHarness(t)
	e := validEvent("a")
	tests := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"empty body", ``, 400, "malformed_json"},
		{"not json", `hello`, 400, "malformed_json"},
		{"truncated", upload(defaultMeta, e)[:40], 400, "malformed_json"},
		{"trailing data", upload(defaultMeta, e) + `{}`, 400, "malformed_json"},
		{"bad escape", upload(defaultMeta, ev(`"id":"\x"`)), 400, "malformed_json"},
		{"invalid utf8", upload(defaultMeta, ev("\"id\":\"\xff\"")), 400, "malformed_json"},
		{"control char in string", upload(defaultMeta, ev("\"id\":\"a\x01\"")), 400, "malformed_json"},
		{"syntax error inside an event", upload(defaultMeta, `{"id":"a",}`), 400, "malformed_json"},
		{"leading zero number", upload(defaultMeta, ev(`"id":"a"`, `"timestamp":01`)), 400, "malformed_json"},
		{"array body", `[]`, 400, "invalid_envelope"},
		{"unknown top-level field", `{"meta":` + defaultMeta + `,"data":[` + e + `],"extra":1}`, 400, "invalid_envelope"},
		{"data not an array", `{"meta":` + defaultMeta + `,"data":{}}`, 400, "invalid_envelope"},
		{"data missing", `{"meta":` + defaultMeta + `}`, 400, "invalid_envelope"},
		{"data twice", `{"meta":` + defaultMeta + `,"data":[],"data":[]}`, 400, "invalid_envelope"},
		{"data empty", upload(defaultMeta), 400, "empty_data"},
		{"meta missing", `{"data":[` + e + `]}`, 400, "invalid_meta"},
		{"meta not object", upload(`"shop"`, e), 400, "invalid_meta"},
		{"app_id missing", upload(`{"category":"web"}`, e), 400, "invalid_meta"},
		{"app_id empty", upload(`{"app_id":"","category":"web"}`, e), 400, "invalid_meta"},
		{"app_id not string", upload(`{"app_id":7,"category":"web"}`, e), 400, "invalid_meta"},
		{"app_id with control character", upload(`{"app_id":"sh\u0000op","category":"web"}`, e), 400, "invalid_meta"},
		{"meta key with control character", upload(`{"app_id":"shop","category":"web","a\u0001":1}`, e), 400, "invalid_meta"},
		{"meta integer beyond int64", upload(`{"app_id":"shop","category":"web","n":123456789012345678901234567890}`, e), 400, "invalid_meta"},
		{"category missing", upload(`{"app_id":"shop"}`, e), 400, "invalid_meta"},
		{"category with slash", upload(`{"app_id":"shop","category":"a/b"}`, e), 400, "invalid_meta"},
		{"category too long", upload(`{"app_id":"shop","category":"`+strings.Repeat("c", 65)+`"}`, e), 400, "invalid_meta"},
		{"category empty", upload(`{"app_id":"shop","category":""}`, e), 400, "invalid_meta"},
		{"platform not string", upload(`{"app_id":"shop","category":"web","platform":1}`, e), 400, "invalid_meta"},
		{"meta key twice", upload(`{"app_id":"shop","category":"web","app_id":"x"}`, e), 400, "invalid_meta"},
		{"extra meta twice", upload(`{"app_id":"shop","category":"web","x":1,"x":2}`, e), 400, "invalid_meta"},
		{"too many extra meta", upload(`{"app_id":"shop","category":"web"`+strings.Repeat(`,"k":1`, 0)+extraMeta(33)+`}`, e), 400, "invalid_meta"},
		{"extra meta empty key", upload(`{"app_id":"shop","category":"web","":1}`, e), 400, "invalid_meta"},
		{"extra meta key too long", upload(`{"app_id":"shop","category":"web","`+strings.Repeat("k", 257)+`":1}`, e), 400, "invalid_meta"},
		{"extra meta value too long", upload(`{"app_id":"shop","category":"web","v":"`+strings.Repeat("v", 4097)+`"}`, e), 400, "invalid_meta"},
		{"extra meta object too long", upload(`{"app_id":"shop","category":"web","v":["`+strings.Repeat("v", 4097)+`"]}`, e), 400, "invalid_meta"},
		{"extra meta nests too deep", upload(`{"app_id":"shop","category":"web","v":`+strings.Repeat("[", 31)+strings.Repeat("]", 31)+`}`, e), 400, "invalid_meta"},
		{"extra meta number out of range", upload(`{"app_id":"shop","category":"web","v":1e999}`, e), 400, "invalid_meta"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, a, _ := h.post(tt.body)
			require.Equal(t, tt.status, code)
			require.NotNil(t, a.Error)
			assert.Equal(t, tt.code, a.Error.Code, a.Error.Detail)
			assert.NotEmpty(t, a.Error.Detail)
			assert.Equal(t, 0, a.Accepted)
			assert.Empty(t, a.Parts)
		})
	}
	assert.Zero(t, h.logs.LogRecordCount())
}

func extraMeta(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `,"extra%d":%d`, i, i)
	}
	return b.String()
}

func TestMethodAndMediaType(t *testing.T) {
	h := startHarness(t)
	body := []byte(upload(defaultMeta, validEvent("a")))

	code, a, hdr := h.do(http.MethodGet, nil)
	assert.Equal(t, http.StatusMethodNotAllowed, code)
	assert.Equal(t, "POST", hdr.Get("Allow"))
	assert.Equal(t, "method_not_allowed", a.Error.Code)

	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1"} {
		code, a, _ := h.do(http.MethodPost, body, "Content-Type", ct)
		assert.Equal(t, http.StatusUnsupportedMediaType, code, ct)
		assert.Equal(t, "unsupported_media_type", a.Error.Code)
	}
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"} {
		code, _, _ := h.do(http.MethodPost, body, "Content-Type", ct)
		assert.Equal(t, http.StatusOK, code, ct)
	}
}

// A refusing pipeline (memory limiter, full queue) answers 503 with
// Retry-After; nothing of the request counts as accepted, and the valid
// events say retry_later while invalid ones keep their reason.
func TestRefusingPipeline(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		status     int
		code       string
		retryAfter bool
	}{
		{"memory limiter or full queue", errors.New("data refused due to high memory usage"), 503, "pipeline_refused", true},
		{"resource exhausted", status.Error(codes.ResourceExhausted, "throttled"), 429, "pipeline_refused", true},
		{"permanent", consumererror.NewPermanent(errors.New("cannot marshal")), 500, "internal_error", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startHarness(t, withLogsConsumer(consumertest.NewErr(tt.err)))
			code, a, hdr := h.post(upload(defaultMeta, validEvent("a"), ev(`"id":"b"`), validEvent("c")))
			require.Equal(t, tt.status, code)
			assert.Equal(t, 0, a.Accepted)
			assert.Equal(t, 3, a.Rejected)
			require.NotNil(t, a.Error)
			assert.Equal(t, tt.code, a.Error.Code)
			if tt.retryAfter {
				assert.Equal(t, "5", hdr.Get("Retry-After"))
			} else {
				assert.Empty(t, hdr.Get("Retry-After"))
			}
			require.Len(t, a.Parts, 3)
			assert.Equal(t, "retry_later", a.Parts[0].Reason)
			assert.Equal(t, "missing_name", a.Parts[1].Reason)
			assert.Equal(t, "retry_later", a.Parts[2].Reason)
			for _, p := range a.Parts {
				assert.Equal(t, "rejected", p.Status)
				assert.Empty(t, p.BackendID)
			}
		})
	}
}

func TestClientAddress(t *testing.T) {
	h := startHarness(t, withConfig(func(c *Config) { c.TrustedProxies = []string{"127.0.0.0/8", "10.0.0.0/8"} }))
	withIP := ev(`"id":"ip"`, `"name":"n"`, fmt.Sprintf(`"timestamp":%d`, nowMs()), `"ip":"2001:DB8::1"`)
	mapped := ev(`"id":"mapped"`, `"name":"n"`, fmt.Sprintf(`"timestamp":%d`, nowMs()), `"ip":"::ffff:198.51.100.7"`)
	code, _, _ := h.post(upload(defaultMeta, withIP, mapped, validEvent("peer")),
		"X-Forwarded-For", "203.0.113.9, 198.51.100.1", "X-Forwarded-For", "10.1.2.3")
	require.Equal(t, http.StatusOK, code)
	recs := h.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	addr := func(i int) string { v, _ := recs.At(i).Attributes().Get("client.address"); return v.Str() }
	assert.Equal(t, "2001:db8::1", addr(0), "the event's ip, canonical")
	assert.Equal(t, "198.51.100.7", addr(1), "IPv4-mapped IPv6 is unmapped")
	assert.Equal(t, "198.51.100.1", addr(2), "the first untrusted hop from the right")
}

func TestMetaBecomesResource(t *testing.T) {
	h := startHarness(t)
	meta := `{"app_id":"shop","category":"crash","platform":"ios","app_version":"2.1.0","sdk_version":"1.4","device_id":"dev-9",` +
		`"locale":"de-DE","build":1234,"beta":true,"ratio":0.5,"flags":{"a":[1,2]},"nothing":null}`
	code, _, _ := h.post(upload(meta, validEvent("a")))
	require.Equal(t, http.StatusOK, code)
	res := h.logs.AllLogs()[0].ResourceLogs().At(0).Resource().Attributes().AsRaw()
	assert.Equal(t, map[string]any{
		"service.name": "shop", "app.id": "shop", "event.category": "crash", "app.platform": "ios",
		"app.version": "2.1.0", "app.sdk.version": "1.4", "device.id": "dev-9",
		"meta.locale": "de-DE", "meta.build": int64(1234), "meta.beta": true, "meta.ratio": 0.5,
		"meta.flags": `{"a":[1,2]}`,
	}, res)
	md := client.FromContext(h.logs.Contexts()[0]).Metadata
	assert.Equal(t, []string{"shop/dev-9"}, md.Get("event.partition_key"))
	assert.Equal(t, []string{"events.crash"}, md.Get("event.topic"))
}

func TestStructuredBody(t *testing.T) {
	h := startHarness(t, withConfig(func(c *Config) { c.Body = bodyStructured }))
	payload := `{"s":"x\n\u00e9\ud83d\ude00","i":-3,"f":1.5,"big":123456789012345678901234567890,"huge":1e999,"t":true,"n":null,"a":[1,"two",{"three":3}],"o":{}}`
	e := ev(`"id":"a"`, `"name":"n"`, fmt.Sprintf(`"timestamp":%d`, nowMs()), `"payload":`+payload)
	code, _, _ := h.post(upload(defaultMeta, e))
	require.Equal(t, http.StatusOK, code)
	body := h.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body()
	assert.Equal(t, map[string]any{
		"s": "x\né😀", "i": int64(-3), "f": 1.5, "big": "123456789012345678901234567890", "huge": "1e999", "t": true, "n": nil,
		"a": []any{int64(1), "two", map[string]any{"three": int64(3)}}, "o": map[string]any{},
	}, body.AsRaw())
}

func TestJSONBodyKeepsPayloadText(t *testing.T) {
	h := startHarness(t)
	payload := `{"b" : [1, 2.50, "x\u0041"], "a":123456789012345678901234567890}`
	e := ev(`"id":"a"`, `"name":"n"`, fmt.Sprintf(`"timestamp":%d`, nowMs()), `"payload":`+payload)
	_, _, _ = h.post(upload(defaultMeta, e))
	body := h.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body()
	assert.Equal(t, payload, body.Str(), "the payload's JSON text, byte for byte")
}

func TestEscapedStrings(t *testing.T) {
	h := startHarness(t)
	e := ev(`"id":"a\"b\\c"`, `"na\u006de":"caf\u00e9 \ud83d\ude00"`, fmt.Sprintf(`"timestamp":%d`, nowMs()),
		`"attributes":{"k\u0065y":"v\u0000al\tue"}`)
	code, a, _ := h.post(upload(defaultMeta, e))
	require.Equal(t, http.StatusOK, code, "%+v", a)
	assert.Equal(t, `a"b\c`, *a.Parts[0].ID)
	rec := h.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	attrs := rec.Attributes().AsRaw()
	assert.Equal(t, `a"b\c`, attrs["event.id"])
	assert.Equal(t, "café 😀", rec.EventName())
	assert.NotContains(t, attrs, "event.name", "the deprecated attribute is off by default")
	assert.Equal(t, "v\x00al\tue", attrs["key"], "values may hold control characters; keys, ids and names may not")
}

func assertAttr(t *testing.T, attrs map[string]any, key string, want any) {
	t.Helper()
	assert.Equal(t, want, attrs[key], "attribute %s", key)
}
