package compare

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"
)

// A backend's final counts become its ingest figures: more than was
// accepted is a note (at least once allows it, and the reader should know),
// less is a problem that makes the run incomplete.
func TestIngestFigures(t *testing.T) {
	sendStart := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	sendEnd := sendStart.Add(time.Second)
	held := sendStart.Add(3 * time.Second)
	for _, tc := range []struct {
		name         string
		state        ingestState
		wantComplete bool
		wantNotes    []string
		wantProblem  string
	}{
		{
			name:         "exact",
			state:        ingestState{spans: 100, events: 20, spansAt: held, eventsAt: held, wantEvents: true},
			wantComplete: true,
		},
		{
			name:         "duplicated spans and events",
			state:        ingestState{spans: 103, events: 25, spansAt: held, eventsAt: held, wantEvents: true},
			wantComplete: true,
			wantNotes: []string{
				"holds 103 spans for 100 accepted: duplicates (redelivery after a retry)",
				"holds 25 events for 20 accepted: duplicates (redelivery after a retry)",
			},
		},
		{
			name:        "events missing",
			state:       ingestState{spans: 100, events: 19, spansAt: held, wantEvents: true},
			wantProblem: "holds 19 of 20 events after the ingest timeout",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &comparison{cfg: config.Default(), out: io.Discard}
			br := &report.BackendReport{Name: "clickhouse", Complete: true}
			c.ingestFigures(br, &tc.state, 100, 20, sendStart, sendEnd)
			assert.Equal(t, tc.wantComplete, br.Complete)
			assert.Equal(t, tc.wantNotes, br.Notes)
			if tc.wantProblem != "" {
				require.Len(t, br.Problems, 1)
				assert.Equal(t, tc.wantProblem, br.Problems[0])
				return
			}
			assert.Empty(t, br.Problems)
			require.NotNil(t, br.Ingest.SecondsToQueryable)
			assert.InDelta(t, 3.0, *br.Ingest.SecondsToQueryable, 1e-9)
			assert.InDelta(t, 2.0, *br.Ingest.LagAfterSendSeconds, 1e-9)
			require.NotNil(t, br.Ingest.StoredEvents)
			assert.Equal(t, tc.state.events, *br.Ingest.StoredEvents)
		})
	}
}
