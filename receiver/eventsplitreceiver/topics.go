package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import "strings"

// topicRouter names the Kafka topic of a category's events (the event.topic
// metadata the kafka exporter routes by).
//
// Why declared categories: a category's own topic is created when its first
// record is produced, and a consumer that subscribes by pattern only sees
// the topic at its next metadata refresh (the contrib Kafka receiver's
// franz-go client refreshes at most every 5 s; 10 s as configured). A
// category nobody declared goes to the shared topic instead, which exists
// and is consumed from the start, so its first events are as fast as any.
type topicRouter struct {
	template string
	// own maps each declared category to its topic, built once: routing a
	// request then allocates nothing. nil: every category has its own topic.
	own    map[string]string
	shared string
}

func newTopicRouter(cfg *MetadataConfig) topicRouter {
	r := topicRouter{template: cfg.TopicTemplate, shared: cfg.SharedTopic}
	if len(cfg.TopicCategories) > 0 {
		r.own = make(map[string]string, len(cfg.TopicCategories))
		for _, c := range cfg.TopicCategories {
			r.own[c] = r.categoryTopic(c)
		}
	}
	return r
}

// topic is the topic of category's events.
func (r topicRouter) topic(category string) string {
	if r.own == nil {
		return r.categoryTopic(category)
	}
	if t, ok := r.own[category]; ok {
		return t
	}
	return r.shared
}

func (r topicRouter) categoryTopic(category string) string {
	return strings.ReplaceAll(r.template, categoryPlaceholder, category)
}
