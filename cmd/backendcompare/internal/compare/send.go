package compare // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/compare"

import (
	"context"
	"fmt"
	"time"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"
)

// sendWorkload sends the traces, then the client events, and records what
// the collector accepted.
func (c *comparison) sendWorkload(ctx context.Context) {
	w, s := c.work, c.send
	c.report.Workload.Requests = w.Requests()
	start := time.Now()
	bar := startProgress(c.out, c.tty, "sending", int64(w.Requests()), s.Counts.RequestsDone.Load, func() string {
		secs := time.Since(start).Seconds()
		sent := s.Counts.SpansSent.Load()
		return fmt.Sprintf("requests, %d spans, %.0f spans/s", sent, float64(sent)/max(secs, 1e-3))
	})
	if err := s.SendTraces(ctx, w); err != nil {
		c.problem("sending stopped: " + err.Error())
	}
	bar.finish()
	if w.Config().Events > 0 {
		s.SendEvents(ctx, w)
	}
	secs := time.Since(start).Seconds()
	traces, spans, errored := w.Snapshot()
	c.report.Workload.Traces = len(traces)
	c.report.Workload.Spans = spans
	c.report.Workload.ErrorSpans = errored
	c.report.Workload.Events = w.Config().Events
	c.report.Send = report.SendReport{
		Seconds:        secs,
		SpansSent:      s.Counts.SpansSent.Load(),
		SpansAccepted:  s.Counts.SpansAccepted.Load(),
		SpansRejected:  s.Counts.SpansRejected.Load(),
		RequestsFailed: s.Counts.RequestsFailed.Load(),
		SpansPerSecond: float64(s.Counts.SpansAccepted.Load()) / max(secs, 1e-3),
		EventsAccepted: s.Counts.EventsAccepted.Load(),
		EventsRejected: s.Counts.EventsRejected.Load(),
	}
	for _, p := range s.Problems() {
		c.problem(p)
	}
	if r := c.report.Send.SpansRejected; r > 0 {
		c.problem(fmt.Sprintf("the collector did not accept %d of %d spans: backends are compared on the %d it accepted", r, spans, c.report.Send.SpansAccepted))
	}
}
