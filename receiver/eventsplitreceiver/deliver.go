package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"context"
	"net/http"
	"net/netip"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// recordOverhead is what one event may add on its way to a Kafka record
// beyond its own JSON: the attributes the receiver writes (ids, backend id,
// addresses), the geo attributes ipgeo adds and the protobuf framing. It
// errs high, so a batch's record stays under max_batch_bytes.
const recordOverhead = 1024

// batchOverhead is a resource's and its scope's framing and fixed keys.
const batchOverhead = 512

// delivery is what the pipeline took of a request.
type delivery struct {
	accepted int
	batches  int
	// refused is set when the pipeline refused a batch: that batch's events
	// and all after it are answered retry_later.
	refused *requestError
}

// deliver passes the request's valid events to the logs pipeline in
// batches of at most max_batch_bytes (estimated from the events' size in
// the body), so that every batch becomes a Kafka record under the
// producer's size limit. Batches go in order; once one is refused, the
// rest are not offered: their events are answered retry_later, while the
// ones already taken stay accepted (the answer is per event, so a client
// resends exactly what was not taken).
func (r *eventSplitReceiver) deliver(ctx context.Context, st *decodeState, tc *traceContext, rc *recordContext) (delivery, *requestError) {
	var d delivery
	if st.valid == 0 {
		return d, nil
	}
	consumeCtx := withEventMetadata(ctx, &r.cfg.Metadata, r.topics.topic(st.meta.category), tc, &st.meta)
	resourceSize := st.meta.resourceSize()
	for start := 0; start < len(st.views); {
		end := r.batchEnd(st.views, start, resourceSize)
		batch := st.views[start:end]
		start = end
		if d.refused != nil {
			markRetryLater(batch, d.refused)
			continue
		}
		logs := plog.NewLogs()
		n, err := r.decoder.build(st, rc, batch, logs)
		if err != nil {
			return d, &requestError{status: http.StatusInternalServerError, code: errInternal, detail: err.Error()}
		}
		if n == 0 {
			continue
		}
		opCtx := r.obsrep.StartLogsOp(consumeCtx)
		err = r.nextLogs.ConsumeLogs(opCtx, logs)
		r.obsrep.EndLogsOp(opCtx, "json", n, err)
		d.batches++
		if err != nil {
			d.refused = r.refusal(err)
			markRetryLater(batch, d.refused)
			continue
		}
		d.accepted += n
	}
	return d, nil
}

// batchEnd returns the end of the batch starting at views[start]: as many
// events as fit max_batch_bytes, and always at least one. resourceSize is
// what one resource of the upload's meta takes. With client_address:
// resource an event whose address differs from the one before starts
// another (a relay's upload: one per event); counting each change bounds
// the resources from above, and a device's upload is counted as the one it
// is.
func (r *eventSplitReceiver) batchEnd(views []eventView, start, resourceSize int) int {
	limit := r.cfg.MaxBatchBytes
	if limit <= 0 {
		return len(views)
	}
	size := resourceSize
	var last netip.Addr // the resource key of the previous valid event
	first := true
	end := start
	for end < len(views) {
		if v := &views[end]; v.reason == reasonNone {
			size += v.size + recordOverhead
			key := r.decoder.resourceKey(v)
			if !first && key != last {
				size += resourceSize
			}
			first, last = false, key
			if size > limit && end > start {
				break
			}
		}
		end++
	}
	return end
}

// markRetryLater answers the valid events of a refused batch retry_later.
func markRetryLater(batch []eventView, refused *requestError) {
	for i := range batch {
		if batch[i].reason == reasonNone {
			batch[i].reason = reasonRetryLater
			batch[i].detail = "the pipeline refused this part of the request (" + refused.code + "); it was not accepted: send it again later"
			batch[i].backendID = ""
		}
	}
}

// refusal turns a pipeline error into the answer: the memory limiter and a
// full sending queue are retryable (503; 429 when the error says the
// resource is exhausted); a permanent error that carries no status is a
// fault on the collector's side (500), as the OTLP receiver answers it.
func (r *eventSplitReceiver) refusal(err error) *requestError {
	code := codes.Unavailable
	if s, ok := status.FromError(err); ok {
		code = s.Code()
	} else if consumererror.IsPermanent(err) {
		code = codes.Internal
	}
	e := &requestError{code: errPipelineRefused, detail: err.Error()}
	switch code {
	case codes.ResourceExhausted:
		e.status = http.StatusTooManyRequests
	case codes.Canceled, codes.DeadlineExceeded, codes.Aborted, codes.OutOfRange, codes.Unavailable, codes.DataLoss:
		e.status = http.StatusServiceUnavailable
	default:
		e.status = http.StatusInternalServerError
		e.code = errInternal
	}
	r.settings.Logger.Debug("Pipeline refused an event batch", zap.Error(err), zap.Int("status", e.status))
	return e
}
