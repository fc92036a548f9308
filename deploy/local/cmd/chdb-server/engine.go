package main

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

typedef void *(*chdb_query_cmdline_fn)(int, char **);
typedef const char *(*chdb_result_error_fn)(void *);
typedef void (*chdb_set_signal_handlers_enabled_fn)(int);

static void *chdb_handle;
static chdb_query_cmdline_fn chdb_query_cmdline_ptr;
static chdb_result_error_fn chdb_result_error_ptr;

// chdb_load opens the library and resolves the entry points; it returns NULL
// or the reason it failed.
static const char *chdb_load(const char *path) {
	chdb_handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!chdb_handle) return dlerror();
	chdb_query_cmdline_ptr = (chdb_query_cmdline_fn)dlsym(chdb_handle, "chdb_query_cmdline");
	if (!chdb_query_cmdline_ptr) return "symbol chdb_query_cmdline not found: not a libchdb.so with the v2 C API";
	chdb_result_error_ptr = (chdb_result_error_fn)dlsym(chdb_handle, "chdb_result_error");
	// Go owns the process's signals (SIGINT/SIGTERM end the server through
	// Go); ClickHouse must not replace those handlers.
	chdb_set_signal_handlers_enabled_fn disable =
		(chdb_set_signal_handlers_enabled_fn)dlsym(chdb_handle, "chdb_set_signal_handlers_enabled");
	if (disable) disable(0);
	return NULL;
}

// chdb_run runs clickhouse-local with argv and returns NULL or its error text.
static const char *chdb_run(int argc, char **argv) {
	void *res = chdb_query_cmdline_ptr(argc, argv);
	if (!res) return "chdb_query_cmdline returned no result";
	if (chdb_result_error_ptr) return chdb_result_error_ptr(res);
	return NULL;
}
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
)

// serveQueryID names the query that keeps the listeners open, so a stop
// cancels it and nothing else.
const serveQueryID = "otelcol-events-chdb-serve"

// runEngine runs ClickHouse in this process until SIGINT or SIGTERM.
func runEngine(opts engineOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	if err := os.MkdirAll(opts.dataDir, 0o755); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	args, err := opts.clickhouseArgs()
	if err != nil {
		return err
	}

	cLib := C.CString(opts.lib)
	defer C.free(unsafe.Pointer(cLib))
	if msg := C.chdb_load(cLib); msg != nil {
		return fmt.Errorf("load %s: %s", opts.lib, C.GoString(msg))
	}
	served := make(chan error, 1)
	go func() {
		// clickhouse-local runs on this thread until the query ends.
		runtime.LockOSThread()
		served <- callCHDB(args)
	}()

	httpAddr := opts.httpAddr()
	if err := waitReady(httpAddr, opts.readyTimeout, served); err != nil {
		return err
	}
	fmt.Printf("chdb-server: ClickHouse ready: native tcp://%s:%d, HTTP http://%s (data in %s)\n", opts.host, opts.tcpPort, httpAddr, opts.dataDir)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	select {
	case err := <-served:
		return fmt.Errorf("ClickHouse stopped serving on its own: %w", err)
	case sig := <-stop:
		fmt.Printf("chdb-server: %s: stopping ClickHouse\n", sig)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return shutdown(ctx, httpAddr)
}

// clickhouseArgs are clickhouse-local's arguments: a server on the
// configured listeners, kept open by one query that never ends.
func (o engineOptions) clickhouseArgs() ([]string, error) {
	args := []string{
		"clickhouse",
		"--path=" + o.dataDir,
		"--listen_host=" + o.host,
		"--tcp_port=" + strconv.Itoa(o.tcpPort),
		"--http_port=" + strconv.Itoa(o.httpPort),
		// The serving query sleeps one second per row; without this the
		// per-block sleep limit would end it.
		"--function_sleep_max_microseconds_per_block=0",
		"--query_id=" + serveQueryID,
		"--query=SYSTEM START LISTEN TCP; SYSTEM START LISTEN HTTP; " +
			// One row per block, so a cancellation is noticed within a second.
			"SELECT sleepEachRow(1) FROM system.numbers SETTINGS max_block_size = 1 FORMAT Null",
	}
	if !o.systemLogs {
		return args, nil
	}
	config, err := writeSystemLogsConfig(o.dataDir)
	if err != nil {
		return nil, err
	}
	return append(args, "--config-file="+config), nil
}

// shutdown stops the server without losing what it accepted. New native
// connections are refused, queries in flight (inserts) are waited for, and
// the system logs ClickHouse buffers are flushed. Then the process exits by
// itself, which closes any connection left.
//
// Why not cancel the serving query and let clickhouse-local shut down on
// its own: once a native client (a collector) has been connected, even if
// it is gone again, clickhouse-local ends the process abruptly with status
// 1 when the serving query ends, which reads as a crash. Exiting ourselves
// after the flush is as safe: inserted parts are already written and
// immutable, and an interrupted background merge is redone at the next start.
func shutdown(ctx context.Context, httpAddr string) error {
	query := func(q string) (string, error) { return stack.ClickHouseQuery(ctx, httpAddr, q) }
	if _, err := query("SYSTEM STOP LISTEN TCP"); err != nil {
		return fmt.Errorf("stop: close the native listener: %w", err)
	}
	inFlight := "SELECT count() FROM system.processes WHERE query_id != '" + serveQueryID + "' AND query_id != queryID()"
	for {
		n, err := query(inFlight)
		if err != nil {
			return fmt.Errorf("stop: %w", err)
		}
		if strings.TrimSpace(n) == "0" {
			break
		}
		select {
		case <-ctx.Done():
			return errors.New("stop: queries still running after 30s")
		case <-time.After(100 * time.Millisecond):
		}
	}
	// clickhouse-local has no async insert queue (inserts are synchronous);
	// the system logs are what it still buffers.
	if _, err := query("SYSTEM FLUSH LOGS"); err != nil {
		return fmt.Errorf("stop: flush logs: %w", err)
	}
	fmt.Println("chdb-server: stopped")
	return nil
}

func callCHDB(args []string) error {
	cArgs := make([]*C.char, len(args))
	for i, a := range args {
		cArgs[i] = C.CString(a)
	}
	defer func() {
		for _, a := range cArgs {
			C.free(unsafe.Pointer(a))
		}
	}()
	if msg := C.chdb_run(C.int(len(cArgs)), (**C.char)(unsafe.Pointer(&cArgs[0]))); msg != nil {
		if text := strings.TrimSpace(C.GoString(msg)); text != "" {
			return errors.New(text)
		}
	}
	return nil
}

// waitReady polls SELECT 1 until it answers, failing early when the serving
// query ended (bad data dir, port race) instead of waiting out the timeout.
func waitReady(httpAddr string, timeout time.Duration, served <-chan error) error {
	probe := stack.ClickHouseReady(httpAddr)
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := probe(ctx)
		cancel()
		if err == nil {
			return nil
		}
		// Ask again shortly, or give up at once when the serving query ends.
		select {
		case serr := <-served:
			return fmt.Errorf("ClickHouse ended before it was ready: %w", serr)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ClickHouse not ready after %s: %w", timeout, err)
		}
	}
}
