// Package kafkalinkconnector continues a trace across Kafka. On the
// consuming side, the kafka receiver puts each record's headers into the
// client metadata; for a record batch whose traceparent header is valid,
// this connector makes a CONSUMER span that is a child of (or linked to)
// the producing span, and stamps the log records it passes on with it, so
// client -> ingest -> Kafka -> consumer is one nested trace.
//
//go:generate mdatagen metadata.yaml
package kafkalinkconnector // import "github.com/otelcol-events/otelcol-events/components/kafkalinkconnector"
