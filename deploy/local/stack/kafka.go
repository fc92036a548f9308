package stack

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// KafkaConfig starts the kfake broker through the kafka-broker command.
type KafkaConfig struct {
	BinDir     string
	Host       string
	Port       int
	Partitions int
	Topics     []string
	DataDir    string // empty: in memory
	Output     io.Writer
}

// Kafka is a running local broker.
type Kafka struct {
	*Process
	Addr string
}

// PortList lists what the broker listens on, for a check before it starts.
func (cfg KafkaConfig) PortList() []Port {
	return []Port{{Host: cfg.Host, Port: cfg.Port, What: "Kafka broker"}}
}

// StartKafka starts the broker and returns once it answers metadata requests.
func StartKafka(ctx context.Context, cfg KafkaConfig) (*Kafka, error) {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Partitions == 0 {
		cfg.Partitions = 3
	}
	if err := CheckPortsFree(cfg.PortList()...); err != nil {
		return nil, err
	}
	args := []string{
		"-listen-host", cfg.Host,
		"-port", strconv.Itoa(cfg.Port),
		"-partitions", strconv.Itoa(cfg.Partitions),
		"-topics", strings.Join(cfg.Topics, ","),
	}
	if cfg.DataDir != "" {
		args = append(args, "-data-dir", cfg.DataDir)
	}
	p, err := StartProcess(ProcessSpec{
		Name:   "kafka",
		Path:   filepath.Join(cfg.BinDir, KafkaBinary),
		Args:   args,
		Output: cfg.Output,
	})
	if err != nil {
		return nil, err
	}
	k := &Kafka{Process: p, Addr: net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))}
	if err := p.WaitReady(ctx, 30*time.Second, KafkaReady(k.Addr)); err != nil {
		_ = p.Stop()
		return nil, err
	}
	return k, nil
}

// EventCategories are the categories config/agent.yaml declares by default
// (eventsplit metadata::topic_categories), and SharedEventTopic the topic
// of every other category (shared_topic). The integration tests check the
// agent config and the compose file against these.
var (
	EventCategories  = []string{"crash", "page_view", "performance"}
	SharedEventTopic = "events.other"
)

// DefaultTopics are the topics the local stack creates before the collector
// starts: the OTLP topics and every events topic the agent can name, so the
// gateway's pattern subscription has them from its first metadata read.
func DefaultTopics() []string {
	topics := []string{"otlp_spans", "otlp_logs", "otlp_metrics"}
	for _, c := range EventCategories {
		topics = append(topics, "events."+c)
	}
	return append(topics, SharedEventTopic)
}
