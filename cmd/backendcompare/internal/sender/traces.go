package sender // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/sender"

import (
	"context"
	"math"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"golang.org/x/time/rate"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"
)

// newLimiter paces spans at perSecond (0: unlimited). Its burst is the
// largest request, so a request waits for all its spans at once.
func newLimiter(perSecond float64, largestRequest int) *rate.Limiter {
	if perSecond <= 0 {
		return rate.NewLimiter(rate.Inf, 0)
	}
	return rate.NewLimiter(rate.Limit(perSecond), max(largestRequest, int(math.Ceil(perSecond/100))))
}

// SendTraces sends every request of the workload with Concurrency workers
// and returns when all are answered or ctx ends.
func (s *Sender) SendTraces(ctx context.Context, w *workload.Workload) error {
	cfg := w.Config()
	lim := newLimiter(cfg.Rate, cfg.TracesPerRequest*workload.MaxSpansPerTrace)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range cfg.Concurrency {
		wg.Go(func() {
			for k := range jobs {
				td, spans := w.Batch(k, time.Now())
				if err := lim.WaitN(ctx, min(spans, lim.Burst())); err != nil {
					return
				}
				body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
				if err != nil {
					s.problem("encoding OTLP: " + err.Error())
					s.Counts.RequestsFailed.Add(1)
					s.Counts.RequestsDone.Add(1)
					continue
				}
				s.Counts.SpansSent.Add(int64(spans))
				if s.postTraces(ctx, body, spans) {
					w.MarkAccepted(k)
				}
				s.Counts.RequestsDone.Add(1)
			}
		})
	}
	var err error
feed:
	for k := range w.Requests() {
		select {
		case jobs <- k:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return err
}

// postTraces sends one request and reports whether the collector accepted
// every span of it (an OTLP partial success rejects some).
func (s *Sender) postTraces(ctx context.Context, body []byte, spans int) bool {
	a, err := s.postWithRetries(ctx, endpoint(s.cfg.OTLPEndpoint, "/v1/traces"), "application/x-protobuf", body)
	if err != nil {
		s.problem(finalError("collector refused traces", err))
		s.Counts.SpansRejected.Add(int64(spans))
		s.Counts.RequestsFailed.Add(1)
		return false
	}
	rejected := int64(0)
	resp := ptraceotlp.NewExportResponse()
	if len(a.body) > 0 && resp.UnmarshalProto(a.body) == nil {
		rejected = resp.PartialSuccess().RejectedSpans()
		if msg := resp.PartialSuccess().ErrorMessage(); msg != "" {
			s.problem("collector partially rejected spans: " + msg)
		}
	}
	s.Counts.SpansAccepted.Add(int64(spans) - rejected)
	s.Counts.SpansRejected.Add(rejected)
	return rejected == 0
}
