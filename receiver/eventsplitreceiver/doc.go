// Package eventsplitreceiver receives batched client event uploads over HTTP,
// splits them into one log record per event after validating the envelope
// and every event, answers per event what was accepted, and continues the
// caller's W3C trace with an ingest span.
//
//go:generate mdatagen metadata.yaml
package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"
