package eventlogstest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEnrichedUploads(t *testing.T) {
	ld := EnrichedUploads(3, 4)
	require.Equal(t, 3, ld.ResourceLogs().Len())
	require.Equal(t, 12, ld.LogRecordCount())
	first := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	second := ld.ResourceLogs().At(1).ScopeLogs().At(0).LogRecords()
	id := func(i int) string {
		v, _ := first.At(i).Attributes().Get("event.backend_id")
		return v.Str()
	}
	other, _ := second.At(0).Attributes().Get("event.backend_id")
	assert.Len(t, id(0), 36)
	assert.NotEqual(t, id(0), id(1), "a counter per event")
	assert.Equal(t, id(0)[19:], id(1)[19:], "the upload's random bits")
	assert.NotEqual(t, id(0)[19:], other.Str()[19:], "each upload its own")
	assert.Equal(t, first.At(0).TraceID(), first.At(3).TraceID(), "one trace per upload")
	assert.Equal(t, 11, first.At(0).Attributes().Len(), "4 of the upload, 7 added")
}
