package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver/internal/metadata"
)

// ServeHTTP handles one upload.
func (r *eventSplitReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	start := time.Now()
	code := r.serve(w, req, start)
	ctx := req.Context()
	r.countRequest(ctx, code)
	r.telemetry.ReceiverEventsplitRequestDuration.Record(ctx, time.Since(start).Seconds())
}

// serve is the upload's pipeline: trace context -> checks -> body ->
// decode -> deliver -> answer. Every request gets its ingest span, whatever
// the answer.
func (r *eventSplitReceiver) serve(w http.ResponseWriter, req *http.Request, start time.Time) int {
	ctx := req.Context()
	tc, err := r.readTraceContext(ctx, req.Header)
	if err != nil {
		return r.writeRequestError(w, &requestError{status: http.StatusInternalServerError, code: errInternal, detail: err.Error()})
	}
	span := ingestSpan{
		start:     pcommon.NewTimestampFromTime(start),
		method:    req.Method,
		path:      r.cfg.Path,
		userAgent: req.UserAgent(),
	}
	if addr := clientAddress(req.RemoteAddr, req.Header.Values("X-Forwarded-For"), r.trusted); addr.IsValid() {
		span.clientAddr = addr.String()
	}
	defer r.emitIngestSpan(ctx, &tc, &span)
	fail := func(e *requestError) int {
		span.failure, span.status = e.code, e.status
		return r.writeRequestError(w, e)
	}

	if rerr := checkRequest(w, req); rerr != nil {
		return fail(rerr)
	}
	body, rerr := r.readBody(req)
	if rerr != nil {
		return fail(rerr)
	}
	r.telemetry.ReceiverEventsplitBytesReceived.Add(ctx, int64(len(body)))

	st := r.states.Get().(*decodeState)
	defer func() {
		st.reset()
		r.states.Put(st)
	}()
	if rerr := r.decoder.parse(st, body, start); rerr != nil {
		return fail(rerr)
	}
	span.appID, span.category = st.meta.appID, st.meta.category
	span.received = len(st.views)

	rc := recordContext{
		received:   span.start,
		traceID:    tc.ingest.TraceID,
		spanID:     tc.ingest.SpanID,
		flags:      logRecordFlags(tc.ingest),
		clientAddr: span.clientAddr,
		requestID:  tc.requestID,
	}
	d, rerr := r.deliver(ctx, st, &tc, &rc)
	if rerr != nil {
		return fail(rerr)
	}
	r.countEvents(ctx, st.views, d.accepted)
	return r.answer(w, st.views, &d, &span)
}

// answer writes the per-event answer and completes the ingest span.
func (r *eventSplitReceiver) answer(w http.ResponseWriter, views []eventView, d *delivery, span *ingestSpan) int {
	rejected := len(views) - d.accepted
	status := http.StatusOK
	switch {
	case d.refused != nil && d.accepted == 0:
		status = d.refused.status
		span.failure = d.refused.code
	case d.accepted == 0:
		status = http.StatusBadRequest
	case rejected > 0:
		status = http.StatusMultiStatus
	}
	if d.refused != nil && d.refused.retryable() {
		w.Header().Set("Retry-After", strconv.Itoa(int(r.cfg.RetryAfter/time.Second)))
	}
	span.accepted, span.rejected, span.status, span.batches = d.accepted, rejected, status, d.batches

	bp := r.answers.Get().(*[]byte)
	*bp = appendAnswer((*bp)[:0], views, d.accepted, rejected, d.refused)
	r.writeJSON(w, status, *bp)
	r.answers.Put(bp)
	return status
}

func (r *eventSplitReceiver) countRequest(ctx context.Context, code int) {
	opt, ok := r.statusAttrs.Load(code)
	if !ok {
		opt, _ = r.statusAttrs.LoadOrStore(code,
			metric.WithAttributeSet(attribute.NewSet(attribute.Int("http.response.status_code", code))))
	}
	r.telemetry.ReceiverEventsplitRequests.Add(ctx, 1, opt.(metric.MeasurementOption))
}

func (r *eventSplitReceiver) countEvents(ctx context.Context, views []eventView, accepted int) {
	if accepted > 0 {
		r.telemetry.ReceiverEventsplitEventsAccepted.Add(ctx, int64(accepted))
	}
	var byReason [numReasons]int64
	for i := range views {
		byReason[views[i].reason]++
	}
	for rs, n := range byReason {
		if rs != int(reasonNone) && n > 0 {
			r.telemetry.ReceiverEventsplitEventsRejected.Add(ctx, n, r.reasonAttrs[rs])
		}
	}
}

func (r *eventSplitReceiver) emitIngestSpan(ctx context.Context, tc *traceContext, s *ingestSpan) {
	if r.nextTraces == nil {
		return
	}
	s.end = pcommon.NewTimestampFromTime(time.Now())
	traces := ptrace.NewTraces()
	appendIngestSpan(traces, r.settings.Resource, metadata.ScopeName, r.settings.BuildInfo.Version, tc, s)
	// The answer is written; the span must not be lost because the client
	// hung up, so it is not tied to the request's cancellation.
	ctx = r.obsrep.StartTracesOp(context.WithoutCancel(ctx))
	err := r.nextTraces.ConsumeTraces(ctx, traces)
	r.obsrep.EndTracesOp(ctx, "pdata", 1, err)
	if err != nil {
		r.settings.Logger.Debug("Traces pipeline refused an ingest span", zap.Error(err))
	}
}

// serveServerError answers failures the HTTP server layer detects before
// the handler runs (undecodable Content-Encoding), in the receiver's format.
func (r *eventSplitReceiver) serveServerError(w http.ResponseWriter, req *http.Request, msg string, statusCode int) {
	code := errMalformedBody
	if statusCode == http.StatusRequestEntityTooLarge {
		code = errBodyTooLarge
	}
	r.writeRequestError(w, &requestError{status: statusCode, code: code, detail: msg})
	r.countRequest(req.Context(), statusCode)
}

func (r *eventSplitReceiver) writeRequestError(w http.ResponseWriter, e *requestError) int {
	if e.retryable() {
		w.Header().Set("Retry-After", strconv.Itoa(int(r.cfg.RetryAfter/time.Second)))
	}
	r.writeJSON(w, e.status, appendRequestError(make([]byte, 0, 128+len(e.detail)), e))
	return e.status
}

func (r *eventSplitReceiver) writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = r.contentTypeJSON
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body) //nolint:gosec // G705: a JSON answer with Content-Type application/json, not HTML
}
