//go:build integration

package integration

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
)

// pipelineTopics are the topics the local stack creates before the
// collectors start (local-stack -kafka-topics).
var pipelineTopics = stack.DefaultTopics()

// eventTopic is the topic config/agent.yaml routes a category's events to:
// its own for a declared category (topic_categories), the shared one else.
func eventTopic(category string) string {
	if slices.Contains(stack.EventCategories, category) {
		return "events." + category
	}
	return stack.SharedEventTopic
}

// The declared categories are written in files that cannot share a
// constant: the agent config's defaults and the compose job that creates
// the topics. They must say what the local stack creates.
func TestDeclaredCategoriesAgree(t *testing.T) {
	declared := "${env:EVENT_TOPIC_CATEGORIES:-[" + strings.Join(stack.EventCategories, ", ") + "]}"
	shared := "${env:EVENT_SHARED_TOPIC:-" + stack.SharedEventTopic + "}"
	data, err := os.ReadFile(filepath.Join(suite.repoRoot, "config", "agent.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "topic_categories: "+declared)
	assert.Contains(t, string(data), "shared_topic: "+shared)
	job := strings.Join(loadCompose(t).Services["kafka-topics"].Command, " ")
	assert.Contains(t, job, "for t in "+strings.Join(pipelineTopics, " ")+";", "compose creates the local stack's topics")
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
