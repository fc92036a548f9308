package eventsplitreceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/client"
)

func TestTopicRouter(t *testing.T) {
	everyCategory := newTopicRouter(&MetadataConfig{TopicTemplate: "events.{category}", SharedTopic: "events.other"})
	assert.Equal(t, "events.crash", everyCategory.topic("crash"))
	assert.Equal(t, "events.brand_new", everyCategory.topic("brand_new"), "no declared categories: every category has its own topic")

	declared := newTopicRouter(&MetadataConfig{
		TopicTemplate: "client.{category}.v1", TopicCategories: []string{"crash", "page_view"}, SharedTopic: "client.other.v1",
	})
	assert.Equal(t, "client.crash.v1", declared.topic("crash"))
	assert.Equal(t, "client.page_view.v1", declared.topic("page_view"))
	assert.Equal(t, "client.other.v1", declared.topic("brand_new"), "undeclared categories share one topic")
	assert.Equal(t, "client.other.v1", declared.topic(""))
}

func TestUndeclaredCategoryGoesToSharedTopic(t *testing.T) {
	h := startHarness(t, withConfig(func(c *Config) {
		c.Metadata.TopicCategories = []string{"crash"}
	}))
	meta := `{"app_id":"shop","category":"checkout_v2","device_id":"dev-9"}`
	code, _, _ := h.post(upload(meta, validEvent("a")))
	assert.Equal(t, 200, code)
	md := client.FromContext(h.logs.Contexts()[0]).Metadata
	assert.Equal(t, []string{"events.other"}, md.Get("event.topic"))
	assert.Equal(t, []string{"checkout_v2"}, md.Get("event.category"), "the category travels with the record (a header)")
}

func BenchmarkTopicRouter(b *testing.B) {
	declared := newTopicRouter(&MetadataConfig{TopicTemplate: "events.{category}", TopicCategories: []string{"crash", "page_view"}, SharedTopic: "events.other"})
	everyCategory := newTopicRouter(&MetadataConfig{TopicTemplate: "events.{category}"})
	b.Run("declared", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = declared.topic("page_view")
		}
	})
	b.Run("template", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = everyCategory.topic("page_view")
		}
	})
}
