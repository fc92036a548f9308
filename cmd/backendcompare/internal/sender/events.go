package sender // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/sender"

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"
)

// SendEvents uploads the workload's client events through the eventsplit
// receiver, one upload after the other.
func (s *Sender) SendEvents(ctx context.Context, w *workload.Workload) {
	url := endpoint(s.cfg.EventsEndpoint, "/v1/events")
	for k := 0; k < w.EventUploads() && ctx.Err() == nil; k++ {
		body, n, err := w.EventUpload(k, time.Now())
		if err != nil {
			s.problem("encoding events: " + err.Error())
			return
		}
		a, err := s.postWithRetries(ctx, url, "application/json", body)
		if err != nil {
			s.problem(finalError("eventsplit refused an upload", err))
			s.Counts.EventsRejected.Add(int64(n))
			continue
		}
		var ans struct {
			Accepted int64 `json:"accepted"`
			Rejected int64 `json:"rejected"`
		}
		if (a.status == http.StatusOK || a.status == http.StatusMultiStatus) && json.Unmarshal(a.body, &ans) == nil {
			s.Counts.EventsAccepted.Add(ans.Accepted)
			s.Counts.EventsRejected.Add(int64(n) - ans.Accepted)
			if ans.Rejected > 0 {
				s.problem(fmt.Sprintf("eventsplit rejected events: %s", backend.FirstLine(a.body)))
			}
			continue
		}
		s.problem(fmt.Sprintf("eventsplit answered HTTP %d: %s", a.status, backend.FirstLine(a.body)))
		s.Counts.EventsRejected.Add(int64(n))
	}
}
