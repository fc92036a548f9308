// Package integration holds the end-to-end tests of the built distribution on
// the Docker-free local stack: a real ClickHouse (libchdb), a Kafka-protocol
// broker (kfake) and bin/otelcol-events as separate processes, driven by the
// real OpenTelemetry Go SDK. They run with `-tags integration` from
// `make test`, which builds the binaries and fetches libchdb first.
package integration
