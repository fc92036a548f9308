package clickhouselogsexporter

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// engineFull is otel_logs' engine_full as ClickHouse 26.7 shows it once
// the shipped gateway set merge_selector_base, and then two more settings
// (recorded on the local stack).
const engineFull = "MergeTree PARTITION BY toDate(Timestamp) ORDER BY (toStartOfFiveMinutes(Timestamp), ServiceName, Timestamp) " +
	"SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, merge_selector_base = 10, merge_selector_algorithm = 'Simple', min_age_to_force_merge_seconds = 0.5"

func TestPendingSettings(t *testing.T) {
	// Name order, numbers as they are, anything else a quoted string
	// (quotes escaped, so a value cannot end the literal).
	assert.Equal(t,
		[]string{"a_ratio = 0.5", "b_offset = -3", "merge_selector_algorithm = 'Simple'", `storage_policy = 'x\' SETTINGS y = 1 --'`},
		pendingSettings("Log", map[string]string{
			"storage_policy":           "x' SETTINGS y = 1 --",
			"merge_selector_algorithm": "Simple",
			"b_offset":                 "-3",
			"a_ratio":                  "0.5",
		}))
	// What the table has already is left out, whole assignments only.
	assert.Empty(t, pendingSettings(engineFull, map[string]string{
		"merge_selector_base": "10", "index_granularity": "8192", "merge_selector_algorithm": "Simple",
	}))
	assert.Equal(t, []string{"merge_selector_base = 1"}, pendingSettings(engineFull, map[string]string{"merge_selector_base": "1"}))
	assert.Equal(t, []string{"granularity = 8192"}, pendingSettings(engineFull, map[string]string{"granularity": "8192"}))
}
