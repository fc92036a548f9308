package ipgeoprocessor // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor"

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
)

// Config of the ipgeo processor.
type Config struct {
	// Providers are the geolocation databases, asked in order.
	Providers []ProviderConfig `mapstructure:"providers"`

	// Merge says how several providers combine: "record" (default) takes the
	// whole answer of the first provider that has one; "field" fills each
	// field from the first provider that has that field (a City database
	// first, a Country database to fill what it lacks, say).
	Merge string `mapstructure:"merge"`

	// ASN is an optional MMDB with autonomous system data (GeoLite2-ASN
	// shape: autonomous_system_number, autonomous_system_organization),
	// written as as.number and as.organization.name.
	ASN ASNConfig `mapstructure:"asn"`

	// Source says where the client address is found.
	Source SourceConfig `mapstructure:"source"`

	// Language of geo.country.name and geo.region.name, where the database
	// has names in several languages (MaxMind's); English is the fallback.
	Language string `mapstructure:"language"`

	// LegacyAttributes writes extra keys for consumers that expect other
	// names: key -> one of the geo.* / as.* keys this processor writes,
	// e.g. {country: geo.country.iso_code, city: geo.locality.name}.
	LegacyAttributes map[string]string `mapstructure:"legacy_attributes"`

	// Overwrite replaces geo attributes a record already has; by default
	// existing ones are left alone and only missing ones are added.
	Overwrite bool `mapstructure:"overwrite"`

	// Cache bounds the per-address answer cache.
	Cache CacheConfig `mapstructure:"cache"`

	// Reload watches the database files and swaps in changed ones.
	Reload ReloadConfig `mapstructure:"reload"`

	// OpenTimeout bounds opening and checking the databases, at start and at
	// every reload (default 1m). A database that takes longer fails Start,
	// or is not swapped in, instead of holding the collector up.
	OpenTimeout time.Duration `mapstructure:"open_timeout"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// ProviderConfig is one geolocation database.
type ProviderConfig struct {
	// Type is "mmdb" (any MaxMind DB file) or "ip2region" (xdb format 2 or 3).
	Type string `mapstructure:"type"`
	// Path of the database file.
	Path string `mapstructure:"path"`
	// Schema of an mmdb's records: "auto" (default: from the database type,
	// else from a sample record), "geoip2" (MaxMind GeoIP2/GeoLite2 City and
	// Country, DB-IP), "flat" (ip-location-db: country_code, state1, city,
	// postcode, latitude, longitude) or "custom" (Fields only).
	Schema string `mapstructure:"schema"`
	// Fields maps output fields to record paths, overriding or (with schema
	// custom) replacing the schema's: continent_code, country_iso_code,
	// country_name, region_iso_code, region_name, locality_name,
	// postal_code, latitude, longitude, as_number, as_organization -> a
	// dotted path such as "country.names.{lang}" or "subdivisions.0.iso_code".
	Fields map[string]string `mapstructure:"fields"`
	// Layout names the '|'-separated parts of an ip2region record (default
	// country, area, province, city, isp). Known names: country,
	// country_iso_code, province, city, isp, postal_code; others ("area",
	// "-") are ignored.
	Layout []string `mapstructure:"layout"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// ASNConfig is the optional ASN database.
type ASNConfig struct {
	// Path of an MMDB with ASN records; empty turns ASN off.
	Path string `mapstructure:"path"`
	// Fields overrides the record paths of as_number and as_organization.
	Fields map[string]string `mapstructure:"fields"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// SourceConfig says where the address is read from.
type SourceConfig struct {
	// Attributes are tried in order; the first holding a valid address wins
	// (default client.address, source.address, network.peer.address).
	Attributes []string `mapstructure:"attributes"`
	// Context is "record" (span, log record, data point; default),
	// "resource", or "both" (each context enriched from its own address).
	// Geo attributes are written where the address was found.
	Context string `mapstructure:"context"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// CacheConfig bounds the answer cache.
type CacheConfig struct {
	// Size is the number of addresses kept (default 65536; 0 disables the
	// cache). Answers that nothing was found are cached too.
	Size int `mapstructure:"size"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// ReloadConfig controls hot reload.
type ReloadConfig struct {
	// Enabled watches the database files (default true).
	Enabled bool `mapstructure:"enabled"`
	// Interval between checks of the files' size, modification time and
	// identity (default 30s). A changed file is opened and checked in the
	// background and swapped in atomically; a broken one is logged and the
	// old database keeps serving.
	Interval time.Duration `mapstructure:"interval"`

	// prevent unkeyed literal initialization
	_ struct{}
}

const (
	providerMMDB      = "mmdb"
	providerIP2Region = "ip2region"

	schemaAuto   = "auto"
	schemaGeoIP2 = "geoip2"
	schemaFlat   = "flat"
	schemaCustom = "custom"

	mergeRecord = "record"
	mergeField  = "field"

	contextRecord   = "record"
	contextResource = "resource"
	contextBoth     = "both"

	// maxLegacyAttributes keeps every written key in a 32-bit presence mask.
	maxLegacyAttributes = 16
)

var _ component.Config = (*Config)(nil)

// Validate checks the configuration; it does not open the databases (Start
// does, and fails naming the file if one cannot be used).
func (cfg *Config) Validate() error {
	var errs []error
	if len(cfg.Providers) == 0 {
		errs = append(errs, errors.New("providers: at least one database is required"))
	}
	for i, p := range cfg.Providers {
		if err := p.validate(); err != nil {
			errs = append(errs, fmt.Errorf("providers[%d]: %w", i, err))
		}
	}
	for name := range cfg.ASN.Fields {
		if name != "as_number" && name != "as_organization" {
			errs = append(errs, fmt.Errorf("asn::fields: %q is not as_number or as_organization", name))
		}
	}
	if cfg.Merge != mergeRecord && cfg.Merge != mergeField {
		errs = append(errs, fmt.Errorf("merge must be %q or %q, got %q", mergeRecord, mergeField, cfg.Merge))
	}
	if len(cfg.Source.Attributes) == 0 {
		errs = append(errs, errors.New("source::attributes must name at least one attribute"))
	}
	switch cfg.Source.Context {
	case contextRecord, contextResource, contextBoth:
	default:
		errs = append(errs, fmt.Errorf("source::context must be %q, %q or %q, got %q", contextRecord, contextResource, contextBoth, cfg.Source.Context))
	}
	if cfg.Language == "" {
		errs = append(errs, errors.New("language must not be empty"))
	}
	outputs := outputKeys()
	if len(cfg.LegacyAttributes) > maxLegacyAttributes {
		errs = append(errs, fmt.Errorf("legacy_attributes: at most %d, got %d", maxLegacyAttributes, len(cfg.LegacyAttributes)))
	}
	for legacy, std := range cfg.LegacyAttributes {
		if legacy == "" {
			errs = append(errs, errors.New("legacy_attributes: empty key"))
		}
		if !slices.Contains(outputs, std) {
			errs = append(errs, fmt.Errorf("legacy_attributes: %q maps to %q, which is not one of %s", legacy, std, strings.Join(outputs, ", ")))
		}
	}
	if cfg.Cache.Size < 0 {
		errs = append(errs, errors.New("cache::size must not be negative"))
	}
	if cfg.OpenTimeout <= 0 {
		errs = append(errs, errors.New("open_timeout must be positive"))
	}
	if cfg.Reload.Enabled && cfg.Reload.Interval <= 0 {
		errs = append(errs, errors.New("reload::interval must be positive"))
	}
	return errors.Join(errs...)
}

func (p ProviderConfig) validate() error {
	if p.Path == "" {
		return errors.New("path is required")
	}
	switch p.Type {
	case providerMMDB:
		switch p.Schema {
		case "", schemaAuto, schemaGeoIP2, schemaFlat:
		case schemaCustom:
			if len(p.Fields) == 0 {
				return errors.New("schema custom needs fields")
			}
		default:
			return fmt.Errorf("schema must be %s, %s, %s or %s, got %q", schemaAuto, schemaGeoIP2, schemaFlat, schemaCustom, p.Schema)
		}
		for name, path := range p.Fields {
			if _, ok := fieldByName(name); !ok {
				return fmt.Errorf("fields: unknown output field %q", name)
			}
			if path == "" || strings.Contains(path, "..") || strings.HasPrefix(path, ".") || strings.HasSuffix(path, ".") {
				return fmt.Errorf("fields: %s has an invalid path %q", name, path)
			}
		}
		if len(p.Layout) > 0 {
			return errors.New("layout applies to ip2region databases only")
		}
	case providerIP2Region:
		if len(p.Fields) > 0 || (p.Schema != "" && p.Schema != schemaAuto) {
			return errors.New("schema and fields apply to mmdb databases only; ip2region uses layout")
		}
	default:
		return fmt.Errorf("type must be %q or %q, got %q", providerMMDB, providerIP2Region, p.Type)
	}
	return nil
}
