// Package backend is what the comparison needs of a trace store, and the
// HTTP client every adapter talks through. Adapters live in its
// subpackages, one per product.
package backend // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"
)

// Backend is one trace store under comparison. Every method answers from
// the store itself, never from what the tool sent.
type Backend interface {
	// Check verifies the backend answers and accepts the credentials, and
	// returns a short description (product and version) for the report.
	Check(ctx context.Context) (string, error)
	// CountSpans counts the spans of the run the store can serve.
	CountSpans(ctx context.Context, run Run) (int64, error)
	// CountEvents counts the stored client events of a run;
	// ErrEventsNotStored when the backend does not hold events.
	CountEvents(ctx context.Context, runID string) (int64, error)
	// Storage measures the bytes on disk of the backend's trace data.
	Storage(ctx context.Context) (StorageStats, error)
	// TraceByID fetches a whole trace and returns its span count (0: not
	// found). start and end hint where the trace lies.
	TraceByID(ctx context.Context, id pcommon.TraceID, start, end time.Time) (int, error)
	// SearchTraces finds the traces of a service in a window with a span
	// attribute, fetches them, and returns how many distinct traces came back.
	SearchTraces(ctx context.Context, q TraceSearch) (int, error)
}

// Run is what a count may use to find a run's data: its id (every span
// carries it as resource attribute workload.RunIDKey) and the traces the
// collector accepted, for stores that can only be asked trace by trace.
type Run struct {
	ID     string
	Traces []workload.Trace
}

// ErrEventsNotStored is what CountEvents answers for a backend that does not hold client events.
var ErrEventsNotStored = errors.New("this backend does not store client events")

// StorageStats is the on-disk size of a backend's trace storage.
type StorageStats struct {
	Bytes int64 `json:"bytes"`
	// Documents is the rows (ClickHouse), documents (Elasticsearch) or
	// files (Badger) behind Bytes.
	Documents int64 `json:"documents"`
	// Parts lists each table's, index's or file kind's share.
	Parts map[string]int64 `json:"parts,omitempty"`
}

// TraceSearch is the "traces of a service in a window with an attribute"
// query, scoped to one run so that other data in the backend does not
// change the expected answer.
type TraceSearch struct {
	Service    string
	AttrKey    string
	AttrValue  string
	RunID      string
	Start, End time.Time // inclusive, whole µs
	Limit      int
}
