package main

import (
	"sync"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// createRequestedTopics creates the topics producers ask for, as a broker
// with auto.create.topics.enable does, but through kfake's CreateTopic.
//
// Why not kfake.AllowAutoTopicCreation: kfake creates such a topic in
// memory only; it reaches the data dir's topics.json at the next orderly
// shutdown. After a kill -9 the restarted broker does not know the topic,
// its records on disk are not loaded, and clients that remember its topic
// id loop on UNKNOWN_TOPIC_ID. CreateTopic writes the topic down at once.
//
// The Metadata request that names a new topic is answered
// UNKNOWN_TOPIC_OR_PARTITION while the topic is being created; clients
// retry their metadata request and find it.
func createRequestedTopics(cluster *kfake.Cluster, partitions int32) {
	var mu sync.Mutex
	requested := map[string]bool{}
	cluster.ControlKey(int16(kmsg.Metadata), func(req kmsg.Request) (kmsg.Response, error, bool) {
		m, ok := req.(*kmsg.MetadataRequest)
		if !ok || !m.AllowAutoTopicCreation {
			return nil, nil, false
		}
		for _, t := range m.Topics {
			if t.Topic == nil || *t.Topic == "" {
				continue
			}
			name := *t.Topic
			mu.Lock()
			first := !requested[name]
			requested[name] = true
			mu.Unlock()
			if first {
				// The control function runs on the cluster's loop, which
				// CreateTopic waits for: create from another goroutine. An
				// existing topic answers TOPIC_ALREADY_EXISTS, which is fine.
				go func() { _ = cluster.CreateTopic(name, partitions, nil) }()
			}
		}
		return nil, nil, false // answered as usual
	})
}
