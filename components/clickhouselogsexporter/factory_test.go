package clickhouselogsexporter

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter/internal/metadata"
)

// TestSharedLogsAreNotCopied: with the batcher on, the exporter still
// tells the pipeline it changes nothing, so a fan-out shares logs with it
// instead of copying them, and it takes logs marked read-only, as a
// fan-out marks them, through the exporter helper's real queue and
// batcher: requests merged into one batch, no panic, the insert's error
// (no server listens) answered to every caller.
func TestSharedLogsAreNotCopied(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Endpoint = closedAddress(t)
	cfg.DialTimeout = time.Second
	cfg.BackOffConfig.Enabled = false
	queue := exporterhelper.NewDefaultQueueConfig()
	queue.WaitForResult = true
	queue.Batch = configoptional.Some(exporterhelper.BatchConfig{
		Sizer: exporterhelper.RequestSizerTypeItems, MinSize: 20, MaxSize: 25, FlushTimeout: 50 * time.Millisecond,
	})
	cfg.QueueConfig = configoptional.Some(queue)
	require.NoError(t, cfg.Validate())

	exp, err := NewFactory().CreateLogs(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	assert.False(t, exp.Capabilities().MutatesData)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, exp.Shutdown(context.Background())) }()

	var wg sync.WaitGroup
	for i := range 4 {
		ld := unevenLogs() // 9 records: batches of 25 cut requests apart
		ld.MarkReadOnly()
		wg.Go(func() {
			err := exp.ConsumeLogs(context.Background(), ld)
			assert.ErrorContains(t, err, "connect to", "request %d", i)
		})
	}
	wg.Wait()
}

// closedAddress is a loopback address nothing listens on.
func closedAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	address := l.Addr().String()
	require.NoError(t, l.Close())
	return address
}
