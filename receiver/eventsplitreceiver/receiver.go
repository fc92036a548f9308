package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver/internal/metadata"
)

// eventSplitReceiver serves uploads for every pipeline it is in.
type eventSplitReceiver struct {
	cfg      *Config
	settings receiver.Settings
	decoder  decoder
	trusted  []netip.Prefix
	forget   func()

	nextLogs   consumer.Logs
	nextTraces consumer.Traces

	telemetry *metadata.TelemetryBuilder
	obsrep    *receiverhelper.ObsReport
	// Attribute sets are made once: recording a measurement then allocates nothing.
	reasonAttrs [numReasons]metric.MeasurementOption
	statusAttrs sync.Map // int -> metric.MeasurementOption
	headerAttrs map[string]metric.MeasurementOption

	states  sync.Pool // *decodeState
	answers sync.Pool // *[]byte
	// contentTypeJSON is shared by every answer: net/http never modifies
	// header value slices, and one allocation less per answer matters here.
	contentTypeJSON []string

	server     *http.Server
	addr       net.Addr // where the server listens, once started
	shutdownWG sync.WaitGroup

	startOnce    sync.Once
	startErr     error
	shutdownOnce sync.Once
	shutdownErr  error
}

func newEventSplitReceiver(cfg *Config, set receiver.Settings, forget func()) (*eventSplitReceiver, error) {
	trusted, err := parseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	obsrep, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID: set.ID, Transport: "http", ReceiverCreateSettings: set,
	})
	if err != nil {
		return nil, err
	}
	r := &eventSplitReceiver{
		cfg:      cfg,
		settings: set,
		trusted:  trusted,
		forget:   forget,
		decoder: decoder{
			limits:         cfg.Limits,
			maxFutureSkew:  cfg.MaxFutureSkew,
			maxAge:         cfg.MaxAge,
			structuredBody: cfg.Body == bodyStructured,
			ids:            &backendIDs{now: time.Now},
			scopeName:      metadata.ScopeName,
			scopeVersion:   set.BuildInfo.Version,
		},
		telemetry:       tb,
		obsrep:          obsrep,
		headerAttrs:     map[string]metric.MeasurementOption{},
		contentTypeJSON: []string{"application/json"},
	}
	for i := range r.reasonAttrs {
		r.reasonAttrs[i] = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", reason(i).String())))
	}
	for _, h := range []string{"traceparent", "tracestate", "baggage"} {
		r.headerAttrs[h] = metric.WithAttributeSet(attribute.NewSet(attribute.String("header", h)))
	}
	r.states.New = func() any { return newDecodeState() }
	r.answers.New = func() any { b := make([]byte, 0, 16<<10); return &b }
	return r, nil
}

// Start starts the HTTP server once, however many pipelines the receiver is
// in.
func (r *eventSplitReceiver) Start(ctx context.Context, host component.Host) error {
	r.startOnce.Do(func() { r.startErr = r.start(ctx, host) })
	return r.startErr
}

func (r *eventSplitReceiver) start(ctx context.Context, host component.Host) error {
	if r.nextLogs == nil {
		return fmt.Errorf("eventsplit receiver %q is only in traces pipelines: put it into a logs pipeline, where its events go (a traces pipeline gets its ingest spans)", r.settings.ID)
	}
	mux := http.NewServeMux()
	mux.Handle(r.cfg.Path, r)
	var err error
	r.server, err = r.cfg.ServerConfig.ToServer(ctx, host.GetExtensions(), r.settings.TelemetrySettings, mux,
		confighttp.WithErrorHandler(r.serveServerError))
	if err != nil {
		return err
	}
	ln, err := r.cfg.ServerConfig.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("eventsplit receiver %q: listen on %s: %w", r.settings.ID, r.cfg.ServerConfig.NetAddr.Endpoint, err)
	}
	r.addr = ln.Addr()
	r.settings.Logger.Info("Starting event upload server",
		zap.String("endpoint", ln.Addr().String()), zap.String("path", r.cfg.Path))
	r.shutdownWG.Go(func() {
		if err := r.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(err))
		}
	})
	return nil
}

// Shutdown stops accepting uploads and waits for the ones in flight, so
// everything that was answered as accepted has been passed on.
func (r *eventSplitReceiver) Shutdown(ctx context.Context) error {
	r.shutdownOnce.Do(func() {
		if r.server != nil {
			r.shutdownErr = r.server.Shutdown(ctx)
		}
		r.shutdownWG.Wait()
		r.telemetry.Shutdown()
		if r.forget != nil {
			r.forget()
		}
	})
	return r.shutdownErr
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

// ServeHTTP handles one upload.
func (r *eventSplitReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	start := time.Now()
	code := r.serve(w, req, start)
	ctx := req.Context()
	r.countRequest(ctx, code)
	r.telemetry.ReceiverEventsplitRequestDuration.Record(ctx, time.Since(start).Seconds())
}

func (r *eventSplitReceiver) countRequest(ctx context.Context, code int) {
	opt, ok := r.statusAttrs.Load(code)
	if !ok {
		opt, _ = r.statusAttrs.LoadOrStore(code,
			metric.WithAttributeSet(attribute.NewSet(attribute.Int("http.response.status_code", code))))
	}
	r.telemetry.ReceiverEventsplitRequests.Add(ctx, 1, opt.(metric.MeasurementOption))
}

func (r *eventSplitReceiver) serve(w http.ResponseWriter, req *http.Request, start time.Time) int {
	ctx := req.Context()
	tc, err := readTraceContext(req.Header)
	for _, h := range tc.invalidHeaders {
		r.telemetry.ReceiverEventsplitTraceContextInvalid.Add(ctx, 1, r.headerAttrs[h])
	}
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
	// Every request gets its ingest span, whatever the answer.
	defer r.emitIngestSpan(ctx, &tc, &span)
	fail := func(e *requestError) int {
		span.failure, span.status = e.code, e.status
		return r.writeRequestError(w, e)
	}

	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return fail(&requestError{status: http.StatusMethodNotAllowed, code: errMethodNotAllowed, detail: "uploads are POSTed"})
	}
	if rerr := checkContentType(req.Header.Get("Content-Type")); rerr != nil {
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
	logs := plog.NewLogs()
	if err := r.decoder.build(st, &rc, logs); err != nil {
		return fail(&requestError{status: http.StatusInternalServerError, code: errInternal, detail: err.Error()})
	}

	accepted, rejected := st.valid, len(st.views)-st.valid
	var refused *requestError
	if accepted > 0 {
		consumeCtx := r.obsrep.StartLogsOp(withEventMetadata(ctx, &r.cfg.Metadata, &tc, &st.meta))
		err := r.nextLogs.ConsumeLogs(consumeCtx, logs)
		r.obsrep.EndLogsOp(consumeCtx, "json", accepted, err)
		if err != nil {
			refused = r.refusal(err)
			accepted, rejected = 0, len(st.views)
		}
	}
	r.countEvents(ctx, st.views, accepted, refused != nil)

	status := http.StatusOK
	switch {
	case refused != nil:
		status = refused.status
		span.failure = refused.code
		if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(int(r.cfg.RetryAfter/time.Second)))
		}
	case accepted == 0:
		status = http.StatusBadRequest
	case rejected > 0:
		status = http.StatusMultiStatus
	}
	span.accepted, span.rejected, span.status = accepted, rejected, status

	bp := r.answers.Get().(*[]byte)
	*bp = appendAnswer((*bp)[:0], st.views, accepted, rejected, refused)
	r.writeJSON(w, status, *bp)
	r.answers.Put(bp)
	return status
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
	r.settings.Logger.Debug("Pipeline refused an event upload", zap.Error(err), zap.Int("status", e.status))
	return e
}

func (r *eventSplitReceiver) countEvents(ctx context.Context, views []eventView, accepted int, refused bool) {
	if accepted > 0 {
		r.telemetry.ReceiverEventsplitEventsAccepted.Add(ctx, int64(accepted))
	}
	var byReason [numReasons]int64
	for i := range views {
		rs := views[i].reason
		if rs == reasonNone {
			if !refused {
				continue
			}
			rs = reasonRetryLater
		}
		byReason[rs]++
	}
	for rs, n := range byReason {
		if n > 0 {
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

func (r *eventSplitReceiver) writeRequestError(w http.ResponseWriter, e *requestError) int {
	if e.status == http.StatusServiceUnavailable || e.status == http.StatusTooManyRequests {
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
	_, _ = w.Write(body)
}

// checkContentType accepts application/json, with an optional UTF-8
// charset (JSON is UTF-8).
func checkContentType(ct string) *requestError {
	unsupported := func(detail string) *requestError {
		return &requestError{status: http.StatusUnsupportedMediaType, code: errUnsupportedMedia, detail: detail}
	}
	if ct == "" {
		return unsupported("Content-Type is missing; send application/json")
	}
	if ct == "application/json" {
		return nil // the common case, without parsing
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return unsupported(fmt.Sprintf("Content-Type %q is not supported; send application/json", ct))
	}
	if cs, ok := params["charset"]; ok && !equalFoldASCII(cs, "utf-8") {
		return unsupported(fmt.Sprintf("charset %q is not supported; JSON is UTF-8", cs))
	}
	return nil
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i]|0x20, b[i]|0x20
		if ca != cb {
			return false
		}
	}
	return true
}

// readBody reads the whole (decompressed) body. The server layer caps it at
// max_request_body_size both as sent and after decompression, so a
// compression bomb stops at the limit; the buffer is sized from
// Content-Length when that is known. The buffer is never reused: records
// refer into it.
func (r *eventSplitReceiver) readBody(req *http.Request) ([]byte, *requestError) {
	limit := r.cfg.ServerConfig.MaxRequestBodySize
	if req.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	size := int64(16 << 10)
	if req.ContentLength > 0 {
		size = req.ContentLength + 1 // +1: reading to EOF needs no growth
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := req.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, tooLarge(limit)
			}
			return nil, &requestError{status: http.StatusBadRequest, code: errMalformedBody, detail: "the body could not be read or decompressed: " + err.Error()}
		}
	}
}

func tooLarge(limit int64) *requestError {
	return &requestError{status: http.StatusRequestEntityTooLarge, code: errBodyTooLarge,
		detail: fmt.Sprintf("the body is larger than %d bytes (after decompression); split the upload", limit)}
}
