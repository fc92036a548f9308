package sender

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"
)

// The limiter lets spans leave at the target rate: with 100 spans per
// request at 1000/s, request n may leave (n-1)*100 ms after the first.
// Reservations are asked at one fixed instant, so nothing here is timed.
func TestLimiterPacesSpansAtTheRate(t *testing.T) {
	lim := newLimiter(1000, 100)
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	var delays []time.Duration
	for range 4 {
		r := lim.ReserveN(now, 100)
		require.True(t, r.OK())
		delays = append(delays, r.DelayFrom(now))
	}
	assert.Equal(t, []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}, delays)

	unlimited := newLimiter(0, 100)
	assert.True(t, unlimited.AllowN(now, 1e9), "rate 0 never waits")
}

func smallWorkload() *workload.Workload {
	cfg := workload.DefaultConfig()
	cfg.Traces, cfg.TracesPerRequest = 20, 10
	return workload.New(cfg, "run-1")
}

func newSender(t *testing.T, url string) *Sender {
	s, err := New(context.Background(), config.TargetConfig{OTLPEndpoint: url, Timeout: 5 * time.Second})
	require.NoError(t, err)
	return s
}

// A 503 with Retry-After is retried; every span then counts as accepted.
func TestRetryableAnswersAreRetried(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1)%2 == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		body, _ := ptraceotlp.NewExportResponse().MarshalProto()
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	s := newSender(t, srv.URL)
	w := smallWorkload()
	require.NoError(t, s.SendTraces(context.Background(), w))
	_, spans, _ := w.Snapshot()
	assert.Equal(t, spans, s.Counts.SpansAccepted.Load())
	assert.Zero(t, s.Counts.SpansRejected.Load())
	assert.Empty(t, s.Problems())
	traces, _, _ := w.Snapshot()
	for _, tr := range traces {
		assert.True(t, tr.Accepted)
	}
}

// A 400 is final: no retry, the spans count as rejected and the report
// says why.
func TestPermanentRefusalIsNotRetried(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "bad payload", http.StatusBadRequest)
	}))
	defer srv.Close()
	s := newSender(t, srv.URL)
	w := smallWorkload()
	require.NoError(t, s.SendTraces(context.Background(), w))
	assert.Equal(t, int64(w.Requests()), calls.Load(), "one attempt per request")
	assert.Zero(t, s.Counts.SpansAccepted.Load())
	require.NotEmpty(t, s.Problems())
	assert.Contains(t, s.Problems()[0], "HTTP 400 bad payload")
}

// A partial success rejects the spans the collector names.
func TestPartialSuccessCountsRejectedSpans(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp := ptraceotlp.NewExportResponse()
		resp.PartialSuccess().SetRejectedSpans(2)
		resp.PartialSuccess().SetErrorMessage("two spans too old")
		body, _ := resp.MarshalProto()
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	s := newSender(t, srv.URL)
	w := smallWorkload()
	require.NoError(t, s.SendTraces(context.Background(), w))
	assert.Equal(t, int64(2*w.Requests()), s.Counts.SpansRejected.Load())
	assert.Contains(t, s.Problems(), "collector partially rejected spans: two spans too old")
}
