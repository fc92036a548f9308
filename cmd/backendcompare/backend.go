package main

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// backend is one trace store under comparison. Every method answers from
// the store itself, never from what the tool sent.
type backend interface {
	// Check verifies the backend answers and accepts the credentials, and
	// returns a short description (product and version) for the report.
	Check(ctx context.Context) (string, error)
	// CountSpans counts the stored spans of a run.
	CountSpans(ctx context.Context, runID string) (int64, error)
	// CountEvents counts the stored client events of a run;
	// errEventsNotStored when the backend does not hold events.
	CountEvents(ctx context.Context, runID string) (int64, error)
	// Storage measures the bytes on disk of the backend's trace data.
	Storage(ctx context.Context) (storageStats, error)
	// TraceByID fetches a whole trace and returns its span count (0: not
	// found). start and end hint where the trace lies.
	TraceByID(ctx context.Context, id pcommon.TraceID, start, end time.Time) (int, error)
	// SearchTraces finds the traces of a service in a window with a span
	// attribute, fetches them, and returns how many distinct traces came back.
	SearchTraces(ctx context.Context, q traceSearch) (int, error)
}

var errEventsNotStored = errors.New("this backend does not store client events")

// storageStats is the on-disk size of a backend's trace storage.
type storageStats struct {
	Bytes int64 `json:"bytes"`
	// Documents is the rows (ClickHouse, all trace tables) or documents
	// (Elasticsearch, span and service indices) behind Bytes.
	Documents int64 `json:"documents"`
	// Parts lists each table's or index's share, for the curious.
	Parts map[string]int64 `json:"parts,omitempty"`
}

// traceSearch is the "traces of a service in a window with an attribute"
// query, scoped to one run so that other data in the backend does not
// change the expected answer.
type traceSearch struct {
	Service    string
	AttrKey    string
	AttrValue  string
	RunID      string
	Start, End time.Time // inclusive, whole µs
	Limit      int
}

func newBackend(ctx context.Context, cfg BackendConfig, timeout time.Duration, recordDir string) (backend, error) {
	if recordDir != "" {
		recordDir = recordDir + "/" + cfg.Name
	}
	switch cfg.Type {
	case backendClickHouse:
		return newClickHouseBackend(ctx, cfg.ClickHouse, timeout, recordDir)
	case backendJaeger:
		return newJaegerBackend(ctx, cfg.Jaeger, timeout, recordDir)
	default:
		return nil, errors.New("unknown backend type " + cfg.Type)
	}
}
