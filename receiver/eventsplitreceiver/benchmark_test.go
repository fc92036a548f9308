package eventsplitreceiver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configgrpc"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-events/otelcol-events/components/sharedcomponent"
	"github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver/internal/metadata"
)

// The benchmark upload: 100 events of about 300 bytes, each with an id, a
// name, a timestamp, an ip, `attrs` string attributes (2 or 3) and a small
// nested payload. pdata allocates one value per attribute, so the
// allocations per event grow by one per attribute: both shapes are measured.
const benchEvents = 100

func benchAttributes(i, attrs int) []string {
	all := []string{
		fmt.Sprintf(`"page":"/products/widget-%d"`, i),
		`"referrer":"https://www.example.com/search?q=widgets"`,
		`"session_id":"s-8f3a2b1c"`,
	}
	return all[:attrs]
}

func benchUpload(attrs int) []byte { return benchUploadFrom(attrs, true) }

// benchDeviceUpload is benchUpload as a device sends it: no event names an
// ip, all take the peer's.
func benchDeviceUpload(attrs int) []byte { return benchUploadFrom(attrs, false) }

func benchUploadFrom(attrs int, eventIPs bool) []byte {
	events := make([]string, benchEvents)
	for i := range events {
		ip := ""
		if eventIPs {
			ip = fmt.Sprintf(`"ip":"203.0.113.%d",`, i%250)
		}
		events[i] = fmt.Sprintf(`{"id":"0192f1e4-6c1a-7b3e-9d2f-6a5b4c3d%04d","name":"page_view","timestamp":1763730000000,`+
			`%s"attributes":{%s},"payload":{"duration_ms":1234,"scroll_depth":0.82,`+
			`"viewport":{"w":390,"h":844},"experiments":["checkout-v2","dark-mode"],"release":"2026.11.3"}}`,
			i, ip, strings.Join(benchAttributes(i, attrs), ","))
	}
	return []byte(upload(`{"app_id":"shop-web","category":"page_view","platform":"web","app_version":"5.2.0","device_id":"d-1"}`, events...))
}

// benchOTLPLogs is the same 100 events as an OTLP/HTTP JSON logs request,
// carrying what the eventsplit receiver makes of them: the same resource,
// attributes and body.
func benchOTLPLogs(attrs int) []byte {
	var b strings.Builder
	b.WriteString(`{"resourceLogs":[{"resource":{"attributes":[` +
		`{"key":"service.name","value":{"stringValue":"shop-web"}},{"key":"app.id","value":{"stringValue":"shop-web"}},` +
		`{"key":"event.category","value":{"stringValue":"page_view"}},{"key":"app.platform","value":{"stringValue":"web"}},` +
		`{"key":"app.version","value":{"stringValue":"5.2.0"}},{"key":"device.id","value":{"stringValue":"d-1"}}]},` +
		`"scopeLogs":[{"logRecords":[`)
	for i := 0; i < benchEvents; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"timeUnixNano":"1763730000000000000","eventName":"page_view","attributes":[`+
			`{"key":"event.id","value":{"stringValue":"0192f1e4-6c1a-7b3e-9d2f-6a5b4c3d%04d"}},`+
			`{"key":"event.name","value":{"stringValue":"page_view"}},`+
			`{"key":"event.backend_id","value":{"stringValue":"0192f1e4-6c1a-7b3e-9d2f-6a5b4c3e%04d"}},`+
			`{"key":"client.address","value":{"stringValue":"203.0.113.%d"}}`, i, i, i%250)
		for _, a := range benchAttributes(i, attrs) {
			k, v, _ := strings.Cut(a, ":")
			fmt.Fprintf(&b, `,{"key":%s,"value":{"stringValue":%s}}`, k, v)
		}
		b.WriteString(`],"body":{"stringValue":"{\"duration_ms\":1234,\"scroll_depth\":0.82,\"viewport\":{\"w\":390,\"h\":844},` +
			`\"experiments\":[\"checkout-v2\",\"dark-mode\"],\"release\":\"2026.11.3\"}"}}`)
	}
	b.WriteString(`]}]}]}`)
	return []byte(b.String())
}

// BenchmarkUpload posts the same 100 events over HTTP on loopback into a
// no-op consumer: to the eventsplit receiver, and, as the baseline, as
// OTLP/HTTP JSON to the collector's own otlpreceiver. The load comes from a
// separate process (this test binary re-run as TestLoadGenerator), so the
// reported allocations are the server's alone: divide allocs/op by 100 for
// allocations per event. events/s is measured by the load generator.
//
//	go test -run '^$' -bench BenchmarkUpload -benchtime 20000x ./receiver/eventsplitreceiver/
func BenchmarkUpload(b *testing.B) {
	for _, attrs := range []int{2, 3} {
		b.Run(fmt.Sprintf("attrs=%d/receiver=eventsplit", attrs), func(b *testing.B) {
			runUploads(b, startBenchEventSplit(b, false, clientAddressOnEvent), benchUpload(attrs))
		})
		b.Run(fmt.Sprintf("attrs=%d/receiver=eventsplit_with_ingest_spans", attrs), func(b *testing.B) {
			runUploads(b, startBenchEventSplit(b, true, clientAddressOnEvent), benchUpload(attrs))
		})
		// A device's upload, with the address on each event and on the
		// resource (client_address).
		for _, where := range []string{clientAddressOnEvent, clientAddressOnResource} {
			b.Run(fmt.Sprintf("attrs=%d/receiver=eventsplit_device_upload/client_address=%s", attrs, where), func(b *testing.B) {
				runUploads(b, startBenchEventSplit(b, false, where), benchDeviceUpload(attrs))
			})
		}
		b.Run(fmt.Sprintf("attrs=%d/receiver=otlp_json_baseline", attrs), func(b *testing.B) {
			runUploads(b, startBenchOTLP(b), benchOTLPLogs(attrs))
		})
	}
}

func startBenchEventSplit(b *testing.B, withTraces bool, clientAddress string) string {
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = "127.0.0.1:0"
	cfg.ClientAddress = clientAddress
	cfg.MaxAge = 100 * 365 * 24 * time.Hour
	set := receivertest.NewNopSettings(metadata.Type)
	r, err := f.CreateLogs(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(b, err)
	if withTraces {
		_, err = f.CreateTraces(context.Background(), set, cfg, consumertest.NewNop())
		require.NoError(b, err)
	}
	require.NoError(b, r.Start(context.Background(), componenttest.NewNopHost()))
	b.Cleanup(func() { require.NoError(b, r.Shutdown(context.Background())) })
	return "http://" + r.(*sharedcomponent.Component[*eventSplitReceiver]).Unwrap().addr.String() + cfg.Path
}

func startBenchOTLP(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	endpoint := l.Addr().String()
	require.NoError(b, l.Close())

	f := otlpreceiver.NewFactory()
	cfg := f.CreateDefaultConfig().(*otlpreceiver.Config)
	cfg.Protocols.GRPC = configoptional.None[configgrpc.ServerConfig]() // HTTP only, like the eventsplit receiver
	cfg.Protocols.HTTP.GetOrInsertDefault().ServerConfig.NetAddr.Endpoint = endpoint
	r, err := f.CreateLogs(context.Background(), receivertest.NewNopSettings(component.MustNewType("otlp")), cfg, consumertest.NewNop())
	require.NoError(b, err)
	require.NoError(b, r.Start(context.Background(), componenttest.NewNopHost()))
	b.Cleanup(func() { require.NoError(b, r.Shutdown(context.Background())) })
	return "http://" + endpoint + "/v1/logs"
}

// runUploads has a load-generator process post body b.N times and reports
// events/s as the generator measured it.
func runUploads(b *testing.B, url string, body []byte) {
	bodyFile := filepath.Join(b.TempDir(), "body.json")
	require.NoError(b, os.WriteFile(bodyFile, body, 0o600))
	self, err := os.Executable()
	require.NoError(b, err)

	run := func(requests int) float64 {
		cmd := exec.Command(self, "-test.run", "^TestLoadGenerator$", "-test.count", "1")
		cmd.Env = append(os.Environ(),
			"LOADGEN_URL="+url, "LOADGEN_BODY="+bodyFile,
			"LOADGEN_REQUESTS="+strconv.Itoa(requests), "LOADGEN_CONNECTIONS=8")
		out, err := cmd.CombinedOutput()
		require.NoError(b, err, "%s", out)
		m := regexp.MustCompile(`loadgen: (\d+) requests in (\d+) ns`).FindSubmatch(out)
		require.NotNil(b, m, "%s", out)
		ns, _ := strconv.ParseFloat(string(m[2]), 64)
		return ns
	}
	run(50) // warm up connections and check the upload is accepted
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	ns := run(b.N)
	b.StopTimer()
	b.ReportMetric(float64(b.N*benchEvents)/(ns/1e9), "events/s")
}

// TestLoadGenerator is the load-generator process of BenchmarkUpload; run
// by itself it skips.
func TestLoadGenerator(t *testing.T) {
	url := os.Getenv("LOADGEN_URL")
	if url == "" {
		t.Skip("the load generator of BenchmarkUpload")
	}
	body, err := os.ReadFile(os.Getenv("LOADGEN_BODY"))
	require.NoError(t, err)
	requests, _ := strconv.Atoi(os.Getenv("LOADGEN_REQUESTS"))
	connections, _ := strconv.Atoi(os.Getenv("LOADGEN_CONNECTIONS"))
	transport := &http.Transport{MaxIdleConnsPerHost: connections, DisableCompression: true}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport}

	var next atomic.Int64
	var failures atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < connections; c++ {
		wg.Go(func() {
			for next.Add(1) <= int64(requests) {
				resp, err := client.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					failures.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failures.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	require.Zero(t, failures.Load(), "failed uploads")
	fmt.Printf("loadgen: %d requests in %d ns\n", requests, elapsed.Nanoseconds())
}

// BenchmarkHandler runs one upload through the eventsplit handler alone,
// without the network or an HTTP client, so allocs/op is the receiver's own
// cost of 100 events: divide by 100 for allocations per event.
func BenchmarkHandler(b *testing.B) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.MaxAge = 100 * 365 * 24 * time.Hour
	r, err := f.CreateLogs(context.Background(), receivertest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.NoError(b, err)
	h := r.(*sharedcomponent.Component[*eventSplitReceiver]).Unwrap()
	body := benchUpload(2)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodPost, "/v1/events", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = int64(len(body))
		w := discardResponse{header: http.Header{}}
		h.ServeHTTP(&w, req)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*benchEvents)/b.Elapsed().Seconds(), "events/s")
}

type discardResponse struct {
	header http.Header
	status int
}

func (d *discardResponse) Header() http.Header         { return d.header }
func (d *discardResponse) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardResponse) WriteHeader(status int)      { d.status = status }

// BenchmarkSkipValue times skipValue, which skips every event's payload,
// over a payload deeper than benchUpload's: every kind of value, empty
// containers and four levels of nesting, so each branch of the walk runs.
func BenchmarkSkipValue(b *testing.B) {
	payload := []byte(`{"duration_ms":1234,"scroll_depth":0.82,"frames":[{"file":"main.js","line":10,"col":[1,2,3]},` +
		`{"file":"app.js","line":20,"ok":true,"x":null}],"tags":["a","b","c"],"nested":{"a":{"b":{"c":[[],{}]}}}}`)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		s := scanner{buf: payload}
		if _, err := s.skipValue(); err != nil {
			b.Fatal(err)
		}
	}
}
