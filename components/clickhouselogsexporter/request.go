package clickhouselogsexporter // import "github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter"

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exporterhelper/xexporterhelper"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/xpdata/pref"
)

// logsRequest is log records waiting for one INSERT: runs of records of
// the logs the pipeline handed the exporter, never changed, never moved.
//
// The exporter helper's own logs request merges batches by moving records
// from one plog.Logs into another, so it declares the exporter mutating,
// and a pipeline's fan-out then gives the exporter its own copy of every
// request whenever another consumer reads the same logs (a second
// exporter, or a connector such as kafkalink's consumer spans). Batches of
// references cost nothing to merge or split and leave the logs as they
// came, so this exporter takes logs shared read-only (see factory.go).
type logsRequest struct {
	parts []logsPart
	items int
	bytes int // encoded size, computed when first asked (0: not yet)
	// converted is the logs this request was made from, whatever merges
	// did to parts since, and empty for a piece of a split: what the
	// request holds a reference on while it waits in a queue (see
	// queueReferences).
	converted plog.Logs
}

// logsPart is count records of logs in document order (resource, scope,
// record), starting with the from-th.
type logsPart struct {
	logs        plog.Logs
	from, count int
}

var _ xexporterhelper.Request = (*logsRequest)(nil)

// newLogsRequest is the exporter's converter: the whole of ld, referenced.
func newLogsRequest(_ context.Context, ld plog.Logs) (xexporterhelper.Request, error) {
	n := ld.LogRecordCount()
	return &logsRequest{parts: []logsPart{{logs: ld, count: n}}, items: n, converted: ld}, nil
}

// queueReferences keeps a request's logs alive while it waits in a queue
// that answered its caller already (no wait_for_result), for pdata's
// pooling (the pdata.useProtoPooling feature gate), which otherwise
// reuses the logs once the pipeline returns. Each request references only
// the logs it was made from, so merges move no reference between
// requests, and each is released once, when the request is done.
type queueReferences struct{}

func (queueReferences) Ref(req xexporterhelper.Request) {
	if r, ok := req.(*logsRequest); ok && r.converted != (plog.Logs{}) {
		pref.RefLogs(r.converted)
	}
}

func (queueReferences) Unref(req xexporterhelper.Request) {
	if r, ok := req.(*logsRequest); ok && r.converted != (plog.Logs{}) {
		pref.UnrefLogs(r.converted)
	}
}

func (r *logsRequest) ItemsCount() int { return r.items }

// BytesSize is the records' protobuf size, as the exporter helper's logs
// request counts it, for a queue sized in bytes. A part that is a whole
// plog.Logs counts its resources and scopes too; a split part counts only
// its records.
func (r *logsRequest) BytesSize() int {
	if r.bytes == 0 {
		var sizer plog.ProtoMarshaler
		for _, p := range r.parts {
			if p.whole() {
				r.bytes += sizer.LogsSize(p.logs)
				continue
			}
			p.eachRun(func(_ int, _ plog.ResourceLogs, sl plog.ScopeLogs, start, end int) {
				for i := start; i < end; i++ {
					r.bytes += sizer.LogRecordSize(sl.LogRecords().At(i))
				}
			})
		}
	}
	return r.bytes
}

// MergeSplit appends other's records to r and cuts the result into requests
// of at most maxSize records (the last one the smallest). Only the items
// sizer splits: Config.Validate refuses a batch sized in bytes.
func (r *logsRequest) MergeSplit(_ context.Context, maxSize int, sizer exporterhelper.RequestSizerType, other xexporterhelper.Request) ([]xexporterhelper.Request, error) {
	if maxSize > 0 && sizer != exporterhelper.RequestSizerTypeItems {
		return nil, fmt.Errorf("clickhouselogs batches by items, not by %s", sizer.String())
	}
	if other != nil {
		o, ok := other.(*logsRequest)
		if !ok {
			return nil, fmt.Errorf("cannot merge a %T into a clickhouselogs request", other)
		}
		r.parts = append(r.parts, o.parts...)
		r.items += o.items
		r.bytes = 0
	}
	if maxSize == 0 || r.items <= maxSize {
		return []xexporterhelper.Request{r}, nil
	}
	return r.split(maxSize), nil
}

// split cuts r into requests of maxSize records and one of the rest. Each
// piece has its own parts slice, so appending to one never writes into
// another's.
func (r *logsRequest) split(maxSize int) []xexporterhelper.Request {
	out := make([]xexporterhelper.Request, 0, (r.items+maxSize-1)/maxSize)
	piece := &logsRequest{}
	for _, p := range r.parts {
		for p.count > 0 {
			take := min(maxSize-piece.items, p.count)
			piece.parts = append(piece.parts, logsPart{logs: p.logs, from: p.from, count: take})
			piece.items += take
			p.from += take
			p.count -= take
			if piece.items == maxSize {
				out = append(out, piece)
				piece = &logsRequest{}
			}
		}
	}
	if piece.items > 0 {
		out = append(out, piece)
	}
	return out
}

// whole reports whether the part is all of its logs.
func (p logsPart) whole() bool { return p.from == 0 && p.count == p.logs.LogRecordCount() }

// eachRun calls visit with each scope's run of the part's records, in
// order: records [start, end) of sl, which is in the resource-th resource
// rl.
func (p logsPart) eachRun(visit func(resource int, rl plog.ResourceLogs, sl plog.ScopeLogs, start, end int)) {
	skip, left := p.from, p.count
	for ri, rl := range p.logs.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			if left == 0 {
				return
			}
			n := sl.LogRecords().Len()
			if n <= skip {
				skip -= n
				continue
			}
			end := min(n, skip+left)
			visit(ri, rl, sl, skip, end)
			left -= end - skip
			skip = 0
		}
	}
}
