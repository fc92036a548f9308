package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// sender posts the workload to the collector under test: traces as
// OTLP/HTTP protobuf (what SDKs send), events to the eventsplit receiver.
type sender struct {
	cfg    TargetConfig
	http   *http.Client
	header http.Header

	// Counters read by the progress display while sending.
	spansSent, spansAccepted, spansRejected atomic.Int64
	requestsFailed, requestsDone            atomic.Int64
	eventsAccepted, eventsRejected          atomic.Int64

	mu       sync.Mutex
	problems []string
}

func newSender(ctx context.Context, cfg TargetConfig) (*sender, error) {
	tlsCfg, err := cfg.TLS.LoadTLSConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("collector TLS settings: %w", err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsCfg
	transport.MaxIdleConnsPerHost = 64
	h := http.Header{}
	for k, v := range cfg.Headers {
		h.Set(k, string(v))
	}
	return &sender{cfg: cfg, http: &http.Client{Timeout: cfg.Timeout, Transport: transport}, header: h}, nil
}

// problem keeps the first few distinct failures for the report; a run
// with thousands of identical errors needs one line, not thousands.
func (s *sender) problem(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.problems {
		if p == msg {
			return
		}
	}
	if len(s.problems) < 5 {
		s.problems = append(s.problems, msg)
	}
}

// pacer spreads requests so that spans leave at the target rate: the
// request carrying spans n..n+k may leave at start + n/rate.
type pacer struct {
	rate  float64
	start time.Time
	mu    sync.Mutex
	spans int64
	// sleep waits d or until ctx ends; replaced in tests.
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
}

func newPacer(rate float64) *pacer {
	return &pacer{rate: rate, start: time.Now(), sleep: sleepContext, now: time.Now}
}

func (p *pacer) wait(ctx context.Context, spans int) error {
	if p.rate <= 0 {
		return ctx.Err()
	}
	p.mu.Lock()
	due := p.start.Add(time.Duration(float64(p.spans) / p.rate * float64(time.Second)))
	p.spans += int64(spans)
	p.mu.Unlock()
	if d := due.Sub(p.now()); d > 0 {
		return p.sleep(ctx, d)
	}
	return ctx.Err()
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// sendTraces sends every request of the workload with cfg.Concurrency
// workers and returns when all are answered or ctx ends.
func (s *sender) sendTraces(ctx context.Context, w *workload) error {
	jobs := make(chan int)
	p := newPacer(w.cfg.Rate)
	var wg sync.WaitGroup
	for range w.cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range jobs {
				td, spans := w.batch(k, time.Now())
				if err := p.wait(ctx, spans); err != nil {
					return
				}
				body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
				if err != nil {
					s.problem("encoding OTLP: " + err.Error())
					s.requestsFailed.Add(1)
					s.requestsDone.Add(1)
					continue
				}
				s.spansSent.Add(int64(spans))
				if s.postTraces(ctx, body, spans) {
					w.markAccepted(k)
				}
				s.requestsDone.Add(1)
			}
		}()
	}
	var err error
feed:
	for k := range w.requests() {
		select {
		case jobs <- k:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return err
}

// retryable are the statuses the OTLP spec says to retry.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusBadGateway ||
		status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

const maxAttempts = 6

// postTraces sends one request, retrying what the OTLP spec says to retry,
// and reports whether the collector accepted every span of it.
func (s *sender) postTraces(ctx context.Context, body []byte, spans int) bool {
	url := strings.TrimSuffix(s.cfg.OTLPEndpoint, "/") + "/v1/traces"
	backoff := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		status, respBody, retryAfter, err := s.post(ctx, url, "application/x-protobuf", body)
		switch {
		case err == nil && status == http.StatusOK:
			resp := ptraceotlp.NewExportResponse()
			rejected := int64(0)
			if len(respBody) > 0 {
				if uerr := resp.UnmarshalProto(respBody); uerr == nil {
					rejected = resp.PartialSuccess().RejectedSpans()
					if msg := resp.PartialSuccess().ErrorMessage(); msg != "" {
						s.problem("collector partially rejected spans: " + msg)
					}
				}
			}
			s.spansAccepted.Add(int64(spans) - rejected)
			s.spansRejected.Add(rejected)
			return rejected == 0
		case err == nil && !retryable(status):
			s.problem(fmt.Sprintf("collector refused traces: HTTP %d %s", status, firstLine(respBody)))
			s.spansRejected.Add(int64(spans))
			s.requestsFailed.Add(1)
			return false
		}
		if attempt == maxAttempts || ctx.Err() != nil {
			if err != nil {
				s.problem(err.Error())
			} else {
				s.problem(fmt.Sprintf("collector kept answering HTTP %d after %d attempts", status, attempt))
			}
			s.spansRejected.Add(int64(spans))
			s.requestsFailed.Add(1)
			return false
		}
		wait := max(backoff, retryAfter)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (s *sender) post(ctx context.Context, url, contentType string, body []byte) (int, []byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, 0, err
	}
	for k, v := range s.header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, nil, 0, fmt.Errorf("cannot reach the collector at %s: %w", url, err)
	}
	defer resp.Body.Close()
	respBody, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var retryAfter time.Duration
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
		retryAfter = time.Duration(secs) * time.Second
	}
	return resp.StatusCode, respBody, retryAfter, nil
}

// eventUpload is the eventsplit receiver's envelope (see its README).
type eventUpload struct {
	Meta struct {
		AppID    string `json:"app_id"`
		Category string `json:"category"`
		Platform string `json:"platform"`
	} `json:"meta"`
	Data []uploadedEvent `json:"data"`
}

type uploadedEvent struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Timestamp  int64             `json:"timestamp"`
	IP         string            `json:"ip"`
	Attributes map[string]string `json:"attributes"`
	Payload    map[string]any    `json:"payload"`
}

var eventNames = [...]string{"page_view", "click", "add_to_cart", "checkout", "crash"}

// sendEvents uploads w.cfg.Events events, EventsPerUpload per request, each
// carrying the run id as an attribute (it becomes a log attribute).
func (s *sender) sendEvents(ctx context.Context, w *workload) {
	url := strings.TrimSuffix(s.cfg.EventsEndpoint, "/") + "/v1/events"
	for first := 0; first < w.cfg.Events && ctx.Err() == nil; first += w.cfg.EventsPerUpload {
		var up eventUpload
		up.Meta.AppID, up.Meta.Category, up.Meta.Platform = "backendcompare", "benchmark", "web"
		now := time.Now().UnixMilli()
		for i := first; i < min(first+w.cfg.EventsPerUpload, w.cfg.Events); i++ {
			up.Data = append(up.Data, uploadedEvent{
				ID:        fmt.Sprintf("%s-%d", w.runID, i),
				Name:      eventNames[i%len(eventNames)],
				Timestamp: now,
				IP:        w.clientIPs[i%len(w.clientIPs)],
				Attributes: map[string]string{
					runIDKey: w.runID,
					"page":   httpRoutes[i%len(httpRoutes)],
				},
				Payload: map[string]any{"duration_ms": i % 500},
			})
		}
		body, err := json.Marshal(up)
		if err != nil {
			s.problem("encoding events: " + err.Error())
			return
		}
		status, respBody, _, err := s.post(ctx, url, "application/json", body)
		if err != nil {
			s.problem(err.Error())
			s.eventsRejected.Add(int64(len(up.Data)))
			continue
		}
		var answer struct {
			Accepted int64 `json:"accepted"`
			Rejected int64 `json:"rejected"`
		}
		if (status == http.StatusOK || status == http.StatusMultiStatus) && json.Unmarshal(respBody, &answer) == nil {
			s.eventsAccepted.Add(answer.Accepted)
			s.eventsRejected.Add(int64(len(up.Data)) - answer.Accepted)
			if answer.Rejected > 0 {
				s.problem(fmt.Sprintf("eventsplit rejected events: %s", firstLine(respBody)))
			}
			continue
		}
		s.problem(fmt.Sprintf("eventsplit refused an upload: HTTP %d %s", status, firstLine(respBody)))
		s.eventsRejected.Add(int64(len(up.Data)))
	}
}
