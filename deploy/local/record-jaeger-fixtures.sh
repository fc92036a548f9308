#!/usr/bin/env bash
# Records the answers of the Jaeger v2 built here (make jaeger) that the
# backendcompare Jaeger adapter's tests replay: `make jaeger-fixtures`.
#
#   record-jaeger-fixtures.sh JAEGER_BIN BACKENDCOMPARE_BIN OUT_DIR
#
# It starts Jaeger with Badger storage (deploy/local/jaeger.yaml) on free
# loopback ports, sends it a small seeded workload over OTLP/HTTP with
# backendcompare (which saves the first answer of every request kind with
# -record-dir), asks for an unknown trace (404) and sends a malformed search
# (400), and writes the files into OUT_DIR, replacing what was there, with
# the comparison's own report.json (what the run sent, for the tests'
# expected answers).
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 JAEGER_BIN BACKENDCOMPARE_BIN OUT_DIR" >&2
  exit 2
fi
jaeger=$1 compare=$2 out=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export JAEGER_HOST=127.0.0.1 JAEGER_BADGER_DIR=$work/badger
export JAEGER_OTLP_GRPC_PORT=$(port) JAEGER_OTLP_HTTP_PORT=$(port) JAEGER_QUERY_PORT=$(port)
export JAEGER_QUERY_GRPC_PORT=$(port) JAEGER_HEALTH_PORT=$(port) JAEGER_METRICS_PORT=$(port)
"$jaeger" --config "$root/deploy/local/jaeger.yaml" >"$work/jaeger.log" 2>&1 &
pid=$!
query=http://127.0.0.1:$JAEGER_QUERY_PORT
for _ in $(seq 1 100); do curl -fs "$query/api/services" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$query/api/services" >/dev/null || { cat "$work/jaeger.log" >&2; echo "Jaeger did not start" >&2; exit 1; }

cat >"$work/compare.yaml" <<YAML
run: {out_dir: $work/report, record_dir: $work/recorded, run_id: fixtures, ingest_timeout: 1m}
workload: {seed: 1, traces: 20, traces_per_request: 10, services: 3}
collector: {otlp_endpoint: http://127.0.0.1:$JAEGER_OTLP_HTTP_PORT}
collectors: [{name: jaeger, metrics_url: http://127.0.0.1:$JAEGER_METRICS_PORT/metrics}]
queries: {repeat: 3}
backends:
  - name: jaeger
    type: jaeger
    process: jaeger
    jaeger: {query: {endpoint: $query}, storage: badger, badger: {directory: $work/badger}}
YAML
"$compare" -config "$work/compare.yaml" >"$work/compare.log" 2>&1 || { cat "$work/compare.log" >&2; exit 1; }

rec=$work/recorded/jaeger
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.txt
cp "$rec/jaeger_query-trace_by_id-200.json" "$out/trace.json"
curl -fs "$query/api/services" >"$out/services.json"
# Every trace of the run's first service, as the adapter's search asks.
service=$(python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)["data"])[0])' <"$out/services.json")
curl -fsG "$query/api/traces" --data-urlencode "service=$service" \
  --data-urlencode 'tags={"benchmark.run_id":"fixtures"}' --data-urlencode start=0 \
  --data-urlencode "end=$(date +%s)000000" --data-urlencode limit=100 >"$out/search.json"
curl -s "$query/api/traces/0123456789abcdef0123456789abcdef" >"$out/trace-not-found.json"
curl -s "$query/api/traces?service=nope&start=notanumber" >"$out/search-bad-request.json"
curl -s "http://127.0.0.1:$JAEGER_METRICS_PORT/metrics" >"$out/metrics.txt"
cp "$work/report/report.json" "$out/compare-report.json"
echo "recorded Jaeger answers into $out" >&2
