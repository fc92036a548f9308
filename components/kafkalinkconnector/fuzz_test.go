package kafkalinkconnector

import (
	"testing"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Whatever headers a foreign producer writes on a Kafka record, reading
// them never panics, and a record is linked only with a valid parent and
// Kafka coordinates, to a consumer span with valid ids.
func FuzzReadMetadata(f *testing.F) {
	f.Add(producerTP, producerTS, "", "", "events.checkout", "2", "41", "1763730000000000000")
	f.Add("", "", "4bf92f3577b34da6a3ce929d0e0e4736-a1b2c3d4e5f60718-1", "", "t", "0", "0", "")
	f.Add("", "", "", "39e6f67f630a6a30:39e6f67f630a6a30:0:1", "t", "0", "-1", "x")
	f.Add("ff-zz", "a=1,a=2", "garbage", "0:0:0:0", "", "", "", "-5")
	f.Fuzz(func(t *testing.T, tp, ts, b3, uber, topic, partition, offset, start string) {
		md := map[string][]string{}
		for k, v := range map[string]string{
			"traceparent": tp, "tracestate": ts, "b3": b3, "uber-trace-id": uber,
			keyTopic: topic, keyPartition: partition, keyOffset: offset, "event.handed_off_at": start,
		} {
			if v != "" {
				md[k] = []string{v}
			}
		}
		for _, mode := range []string{modeParent, modeLink} {
			cfg := createDefaultConfig().(*Config)
			cfg.Mode = mode
			l := &linker{cfg: cfg, now: func() time.Time { return consumedAt }}
			c, res := l.readMetadata(client.NewMetadata(md))
			if res != resultLinked {
				continue
			}
			if !c.producer.Found() || c.topic == "" || c.partition == "" {
				t.Fatalf("linked without a parent or coordinates: %+v", c)
			}
			if c.traceID == (pcommon.TraceID{}) || c.spanID == (pcommon.SpanID{}) {
				t.Fatalf("consumer span with an empty id: %+v", c)
			}
			if !c.start.IsZero() && c.start.After(consumedAt.Add(maxClockSkew)) {
				t.Fatalf("start %v beyond the allowed skew", c.start)
			}
		}
	})
}
