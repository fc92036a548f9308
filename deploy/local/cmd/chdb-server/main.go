// Command chdb-server runs a real ClickHouse server without Docker: it loads
// chDB's libchdb.so (ClickHouse as a shared library) and runs clickhouse-local
// in server mode with TCP and HTTP listeners, until SIGINT or SIGTERM.
//
// clickhouse-local keeps its listeners open only while a query runs, so the
// engine runs one query that never ends by itself (one sleeping row at a time
// from the infinite system.numbers table), and stops by closing its listeners,
// waiting for queries in flight and flushing (engine.go).
//
// The engine runs in a child process that chdb-server supervises
// (supervisor.go): in this server mode, a native-protocol client that fails
// the handshake (wrong user or password, unknown database, a junk Hello
// packet) makes clickhouse-local abort the whole process (SIGABRT) after it
// logged and answered the error. The library carries no symbols to find the
// fault by, so chdb-server starts the engine again within a second instead:
// what was inserted is on disk in --data-dir, clients reconnect, and the
// collector's exporter retries what it had in flight.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
)

func main() {
	lib := flag.String("lib", stack.DefaultCHDBLibrary(), "path of libchdb.so (default: the copy `make chdb` fetches; $CHDB_LIB overrides)")
	dataDir := flag.String("data-dir", filepath.Join(stack.CacheDir(), "local", "clickhouse"), "ClickHouse data directory; kept across restarts")
	host := flag.String("listen-host", "127.0.0.1", "address to listen on (loopback by default: the server has no password)")
	tcpPort := flag.Int("tcp-port", 19000, "native protocol port (clickhouse exporter: tcp://HOST:PORT)")
	httpPort := flag.Int("http-port", 18123, "HTTP interface port")
	readyTimeout := flag.Duration("ready-timeout", 60*time.Second, "how long to wait for SELECT 1 to answer")
	systemLogs := flag.Bool("system-logs", false, "keep system.query_log and system.part_log, flushed every second: what each query, insert and merge cost the server (make bench-e2e reads them)")
	engine := flag.Bool("engine", false, "run the ClickHouse engine in this process, unsupervised (chdb-server starts itself so)")
	flag.Parse()

	opts := engineOptions{
		lib: *lib, dataDir: *dataDir, host: *host, tcpPort: *tcpPort, httpPort: *httpPort,
		readyTimeout: *readyTimeout, systemLogs: *systemLogs,
	}
	run := superviseEngine
	if *engine {
		run = runEngine
	}
	if err := run(opts); err != nil {
		fmt.Fprintln(os.Stderr, "chdb-server:", err)
		os.Exit(1)
	}
}
