package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
)

// API talks to one HTTP API of a backend (ClickHouse's HTTP
// interface, Jaeger's query API, Elasticsearch) and turns transport and
// status failures into messages that say what to fix.
type API struct {
	// what names the API in errors: "ClickHouse", "Jaeger query", ...
	what     string
	base     *url.URL
	username string
	password string
	header   http.Header
	http     *http.Client
	// recordDir, when set, receives the first response of every request
	// kind, to refresh the adapters' test fixtures from real services.
	recordDir string
	recorded  sync.Map
}

// MaxResponseBytes bounds what one answer may hold; a trace search over a
// large window can be big, but never this big in a comparison run.
const MaxResponseBytes = 256 << 20

func NewAPI(ctx context.Context, what string, ep config.HTTPEndpoint, timeout time.Duration, recordDir string) (*API, error) {
	u, err := url.Parse(ep.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("%s endpoint %q: %w", what, ep.Endpoint, err)
	}
	tlsCfg, err := ep.TLS.LoadTLSConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s TLS settings: %w", what, err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsCfg
	return &API{
		what:      what,
		base:      u,
		username:  ep.Username,
		password:  string(ep.Password),
		header:    http.Header{},
		http:      &http.Client{Timeout: timeout, Transport: transport},
		recordDir: recordDir,
	}, nil
}

// APIError is a non-2xx answer.
type APIError struct {
	what   string
	Status int
	body   string
}

func (e *APIError) Error() string {
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Sprintf("%s refused the credentials (HTTP %d): %s — check username and password in the config", e.what, e.Status, e.body)
	default:
		return fmt.Sprintf("%s answered HTTP %d: %s", e.what, e.Status, e.body)
	}
}

// Do sends one request and returns the body of a 2xx answer. kind names
// the request for recording ("count", "trace_by_id", ...).
func (c *API) Do(ctx context.Context, kind, method, path string, query url.Values, body []byte, header http.Header) ([]byte, error) {
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = query.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.username != "" && req.Header.Get("Authorization") == "" {
		req.SetBasicAuth(c.username, c.password)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: reading the answer: %w", c.what, err)
	}
	if len(data) > MaxResponseBytes {
		return nil, fmt.Errorf("%s: answer larger than %d MiB", c.what, MaxResponseBytes>>20)
	}
	c.record(kind, resp.StatusCode, data)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return data, &APIError{what: c.what, Status: resp.StatusCode, body: errorSummary(data)}
	}
	return data, nil
}

func (c *API) transportError(err error) error {
	var nerr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("cannot reach %s at %s: connection refused (is it running, and is the endpoint right?)", c.what, c.base.Redacted())
	case errors.As(err, &nerr) && nerr.Timeout():
		return fmt.Errorf("%s at %s did not answer within %s", c.what, c.base.Redacted(), c.http.Timeout)
	default:
		return fmt.Errorf("cannot reach %s at %s: %w", c.what, c.base.Redacted(), err)
	}
}

// record keeps the first answer of each kind and status under recordDir.
func (c *API) record(kind string, status int, data []byte) {
	if c.recordDir == "" {
		return
	}
	name := fmt.Sprintf("%s-%s-%d.json", strings.ReplaceAll(strings.ToLower(c.what), " ", "_"), kind, status)
	if _, done := c.recorded.LoadOrStore(name, true); done {
		return
	}
	if err := os.MkdirAll(c.recordDir, 0o750); err == nil {
		_ = os.WriteFile(filepath.Join(c.recordDir, name), data, 0o644)
	}
}

// errorSummary picks the reason out of an Elasticsearch-style JSON error
// ({"error":{"type":..,"reason":..}}) and falls back to the first line.
func errorSummary(body []byte) string {
	var es struct {
		Error struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &es) == nil && es.Error.Reason != "" {
		return es.Error.Type + ": " + es.Error.Reason
	}
	return FirstLine(body)
}

// FirstLine shortens an error body to something fit for one message line.
func FirstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	const limit = 300
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	if s == "" {
		s = "(empty body)"
	}
	return s
}

// Endpoint is the API's base URL with any password hidden, for messages.
func (c *API) Endpoint() string { return c.base.Redacted() }
