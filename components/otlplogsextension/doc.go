// Package otlplogsextension decodes OTLP logs for receivers that take an
// encoding extension (the kafka receiver's `encoding`). For protobuf its
// result is the one pdata's ProtoUnmarshaler gives, for less CPU and
// memory: the gateway decodes every client event it reads from Kafka, and
// pdata's unmarshaler grows each record's attribute slice one append at a
// time. JSON is left to pdata's JSONUnmarshaler.
//
//go:generate mdatagen metadata.yaml
package otlplogsextension // import "github.com/otelcol-events/otelcol-events/components/otlplogsextension"
