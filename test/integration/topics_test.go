//go:build integration

package integration

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pipelineTopics are the topics the local stack creates before the
// collectors start (local-stack -kafka-topics): the OTLP topics and the
// event topics of the agent's declared categories and its shared topic.
var pipelineTopics = []string{
	"otlp_spans", "otlp_logs", "otlp_metrics",
	"events.crash", "events.page_view", "events.performance", "events.other",
}

// eventTopic is the topic config/agent.yaml routes a category's events to:
// its own for a declared category (topic_categories), the shared one else.
func eventTopic(category string) string {
	switch category {
	case "crash", "page_view", "performance":
		return "events." + category
	}
	return "events.other"
}

// A declared category's events go to its own topic, a category nobody
// declared to the shared events.other: both carry their category as a
// record header, and both reach ClickHouse through the gateway's pattern
// subscription without waiting for a topic to appear.
func TestCategoryTopics(t *testing.T) {
	s := startLinkedStack(t)
	newCategory := fmt.Sprintf("never_seen_%d", time.Now().UnixNano())
	for category, topic := range map[string]string{"crash": "events.crash", newCategory: "events.other"} {
		code, a := uploadEvents(t, s.agent.Endpoints.Events, eventsBody(category, category, 3), nil)
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, 3, a.Accepted)
		waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_logs WHERE ResourceAttributes['event.category'] = '%s'", s.db, category), 3, 60*time.Second)
		headers := firstRecordHeaders(t, s.kafkaAddr, topic)
		assert.Equal(t, category, headers.Get("event.category"), topic)
		// The consumer span names the topic (one upload, one record, one span).
		waitForCount(t, fmt.Sprintf("SELECT count() FROM %s.otel_traces WHERE SpanName = '%s process'", s.db, topic), 1, 60*time.Second)
	}
}
