package workload // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/workload"

import "errors"

// Config shapes the generated traces and events. The same seed gives
// the same traces (shapes, names, attributes, client addresses, errors);
// trace and span ids also depend on the run id, so two runs against the same
// backend never collide.
type Config struct {
	Seed   uint64 `mapstructure:"seed"`
	Traces int    `mapstructure:"traces"`
	// Rate is the target in spans per second; 0 sends as fast as the
	// collector accepts.
	Rate float64 `mapstructure:"rate"`
	// TracesPerRequest is how many traces one OTLP request carries.
	TracesPerRequest int `mapstructure:"traces_per_request"`
	// Concurrency is the number of requests in flight.
	Concurrency int `mapstructure:"concurrency"`
	Services    int `mapstructure:"services"`
	// Depth is the maximum depth of a trace (1 = a root span only); each
	// trace's depth is drawn between 1 and Depth.
	Depth int `mapstructure:"depth"`
	// FanOut is the maximum number of children of a span.
	FanOut int `mapstructure:"fan_out"`
	// Attributes is the number of extra free-form attributes per span, on
	// top of the HTTP, client and customer attributes every span has.
	Attributes int `mapstructure:"attributes"`
	// ErrorRatio is the share of spans with status Error.
	ErrorRatio float64 `mapstructure:"error_ratio"`
	// ClientAddresses is the number of distinct public client IPs, drawn
	// with a Zipf skew as real traffic is.
	ClientAddresses int `mapstructure:"client_addresses"`
	// Events is the number of client events uploaded through the eventsplit
	// receiver besides the traces (0: none).
	Events          int `mapstructure:"events"`
	EventsPerUpload int `mapstructure:"events_per_upload"`
}

func DefaultConfig() Config {
	return Config{
		Seed:             1,
		Traces:           2000,
		TracesPerRequest: 50,
		Concurrency:      2,
		Services:         6,
		Depth:            4,
		FanOut:           3,
		Attributes:       4,
		ErrorRatio:       0.02,
		ClientAddresses:  5000,
		EventsPerUpload:  100,
	}
}

// MaxSpansPerTrace keeps a deep, wide configuration from producing traces no
// SDK would export in one piece.
const MaxSpansPerTrace = 500

func (w Config) Validate() error {
	var errs []error
	check := func(ok bool, msg string) {
		if !ok {
			errs = append(errs, errors.New("workload."+msg))
		}
	}
	check(w.Traces > 0, "traces must be at least 1")
	check(w.Rate >= 0, "rate must not be negative (0 = as fast as possible)")
	check(w.TracesPerRequest > 0, "traces_per_request must be at least 1")
	check(w.Concurrency > 0 && w.Concurrency <= 64, "concurrency must be between 1 and 64")
	check(w.Services > 0 && w.Services <= 1000, "services must be between 1 and 1000")
	check(w.Depth > 0 && w.Depth <= 20, "depth must be between 1 and 20")
	check(w.FanOut > 0 && w.FanOut <= 50, "fan_out must be between 1 and 50")
	check(w.Attributes >= 0 && w.Attributes <= 100, "attributes must be between 0 and 100")
	check(w.ErrorRatio >= 0 && w.ErrorRatio <= 1, "error_ratio must be between 0 and 1")
	check(w.ClientAddresses > 0, "client_addresses must be at least 1")
	check(w.Events >= 0, "events must not be negative")
	check(w.EventsPerUpload > 0 && w.EventsPerUpload <= 1000, "events_per_upload must be between 1 and 1000")
	return errors.Join(errs...)
}

// Attribute keys the queries rely on. RunIDKey marks every span (a
// resource attribute) and event (a record attribute) of a run.
const (
	RunIDKey        = "benchmark.run_id"
	SearchAttrKey   = "customer.tier"
	clientAddrKey   = "client.address"
	resourceService = "service.name"
)
