package kafkalinkconnector // import "github.com/otelcol-events/otelcol-events/components/kafkalinkconnector"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
)

// logsToLogs stamps the log records of a linked Kafka record with its
// consumer span.
type logsToLogs struct {
	*linker
	next consumer.Logs
}

func (c *logsToLogs) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

func (c *logsToLogs) Start(context.Context, component.Host) error { return nil }

func (c *logsToLogs) Shutdown(context.Context) error {
	c.telemetry.Shutdown()
	return nil
}

// ConsumeLogs passes the record's logs on, stamped when it is linked,
// unchanged when its header is missing or malformed (counted, never an
// error).
func (c *logsToLogs) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	cons, res := c.read(ctx)
	if res == resultLinked {
		flags := plog.DefaultLogRecordFlags.WithIsSampled(cons.producer.Sampled())
		stamped := 0
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					lr.SetTraceID(cons.traceID)
					lr.SetSpanID(cons.spanID)
					lr.SetFlags(flags)
					stamped++
				}
			}
		}
		c.telemetry.ConnectorKafkalinkLogRecordsStamped.Add(ctx, int64(stamped))
	}
	return c.next.ConsumeLogs(ctx, ld)
}

// logsToTraces emits the consumer span of a linked Kafka record.
type logsToTraces struct {
	*linker
	next consumer.Traces
}

func (c *logsToTraces) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

func (c *logsToTraces) Start(context.Context, component.Host) error { return nil }

func (c *logsToTraces) Shutdown(context.Context) error {
	c.telemetry.Shutdown()
	return nil
}

func (c *logsToTraces) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	cons, res := c.read(ctx)
	if res != resultLinked {
		return nil
	}
	if err := c.next.ConsumeTraces(ctx, c.consumerSpan(cons, ld.LogRecordCount())); err != nil {
		return err
	}
	c.telemetry.ConnectorKafkalinkConsumerSpans.Add(ctx, 1)
	return nil
}
