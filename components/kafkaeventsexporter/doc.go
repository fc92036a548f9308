// Package kafkaeventsexporter hands log records (our client events) to
// Kafka for a caller that waits for them: each request becomes one record,
// with its topic, key and headers from the request's client metadata, and
// the request returns once Kafka acknowledged that record. Requests that
// arrive within the producer's linger share one produce request.
//
// It exists because contrib's kafka exporter produces with franz-go's
// ProduceSync, which stops the linger for the partitions it wrote to: with
// no sending queue (the caller waits), every request was a produce request
// of its own, and the broker, the producer and the gateway's consumers
// woke for each one. This exporter enqueues the record and waits for its
// promise, so the linger holds.
//
//go:generate mdatagen metadata.yaml
package kafkaeventsexporter // import "github.com/otelcol-events/otelcol-events/components/kafkaeventsexporter"
