package otlplogsextension // import "github.com/otelcol-events/otelcol-events/components/otlplogsextension"

import "fmt"

// The protocols, named as the kafka receiver's built-in encodings are, so
// one setting can say how the producer encodes and how this decodes.
const (
	protocolProto = "otlp_proto"
	protocolJSON  = "otlp_json"
)

// Config chooses the wire format.
type Config struct {
	// Protocol is otlp_proto (decoded by this extension, with pdata's
	// result) or otlp_json (decoded by pdata's JSON unmarshaler, unchanged).
	Protocol string `mapstructure:"protocol"`
}

func (c *Config) Validate() error {
	switch c.Protocol {
	case protocolProto, protocolJSON:
		return nil
	}
	return fmt.Errorf("protocol must be %q or %q, got %q", protocolProto, protocolJSON, c.Protocol)
}
