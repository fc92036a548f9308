package clickhouselogsexporter // import "github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter"

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/exporter/exporterhelper/xexporterhelper"
	"go.opentelemetry.io/collector/pdata/plog"
	pdatareq "go.opentelemetry.io/collector/pdata/xpdata/request"
)

// queueEncoding stores requests in a persistent queue (sending_queue with
// storage) in the exporter helper's own format: the request's context and
// its records as one OTLP logs message, so a queue written by the built-in
// logs request reads back here and the other way round.
type queueEncoding struct{}

func (queueEncoding) Marshal(ctx context.Context, req xexporterhelper.Request) ([]byte, error) {
	r, ok := req.(*logsRequest)
	if !ok {
		return nil, fmt.Errorf("cannot store a %T as a clickhouselogs request", req)
	}
	return pdatareq.MarshalLogs(ctx, r.gather())
}

func (queueEncoding) Unmarshal(data []byte) (context.Context, xexporterhelper.Request, error) {
	ctx, ld, err := pdatareq.UnmarshalLogs(data)
	if errors.Is(err, pdatareq.ErrInvalidFormat) {
		// Written before the exporter helper stored contexts: the bare
		// logs, as the helper's own encoding reads them.
		ld, err = (&plog.ProtoUnmarshaler{}).UnmarshalLogs(data)
	}
	if err != nil {
		return ctx, nil, fmt.Errorf("read a queued clickhouselogs request: %w", err)
	}
	req, _ := newLogsRequest(ctx, ld)
	return ctx, req, nil
}

// gather returns the request's records as one plog.Logs: the logs itself
// when the request is one whole part, otherwise a copy (the parts are
// shared with the rest of the pipeline and are not changed), with each
// run's resource and scope copied along.
func (r *logsRequest) gather() plog.Logs {
	if len(r.parts) == 1 && r.parts[0].whole() {
		return r.parts[0].logs
	}
	out := plog.NewLogs()
	for _, p := range r.parts {
		p.eachRun(func(_ int, rl plog.ResourceLogs, sl plog.ScopeLogs, start, end int) {
			dstResource := out.ResourceLogs().AppendEmpty()
			rl.Resource().CopyTo(dstResource.Resource())
			dstResource.SetSchemaUrl(rl.SchemaUrl())
			dstScope := dstResource.ScopeLogs().AppendEmpty()
			sl.Scope().CopyTo(dstScope.Scope())
			dstScope.SetSchemaUrl(sl.SchemaUrl())
			records := sl.LogRecords()
			dstRecords := dstScope.LogRecords()
			dstRecords.EnsureCapacity(end - start)
			for i := start; i < end; i++ {
				records.At(i).CopyTo(dstRecords.AppendEmpty())
			}
		})
	}
	return out
}
