package report // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/report"

const methodNotes = `- **time to queryable**: from the first span sent until the backend serves every span the collector accepted,
  polled every poll interval, each backend on its own (one slow to count does not delay another's count). ClickHouse: ` + "`count()`" + ` of this run's spans (resource attribute
  ` + "`benchmark.run_id`" + `) in the traces table. Jaeger: through its own query API, trace by trace
  (` + "`GET /api/traces/{id}`" + `; a trace counts once Jaeger returns it whole), whatever Jaeger stores to: Jaeger
  has no count API, and a trace fetched whole is what "queryable" means to its users.
- **ingest (spans/s)**: spans ÷ time to queryable.
- **exporter sent / failed**: the collector's ` + "`otelcol_exporter_sent_spans`" + ` and
  ` + "`otelcol_exporter_send_failed_spans`" + ` for the exporter that writes to the backend, as deltas over the run.
- **bytes on disk per span**: growth of the backend's trace storage during the run ÷ spans. ClickHouse: active
  parts in ` + "`system.parts`" + ` of the traces table and its index tables (` + "`*_trace_id_ts`" + `).
  Jaeger on Elasticsearch: primary store size (` + "`_stats/store`" + `) of the span and service indices after a
  refresh. Jaeger on Badger: the blocks its directory's files take on disk (value log, LSM tables, manifest).
  Jaeger on ClickHouse: active parts of every table of its database. Background merges and compactions keep
  changing all of them, so treat small differences as noise.
- **queries**: each query kind runs the same seeded plan against every backend, interleaved, each query for a
  different trace or window (no cache answers twice), after one unmeasured warm-up. *trace_by_id* fetches a whole
  trace (ClickHouse: the exporter's ` + "`trace_id_ts`" + ` table narrows the time range, then the spans;
  Jaeger: ` + "`GET /api/traces/{id}`" + `). *search* finds traces of a service in a time window with a span
  attribute (` + "`customer.tier`" + `) and reads them whole (ClickHouse: SQL; Jaeger:
  ` + "`GET /api/traces?service=&tags=&start=&end=`" + `). Latency is client-side wall time including transfer and
  decoding of the answer. Every answer is checked against the workload: a wrong span or trace count is a
  *wrong answer*.
- **backend CPU and memory**: for a backend running as a process on this machine (the local stack), its process
  tree's user+system CPU time and summed resident memory from ` + "`/proc`" + `, polled; for Jaeger v2 elsewhere,
  its own collector telemetry (` + "`otelcol_process_cpu_seconds`" + `, ` + "`otelcol_process_memory_rss`" + `).
  Collectors are measured from their telemetry the same way. Backends that store in the same server share its
  process: Jaeger on ClickHouse writes and reads through the clickhouse process, whose figure also covers the
  count polling of every ClickHouse-backed backend.
`
