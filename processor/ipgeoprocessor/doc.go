// Package ipgeoprocessor adds IP geolocation to spans, log records, metric
// data points or their resources, from MaxMind-format (MMDB) and ip2region
// (xdb) databases, with a bounded address cache and hot reload of changed
// database files.
//
//go:generate mdatagen metadata.yaml
package ipgeoprocessor // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor"
