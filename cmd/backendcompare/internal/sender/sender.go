// Package sender posts the workload to the collector under test: traces as
// OTLP/HTTP protobuf (what SDKs send), client events to the eventsplit
// receiver. Requests are paced with golang.org/x/time/rate and retried, as
// the OTLP specification says, with cenkalti/backoff.
package sender // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/sender"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
)

// Counts are read by the progress display while sending.
type Counts struct {
	SpansSent, SpansAccepted, SpansRejected atomic.Int64
	RequestsFailed, RequestsDone            atomic.Int64
	EventsAccepted, EventsRejected          atomic.Int64
}

// Sender posts to one collector.
type Sender struct {
	cfg    config.TargetConfig
	http   *http.Client
	header http.Header
	Counts Counts

	mu       sync.Mutex
	problems []string
}

// New builds the HTTP client from the target's settings (TLS, headers).
func New(ctx context.Context, cfg config.TargetConfig) (*Sender, error) {
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
	return &Sender{cfg: cfg, http: &http.Client{Timeout: cfg.Timeout, Transport: transport}, header: h}, nil
}

// Problems are the first few distinct failures; a run with thousands of
// identical errors needs one line, not thousands.
func (s *Sender) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.problems...)
}

func (s *Sender) problem(msg string) {
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

// maxAttempts bounds the tries of one request.
const maxAttempts = 6

// retryable are the statuses the OTLP spec says to retry.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusBadGateway ||
		status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// answer is a 2xx response.
type answer struct {
	status int
	body   []byte
}

// postWithRetries sends body to url, retrying transport failures and the
// statuses OTLP calls retryable, with exponential backoff or the server's
// Retry-After; any other status is final.
func (s *Sender) postWithRetries(ctx context.Context, url, contentType string, body []byte) (answer, error) {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval = 100*time.Millisecond, 5*time.Second
	return backoff.Retry(ctx, func() (answer, error) {
		status, respBody, retryAfter, err := s.post(ctx, url, contentType, body)
		switch {
		case err != nil:
			return answer{}, err
		case status >= 200 && status < 300:
			return answer{status: status, body: respBody}, nil
		case !retryable(status):
			return answer{status: status, body: respBody}, backoff.Permanent(fmt.Errorf("HTTP %d %s", status, backend.FirstLine(respBody)))
		case retryAfter > 0:
			return answer{}, fmt.Errorf("kept answering HTTP %d: %w", status, backoff.RetryAfter(retryAfter))
		}
		return answer{}, fmt.Errorf("kept answering HTTP %d", status)
	}, backoff.WithBackOff(b), backoff.WithMaxTries(maxAttempts), backoff.WithMaxElapsedTime(0))
}

func (s *Sender) post(ctx context.Context, url, contentType string, body []byte) (int, []byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, 0, backoff.Permanent(err)
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
	retryAfter, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	return resp.StatusCode, respBody, max(retryAfter, 0), nil
}

// endpoint joins a base URL and a path.
func endpoint(base, path string) string { return strings.TrimSuffix(base, "/") + path }

// finalError turns what the retries ended with into the report's words.
func finalError(what string, err error) string {
	var retryAfter *backoff.RetryAfterError
	if errors.As(err, &retryAfter) {
		return fmt.Sprintf("%s: %v after %d attempts", what, err, maxAttempts)
	}
	return fmt.Sprintf("%s: %v", what, err)
}
