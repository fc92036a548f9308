// Package kafkatopictest reads a Kafka topic back in tests, the way a
// consumer of the pipeline's topics would: the integration tests read what
// the collectors produced, and the kafkaevents exporter's tests what it
// produced to an in-process broker.
package kafkatopictest // import "github.com/otelcol-events/otelcol-events/internal/kafkatopictest"

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ReadFromStart reads topic from its first record with a client of its
// own, handing each record to each until it says it is done. It fails the
// test when a minute passes first.
func ReadFromStart(t testing.TB, brokers []string, topic string, each func(*kgo.Record) (done bool)) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	require.NoError(t, err)
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		fetches := cl.PollFetches(ctx)
		require.NoError(t, ctx.Err(), "%s: no more records, and not done with it", topic)
		for _, rec := range fetches.Records() {
			if each(rec) {
				return
			}
		}
	}
}
