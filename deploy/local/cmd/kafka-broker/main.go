// Command kafka-broker runs a single-node Kafka-protocol broker (franz-go's
// kfake) for the local stack: real wire protocol, consumer groups, committed
// offsets and record headers, no JVM. With -data-dir its log, topics and
// offsets survive a restart, also after kill -9: kfake appends every batch
// and offset commit to its files as it takes them (the page cache survives
// the process), and topics clients create by producing are created through
// kfake's admin path, which writes them down (see autocreate.go).
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/otelcol-events/otelcol-events/deploy/local/stack"
)

func main() {
	host := flag.String("listen-host", "127.0.0.1", "address to listen on; it is also the address advertised to clients")
	port := flag.Int("port", 19092, "broker port")
	partitions := flag.Int("partitions", 3, "partitions of every pre-created or auto-created topic")
	topics := flag.String("topics", "", "comma-separated topics to pre-create (others are created on first use)")
	dataDir := flag.String("data-dir", "", "persist the log and group offsets here across restarts (empty: in memory)")
	syncWrites := flag.Bool("sync-writes", false, "fsync every produced batch (survives a machine crash, not only a process crash; slower)")
	flag.Parse()

	if err := run(*host, *port, *partitions, *topics, *dataDir, *syncWrites); err != nil {
		fmt.Fprintln(os.Stderr, "kafka-broker:", err)
		os.Exit(1)
	}
}

func run(host string, port, partitions int, topics, dataDir string, syncWrites bool) error {
	if partitions < 1 {
		return fmt.Errorf("-partitions must be at least 1, got %d", partitions)
	}
	if err := stack.CheckPortsFree(stack.Port{Host: host, Port: port, What: "Kafka broker"}); err != nil {
		return err
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(port),
		// Not kfake.AllowAutoTopicCreation: topics it creates that way are
		// not written to the data dir (see autocreate.go).
		kfake.DefaultNumPartitions(partitions),
		// kfake always binds 127.0.0.1; rebind on the requested host.
		kfake.ListenFn(func(network, address string) (net.Listener, error) {
			_, p, err := net.SplitHostPort(address)
			if err != nil {
				return nil, err
			}
			return net.Listen(network, net.JoinHostPort(host, p))
		}),
	}
	if seeded := splitList(topics); len(seeded) > 0 {
		opts = append(opts, kfake.SeedTopics(int32(partitions), seeded...))
	}
	if dataDir != "" {
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return fmt.Errorf("data dir: %w", err)
		}
		opts = append(opts, kfake.DataDir(dataDir))
		if syncWrites {
			opts = append(opts, kfake.SyncWrites())
		}
	}
	cluster, err := kfake.NewCluster(opts...)
	if err != nil {
		return fmt.Errorf("start broker: %w", err)
	}
	createRequestedTopics(cluster, int32(partitions))
	fmt.Printf("kafka-broker: ready on %s (%d partitions per topic; pre-created: %s)\n",
		net.JoinHostPort(host, strconv.Itoa(port)), partitions, orNone(topics))

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	sig := <-stop
	fmt.Printf("kafka-broker: %s: stopping\n", sig)
	cluster.Close()
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "none"
	}
	return s
}
