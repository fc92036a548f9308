//go:build integration

package integration

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-events/otelcol-events/internal/kafkatopictest"
)

// The collector's own spans (the agent's ingest spans and the gateway's
// consumer spans) cross Kafka in records of many traces by default, and one
// record per trace, keyed by its id, with KAFKA_OWN_SPANS_BY_TRACE=true.
// Either way every span reaches ClickHouse.
func TestOwnSpansKafkaRecords(t *testing.T) {
	for _, byTrace := range []bool{false, true} {
		t.Run("by_trace="+strconv.FormatBool(byTrace), func(t *testing.T) {
			s := startLinkedStackWith(t, linkedOptions{env: map[string]string{
				"KAFKA_OWN_SPANS_BY_TRACE": strconv.FormatBool(byTrace),
			}})
			const uploads = 20 // each a trace of its own: no traceparent
			uploadAtOnce(t, s.agent.Endpoints.Events, uploads)
			spans := 2 * uploads // an ingest span and a consumer span each
			waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_traces", s.db), spans, 120*time.Second)

			records := readSpanRecords(t, s.kafkaAddr, spans)
			keyedByTrace, shared := 0, 0
			for _, r := range records {
				if len(r.traceIDs) > 1 {
					shared++
				}
				if len(r.traceIDs) == 1 && r.key == r.traceIDs[0] {
					keyedByTrace++
				}
			}
			t.Logf("%d spans of %d traces in %d records: %d keyed by their trace, %d of several traces",
				spans, uploads, len(records), keyedByTrace, shared)
			if byTrace {
				assert.Equal(t, len(records), keyedByTrace, "every record holds one trace, keyed by its id")
			} else {
				assert.Positive(t, shared, "no record holds spans of several traces")
				assert.Zero(t, keyedByTrace, "no record is keyed by a trace id")
			}
		})
	}
}

// uploadAtOnce sends n one-event uploads at the same time, so that their
// spans are exported in the same batches.
func uploadAtOnce(t *testing.T, endpoint string, n int) {
	t.Helper()
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			accepted, err := postEvents(http.DefaultClient, endpoint, eventsBody("page_view", fmt.Sprintf("own-%d", i), 1))
			if err == nil && accepted != 1 {
				err = fmt.Errorf("upload %d: %d events accepted, want 1", i, accepted)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// spanRecord is what one otlp_spans record carried: its key and the
// distinct trace ids of its spans.
type spanRecord struct {
	key      string
	traceIDs []string
}

// readSpanRecords reads otlp_spans from the start until its records hold
// spans spans.
func readSpanRecords(t *testing.T, brokers string, spans int) []spanRecord {
	t.Helper()
	var records []spanRecord
	seen := 0
	kafkatopictest.ReadFromStart(t, []string{brokers}, "otlp_spans", func(rec *kgo.Record) bool {
		td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(rec.Value)
		require.NoError(t, err)
		seen += td.SpanCount()
		records = append(records, spanRecord{key: string(rec.Key), traceIDs: distinctTraceIDs(td)})
		return seen >= spans
	})
	return records
}

// distinctTraceIDs lists the trace ids of td's spans, each once, in the
// order they first appear.
func distinctTraceIDs(td ptrace.Traces) []string {
	seen := map[string]bool{}
	var ids []string
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, span := range ss.Spans().All() {
				if id := span.TraceID().String(); !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}
