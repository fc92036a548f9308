package config // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"

import (
	"errors"
	"fmt"
	"net/url"
)

// Validate reports every problem in the file at once.
func (c *Config) Validate() error {
	errs := []error{c.validateRun(), c.Workload.Validate()}
	collectors, err := c.validateCollectors()
	errs = append(errs, err)
	processes, err := c.validateProcesses(collectors)
	errs = append(errs, err, c.validateQueries(), c.validateBackends(collectors, processes))
	return errors.Join(errs...)
}

func (c *Config) validateRun() error {
	var errs []error
	if c.Run.IngestTimeout <= 0 {
		errs = append(errs, errors.New("run.ingest_timeout must be positive"))
	}
	if c.Run.PollInterval <= 0 {
		errs = append(errs, errors.New("run.poll_interval must be positive"))
	}
	if c.Run.OutDir == "" {
		errs = append(errs, errors.New("run.out_dir must not be empty"))
	}
	return errors.Join(errs...)
}

// validateCollectors checks the collector the workload is sent to and the
// measured collectors, and returns the names of the latter.
func (c *Config) validateCollectors() (map[string]bool, error) {
	var errs []error
	if err := validateURL("collector.otlp_endpoint", c.Collector.OTLPEndpoint); err != nil {
		errs = append(errs, err)
	}
	if c.Workload.Events > 0 {
		if err := validateURL("collector.events_endpoint", c.Collector.EventsEndpoint); err != nil {
			errs = append(errs, fmt.Errorf("%w (workload.events > 0 sends events through the eventsplit receiver)", err))
		}
	}
	if c.Collector.Timeout <= 0 {
		errs = append(errs, errors.New("collector.timeout must be positive"))
	}
	names := map[string]bool{}
	for i, col := range c.Collectors {
		if col.Name == "" {
			errs = append(errs, fmt.Errorf("collectors[%d].name must not be empty", i))
		}
		if names[col.Name] {
			errs = append(errs, fmt.Errorf("collectors[%d].name %q is used twice", i, col.Name))
		}
		names[col.Name] = true
		if err := validateURL(fmt.Sprintf("collectors[%d].metrics_url", i), col.MetricsURL); err != nil {
			errs = append(errs, err)
		}
	}
	return names, errors.Join(errs...)
}

// validateProcesses checks the measured processes, whose names share one
// namespace with the collectors', and returns their names.
func (c *Config) validateProcesses(collectors map[string]bool) (map[string]bool, error) {
	var errs []error
	names := map[string]bool{}
	for i, p := range c.Processes {
		if p.Name == "" || p.PIDFile == "" {
			errs = append(errs, fmt.Errorf("processes[%d] needs a name and a pid_file", i))
		}
		if names[p.Name] || collectors[p.Name] {
			errs = append(errs, fmt.Errorf("processes[%d].name %q is used twice", i, p.Name))
		}
		names[p.Name] = true
	}
	return names, errors.Join(errs...)
}

func (c *Config) validateQueries() error {
	var errs []error
	if c.Queries.Repeat < 1 {
		errs = append(errs, errors.New("queries.repeat must be at least 1"))
	}
	if c.Queries.Timeout <= 0 {
		errs = append(errs, errors.New("queries.timeout must be positive"))
	}
	if c.Queries.SearchLimit < 1 {
		errs = append(errs, errors.New("queries.search_limit must be at least 1"))
	}
	return errors.Join(errs...)
}

// validateBackends checks every backend, and that the collectors and
// processes it names are configured.
func (c *Config) validateBackends(collectors, processes map[string]bool) error {
	if len(c.Backends) == 0 {
		return errors.New("backends: configure at least one backend")
	}
	var errs []error
	names := map[string]bool{}
	for i, b := range c.Backends {
		at := fmt.Sprintf("backends[%d]", i)
		if b.Name == "" {
			errs = append(errs, fmt.Errorf("%s.name must not be empty", at))
		}
		if names[b.Name] {
			errs = append(errs, fmt.Errorf("%s.name %q is used twice", at, b.Name))
		}
		names[b.Name] = true
		if b.Exporter.Name != "" && !collectors[b.Exporter.Collector] {
			errs = append(errs, fmt.Errorf("%s.exporter.collector %q is not in collectors", at, b.Exporter.Collector))
		}
		if b.Process != "" && !collectors[b.Process] && !processes[b.Process] {
			errs = append(errs, fmt.Errorf("%s.process %q is neither in processes nor in collectors", at, b.Process))
		}
		errs = append(errs, b.validateStore(at), b.validateSkipQueries(at))
	}
	return errors.Join(errs...)
}

// validateStore checks the settings of the backend's type.
func (b BackendConfig) validateStore(at string) error {
	switch b.Type {
	case BackendClickHouse:
		return validateURL(at+".clickhouse.endpoint", b.ClickHouse.Endpoint)
	case BackendJaeger:
		return b.Jaeger.validate(at + ".jaeger")
	default:
		return fmt.Errorf("%s.type %q: want %s or %s", at, b.Type, BackendClickHouse, BackendJaeger)
	}
}

func (b BackendConfig) validateSkipQueries(at string) error {
	var errs []error
	for kind, reason := range b.SkipQueries {
		if kind != QueryTraceByID && kind != QuerySearch {
			errs = append(errs, fmt.Errorf("%s.skip_queries: unknown query kind %q: want %s or %s", at, kind, QueryTraceByID, QuerySearch))
		}
		if reason == "" {
			errs = append(errs, fmt.Errorf("%s.skip_queries.%s: give the reason, the report prints it", at, kind))
		}
	}
	return errors.Join(errs...)
}

func (j JaegerConfig) validate(at string) error {
	var errs []error
	if err := validateURL(at+".query.endpoint", j.Query.Endpoint); err != nil {
		errs = append(errs, err)
	}
	switch j.Storage {
	case StorageElasticsearch:
		if err := validateURL(at+".elasticsearch.endpoint", j.Elasticsearch.Endpoint); err != nil {
			errs = append(errs, fmt.Errorf("%w (index sizes come from Jaeger's Elasticsearch)", err))
		}
	case StorageBadger:
		if j.Badger.Directory == "" {
			errs = append(errs, fmt.Errorf("%s.badger.directory must be set (the bytes on disk are its size)", at))
		}
	case StorageClickHouse:
		if err := validateURL(at+".clickhouse.endpoint", j.ClickHouse.Endpoint); err != nil {
			errs = append(errs, fmt.Errorf("%w (table sizes come from Jaeger's ClickHouse)", err))
		}
	default:
		errs = append(errs, fmt.Errorf("%s.storage %q: want %s, %s or %s", at, j.Storage, StorageElasticsearch, StorageBadger, StorageClickHouse))
	}
	return errors.Join(errs...)
}

func validateURL(field, raw string) error {
	if raw == "" {
		return fmt.Errorf("%s must be set", field)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s %q: want an http:// or https:// URL", field, raw)
	}
	return nil
}
