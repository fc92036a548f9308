package workload // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"

import (
	"encoding/json"
	"fmt"
	"time"
)

// eventUpload is the eventsplit receiver's envelope (see its README).
type eventUpload struct {
	Meta struct {
		AppID    string `json:"app_id"`
		Category string `json:"category"`
		Platform string `json:"platform"`
	} `json:"meta"`
	Data []uploadedEvent `json:"data"`
}

type uploadedEvent struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Timestamp  int64             `json:"timestamp"`
	IP         string            `json:"ip"`
	Attributes map[string]string `json:"attributes"`
	Payload    map[string]any    `json:"payload"`
}

var eventNames = [...]string{"page_view", "click", "add_to_cart", "checkout", "crash"}

// EventUploads is how many uploads carry the workload's client events.
func (w *Workload) EventUploads() int {
	return (w.cfg.Events + w.cfg.EventsPerUpload - 1) / w.cfg.EventsPerUpload
}

// EventUpload is upload k of the client events, as the eventsplit
// receiver's JSON, and how many events it carries. Every event carries the
// run id as an attribute (it becomes a log record attribute).
func (w *Workload) EventUpload(k int, now time.Time) ([]byte, int, error) {
	var up eventUpload
	up.Meta.AppID, up.Meta.Category, up.Meta.Platform = "backendcompare", "benchmark", "web"
	first := k * w.cfg.EventsPerUpload
	for i := first; i < min(first+w.cfg.EventsPerUpload, w.cfg.Events); i++ {
		up.Data = append(up.Data, uploadedEvent{
			ID:        fmt.Sprintf("%s-%d", w.runID, i),
			Name:      eventNames[i%len(eventNames)],
			Timestamp: now.UnixMilli(),
			IP:        w.clientIPs[i%len(w.clientIPs)],
			Attributes: map[string]string{
				RunIDKey: w.runID,
				"page":   httpRoutes[i%len(httpRoutes)],
			},
			Payload: map[string]any{"duration_ms": i % 500},
		})
	}
	body, err := json.Marshal(up)
	return body, len(up.Data), err
}
