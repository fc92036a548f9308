package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

// reason is why one event was rejected. The codes are part of the API:
// clients branch on them, dashboards group by them. Never rename one; add.
type reason uint8

const (
	reasonNone reason = iota
	reasonInvalidEvent
	reasonMissingID
	reasonInvalidID
	reasonDuplicateID
	reasonMissingName
	reasonInvalidName
	reasonMissingTimestamp
	reasonInvalidTimestamp
	reasonTimestampInFuture
	reasonTimestampTooOld
	reasonInvalidIP
	reasonInvalidAttributes
	reasonTooManyAttributes
	reasonInvalidAttribute
	reasonPayloadTooLarge
	reasonTooDeep
	reasonUnknownField
	reasonDuplicateField
	// reasonRetryLater marks a valid event of a request the pipeline refused
	// (429/503): nothing of that request was accepted; send it again later.
	reasonRetryLater
	numReasons
)

var reasonCodes = [numReasons]string{
	reasonNone:              "",
	reasonInvalidEvent:      "invalid_event",
	reasonMissingID:         "missing_id",
	reasonInvalidID:         "invalid_id",
	reasonDuplicateID:       "duplicate_id",
	reasonMissingName:       "missing_name",
	reasonInvalidName:       "invalid_name",
	reasonMissingTimestamp:  "missing_timestamp",
	reasonInvalidTimestamp:  "invalid_timestamp",
	reasonTimestampInFuture: "timestamp_in_future",
	reasonTimestampTooOld:   "timestamp_too_old",
	reasonInvalidIP:         "invalid_ip",
	reasonInvalidAttributes: "invalid_attributes",
	reasonTooManyAttributes: "too_many_attributes",
	reasonInvalidAttribute:  "invalid_attribute",
	reasonPayloadTooLarge:   "payload_too_large",
	reasonTooDeep:           "too_deep",
	reasonUnknownField:      "unknown_field",
	reasonDuplicateField:    "duplicate_field",
	reasonRetryLater:        "retry_later",
}

func (r reason) String() string { return reasonCodes[r] }

// Request-level error codes, answered with an "error" object instead of
// per-event parts.
const (
	errMethodNotAllowed = "method_not_allowed"
	errUnsupportedMedia = "unsupported_media_type"
	errBodyTooLarge     = "body_too_large"
	errTooManyEvents    = "too_many_events"
	errMalformedBody    = "malformed_body"
	errBodyTimeout      = "body_timeout"
	errMalformedJSON    = "malformed_json"
	errInvalidEnvelope  = "invalid_envelope"
	errInvalidMeta      = "invalid_meta"
	errEmptyData        = "empty_data"
	errPipelineRefused  = "pipeline_refused"
	errInternal         = "internal_error"
)
