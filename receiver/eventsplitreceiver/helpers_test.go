package eventsplitreceiver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-events/otelcol-events/components/sharedcomponent"
	"github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver/internal/metadata"
)

// answer is the receiver's JSON answer.
type answer struct {
	Accepted int    `json:"accepted"`
	Rejected int    `json:"rejected"`
	Parts    []part `json:"parts"`
	Error    *struct {
		Code   string `json:"code"`
		Detail string `json:"detail"`
	} `json:"error"`
}

type part struct {
	ID        *string `json:"id"`
	Status    string  `json:"status"`
	BackendID string  `json:"backend_id"`
	Reason    string  `json:"reason"`
	Detail    string  `json:"detail"`
}

// harness is a started receiver with sinks behind it.
type harness struct {
	t      *testing.T
	r      *eventSplitReceiver
	url    string
	logs   *consumertest.LogsSink
	traces *consumertest.TracesSink
	tel    *componenttest.Telemetry
}

type harnessOption func(*harnessConfig)

type harnessConfig struct {
	cfg        *Config
	nextLogs   consumer.Logs
	nextTraces consumer.Traces
	noTraces   bool
}

func withConfig(f func(*Config)) harnessOption { return func(h *harnessConfig) { f(h.cfg) } }
func withLogsConsumer(c consumer.Logs) harnessOption {
	return func(h *harnessConfig) { h.nextLogs = c }
}
func withoutTraces() harnessOption { return func(h *harnessConfig) { h.noTraces = true } }

// startHarness starts the receiver through its factory, in a logs and a
// traces pipeline, on a free loopback port.
func startHarness(t *testing.T, opts ...harnessOption) *harness {
	t.Helper()
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = "127.0.0.1:0"
	hc := &harnessConfig{cfg: cfg}
	for _, o := range opts {
		o(hc)
	}
	require.NoError(t, cfg.Validate())
	h := &harness{t: t, logs: new(consumertest.LogsSink), traces: new(consumertest.TracesSink)}
	if hc.nextLogs == nil {
		hc.nextLogs = h.logs
	}
	if hc.nextTraces == nil {
		hc.nextTraces = h.traces
	}
	h.tel = componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, h.tel.Shutdown(context.Background())) })
	set := receivertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = h.tel.NewTelemetrySettings()
	set.ID = component.NewID(metadata.Type)
	set.BuildInfo.Version = "test"

	lr, err := f.CreateLogs(context.Background(), set, cfg, hc.nextLogs)
	require.NoError(t, err)
	var comps []component.Component
	comps = append(comps, lr)
	if !hc.noTraces {
		tr, err := f.CreateTraces(context.Background(), set, cfg, hc.nextTraces)
		require.NoError(t, err)
		require.Same(t, lr, tr, "logs and traces share one receiver")
		comps = append(comps, tr)
	}
	for _, c := range comps {
		require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	}
	t.Cleanup(func() {
		for _, c := range comps {
			require.NoError(t, c.Shutdown(context.Background()))
		}
	})
	h.r = lr.(*sharedcomponent.Component[*eventSplitReceiver]).Unwrap()
	h.url = "http://" + h.r.addr.String() + cfg.Path
	return h
}

// post uploads body as JSON and decodes the answer.
func (h *harness) post(body string, headers ...string) (int, answer, http.Header) {
	h.t.Helper()
	return h.do(http.MethodPost, []byte(body), append([]string{"Content-Type", "application/json"}, headers...)...)
}

func (h *harness) do(method string, body []byte, headers ...string) (int, answer, http.Header) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url, bytes.NewReader(body))
	require.NoError(h.t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	var a answer
	require.NoError(h.t, json.Unmarshal(raw, &a), "answer is not JSON: %s", raw)
	require.Equal(h.t, "application/json", resp.Header.Get("Content-Type"))
	return resp.StatusCode, a, resp.Header
}

// Building request bodies.

func nowMs() int64 { return time.Now().UnixMilli() }

// ev is an event as a JSON object text.
func ev(fields ...string) string { return "{" + strings.Join(fields, ",") + "}" }

func validEvent(id string) string {
	return ev(fmt.Sprintf(`"id":%q`, id), `"name":"page_view"`, fmt.Sprintf(`"timestamp":%d`, nowMs()))
}

const defaultMeta = `{"app_id":"shop","category":"web"}`

func upload(meta string, events ...string) string {
	return `{"meta":` + meta + `,"data":[` + strings.Join(events, ",") + `]}`
}
