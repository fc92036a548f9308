package eventsplitreceiver

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver/internal/metadata"
)

func TestTracesOnlyRefusesToStart(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = "127.0.0.1:0"
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = component.NewIDWithName(metadata.Type, "spans_only")
	tr, err := f.CreateTraces(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	err = tr.Start(context.Background(), componenttest.NewNopHost())
	require.ErrorContains(t, err, `eventsplit receiver "eventsplit/spans_only" is only in traces pipelines`)
	require.NoError(t, tr.Shutdown(context.Background()))
}

// Logs alone, logs and traces, started and stopped twice: a stopped
// receiver is forgotten, so the same config gets a fresh one.
func TestLifecycle(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = "127.0.0.1:0"
	set := receivertest.NewNopSettings(metadata.Type)
	for round := 0; round < 2; round++ {
		lr, err := f.CreateLogs(context.Background(), set, cfg, consumertest.NewNop())
		require.NoError(t, err)
		tr, err := f.CreateTraces(context.Background(), set, cfg, consumertest.NewNop())
		require.NoError(t, err)
		require.Same(t, lr, tr)
		require.NoError(t, lr.Start(context.Background(), componenttest.NewNopHost()))
		require.NoError(t, tr.Start(context.Background(), componenttest.NewNopHost()))
		require.NoError(t, lr.Shutdown(context.Background()))
		require.NoError(t, tr.Shutdown(context.Background()))
	}
	lr, err := f.CreateLogs(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, lr.Shutdown(context.Background()), "shutdown without start")
}

// Shutdown waits for uploads in flight: an answer of "accepted" always means
// the pipeline took the events.
func TestShutdownWaitsForUploadsInFlight(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var consumed atomic.Bool
	slow := consumerFunc(func(ctx context.Context, ld plog.Logs) error {
		close(entered)
		<-release
		consumed.Store(true)
		return nil
	})
	sink := new(consumertest.LogsSink)
	h := startHarness(t, withLogsConsumer(chain(slow, sink)))
	done := make(chan int)
	go func() {
		code, _, _ := h.post(upload(defaultMeta, validEvent("a")))
		done <- code
	}()
	<-entered
	shut := make(chan error)
	go func() { shut <- h.r.Shutdown(context.Background()) }()
	close(release)
	require.NoError(t, <-shut)
	assert.True(t, consumed.Load(), "Shutdown returned only after the upload in flight was passed on")
	assert.Equal(t, http.StatusOK, <-done)
	assert.Equal(t, 1, sink.LogRecordCount())
}

// An upload stuck in the pipeline (a Kafka producer waiting for a vanished
// broker) does not hold Shutdown beyond shutdown_timeout: its connection is
// closed, and it was not acknowledged.
func TestShutdownClosesUploadsStuckInThePipeline(t *testing.T) {
	entered, stuck := make(chan struct{}), make(chan struct{})
	defer close(stuck)
	h := startHarness(t, withConfig(func(c *Config) { c.ShutdownTimeout = 100 * time.Millisecond }),
		withLogsConsumer(chain(func(context.Context, plog.Logs) error {
			close(entered)
			<-stuck
			return nil
		}, consumertest.NewNop())))
	answered := make(chan error, 1)
	go func() {
		resp, err := http.Post(h.url, "application/json", strings.NewReader(upload(defaultMeta, validEvent("a"))))
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("answered %d", resp.StatusCode)
		}
		answered <- err
	}()
	<-entered
	require.NoError(t, h.r.Shutdown(context.Background()))
	err := <-answered
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "answered 200", "nothing stuck was acknowledged")
}

type consumerFunc func(context.Context, plog.Logs) error

func chain(first consumerFunc, then consumer.Logs) consumer.Logs {
	c, _ := consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error {
		if err := first(ctx, ld); err != nil {
			return err
		}
		return then.ConsumeLogs(ctx, ld)
	})
	return c
}

// In a logs pipeline alone the receiver takes uploads as usual and makes no
// ingest spans: there is nowhere to send them.
func TestLogsOnlyReceiver(t *testing.T) {
	h := startHarness(t, withoutTraces())
	code, a, _ := h.post(upload(defaultMeta, validEvent("a"), validEvent("b")))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, 2, a.Accepted)
	assert.Equal(t, 2, h.logs.LogRecordCount())
	assert.Zero(t, h.traces.SpanCount())
}
