package eventsplitreceiver

import (
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/plog"
)

// FuzzDecode feeds arbitrary bodies to the decoder, with either body and
// either place for the client address. Whatever comes in: no
// panic; when the envelope is accepted, every event sent is either accepted
// or rejected (accepted + rejected = events sent), exactly the accepted ones
// become records, and the answer is valid JSON that says the same.
func FuzzDecode(f *testing.F) {
	now := time.UnixMilli(1763730000000)
	for _, seed := range []string{
		goldenUpload,
		`{"meta":{"app_id":"a","category":"c"},"data":[{"id":"1","name":"n","timestamp":1763730000000}]}`,
		`{"meta":{"app_id":"a","category":"c"},"data":[{"id":"1","name":"n","timestamp":1763730000000,"payload":[[[[{}]]]]},"x",{"id":"1"}]}`,
		`{"data":[{"id":"\ud83d\ude00","name":"\u0000","timestamp":1763730000000,"attributes":{"a":1e5,"b":"\\"}}],"meta":{"app_id":"a","category":"c","x":{"y":[]}}}`,
		`{"meta":{"app_id":"a","category":"c"},"data":[1,true,null,[],{"id":1}]}`,
		`{"meta":{},"data":[]}`, `[`, `{"meta":{"app_id":"a","category":"c"},"data":[{"id":"1",}]}`, "",
	} {
		f.Add([]byte(seed), false, false)
	}
	f.Add([]byte(goldenUpload), false, true)
	f.Fuzz(func(t *testing.T, body []byte, structured, addressOnResource bool) {
		d := decoder{
			limits:            createDefaultConfig().(*Config).Limits,
			maxFutureSkew:     time.Hour,
			maxAge:            7 * 24 * time.Hour,
			structuredBody:    structured,
			addressOnResource: addressOnResource,
			ids:               &backendIDs{now: func() time.Time { return now }},
		}
		d.limits.MaxEvents = 50
		d.limits.MaxDepth = 8
		st := newDecodeState()
		// The decoder refers into the body; the fuzzer reuses its buffer.
		body = append([]byte(nil), body...)

		rerr := d.parse(st, body, now)
		if rerr != nil {
			if rerr.code == errMalformedJSON && json.Valid(body) && utf8.Valid(body) {
				t.Fatalf("valid JSON reported malformed: %v", rerr)
			}
			_ = appendRequestError(nil, rerr)
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted a body encoding/json calls invalid")
		}
		var envelope struct {
			Data []json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(body, &envelope); err != nil {
			t.Fatalf("accepted envelope does not unmarshal: %v", err)
		}
		sent := len(envelope.Data)
		accepted, rejected := st.valid, len(st.views)-st.valid
		if accepted+rejected != sent {
			t.Fatalf("accepted %d + rejected %d != %d events sent", accepted, rejected, sent)
		}

		logs := plog.NewLogs()
		if _, err := d.build(st, &recordContext{}, st.views, logs); err != nil {
			t.Fatal(err)
		}
		if logs.LogRecordCount() != accepted {
			t.Fatalf("%d records for %d accepted events", logs.LogRecordCount(), accepted)
		}
		var a answer
		out := appendAnswer(nil, st.views, accepted, rejected, nil)
		if err := json.Unmarshal(out, &a); err != nil {
			t.Fatalf("answer is not JSON: %v\n%s", err, out)
		}
		if a.Accepted != accepted || a.Rejected != rejected || len(a.Parts) != sent {
			t.Fatalf("answer %+v disagrees with %d/%d of %d", a, accepted, rejected, sent)
		}
	})
}
