package kafkaeventsexporter // import "github.com/otelcol-events/otelcol-events/components/kafkaeventsexporter"

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/kafka/configkafka"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kversion"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
	"go.opentelemetry.io/collector/config/configcompression"
)

// The SASL mechanisms this exporter speaks.
const (
	saslPlain       = "PLAIN"
	saslSCRAMSHA256 = "SCRAM-SHA-256"
	saslSCRAMSHA512 = "SCRAM-SHA-512"
)

// clientOptions turns the configuration into franz-go options, the way
// contrib's kafka exporter does for the same settings, so that records
// keyed alike land on the same partitions through either exporter.
func clientOptions(ctx context.Context, cfg *Config) ([]kgo.Opt, error) {
	opts := append(producerOptions(cfg), connectionOptions(cfg)...)
	security, err := securityOptions(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return append(opts, security...), nil
}

// producerOptions are how records are batched, compressed and acknowledged.
func producerOptions(cfg *Config) []kgo.Opt {
	p := cfg.Producer
	opts := []kgo.Opt{
		// Sarama's hashing of the key (FNV-1a), as contrib's exporter.
		kgo.RecordPartitioner(kgo.StickyKeyPartitioner(kgo.SaramaCompatHasher(fnv32a))),
		kgo.ProduceRequestTimeout(cfg.Timeout),
		kgo.ProducerBatchCompression(compressionCodec(p.Compression, p.CompressionParams.Level)),
		kgo.ProducerLinger(p.Linger),
		kgo.ProducerBatchMaxBytes(int32(p.MaxMessageBytes)),
		kgo.BrokerMaxWriteBytes(int32(p.MaxBrokerWriteBytes)),
		kgo.MaxBufferedRecords(p.FlushMaxMessages),
		kgo.MaxProduceRequestsInflightPerBroker(p.MaxInflightRequestsPerBroker),
	}
	switch p.RequiredAcks {
	case configkafka.WaitForAll:
		opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()))
	case configkafka.NoResponse:
		// Idempotent writes need acks from all in-sync replicas.
		opts = append(opts, kgo.DisableIdempotentWrite(), kgo.RequiredAcks(kgo.NoAck()))
	default:
		opts = append(opts, kgo.DisableIdempotentWrite(), kgo.RequiredAcks(kgo.LeaderAck()))
	}
	if p.AllowAutoTopicCreation {
		opts = append(opts, kgo.AllowAutoTopicCreation())
	}
	return opts
}

// connectionOptions are which brokers are reached, how, and as whom.
func connectionOptions(cfg *Config) []kgo.Opt {
	opts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.DisableClientMetrics(),
		kgo.RequestRetries(cfg.Metadata.Retry.Max),
	}
	if cfg.ClientID != "" {
		opts = append(opts, kgo.ClientID(cfg.ClientID))
	}
	if cfg.RackID != "" {
		opts = append(opts, kgo.Rack(cfg.RackID))
	}
	if cfg.Metadata.RefreshInterval > 0 {
		opts = append(opts, kgo.MetadataMaxAge(cfg.Metadata.RefreshInterval))
	}
	if cfg.ConnIdleTimeout > 0 {
		opts = append(opts, kgo.ConnIdleTimeout(cfg.ConnIdleTimeout))
	}
	if cfg.DialTimeout > 0 {
		opts = append(opts, kgo.DialTimeout(cfg.DialTimeout))
	}
	if cfg.ProtocolVersion != "" {
		v := kversion.FromString(cfg.ProtocolVersion)
		opts = append(opts, kgo.MinVersions(v), kgo.MaxVersions(v))
	}
	return opts
}

// securityOptions are TLS and SASL; loading the TLS files can fail.
func securityOptions(ctx context.Context, cfg *Config) ([]kgo.Opt, error) {
	var opts []kgo.Opt
	if cfg.TLS != nil {
		tlsCfg, err := cfg.TLS.LoadTLSConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("load TLS config: %w", err)
		}
		if tlsCfg != nil {
			opts = append(opts, kgo.DialTLSConfig(tlsCfg))
		}
	}
	if s := cfg.Authentication.SASL; s != nil {
		mech, err := saslMechanism(s)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.SASL(mech))
	}
	return opts, nil
}

func saslMechanism(s *configkafka.SASLConfig) (sasl.Mechanism, error) {
	switch s.Mechanism {
	case saslPlain:
		return plain.Auth{User: s.Username, Pass: s.Password}.AsMechanism(), nil
	case saslSCRAMSHA256:
		return scram.Auth{User: s.Username, Pass: s.Password}.AsSha256Mechanism(), nil
	case saslSCRAMSHA512:
		return scram.Auth{User: s.Username, Pass: s.Password}.AsSha512Mechanism(), nil
	}
	return nil, fmt.Errorf("%q is not supported by kafkaevents (%s, %s, %s)", s.Mechanism, saslPlain, saslSCRAMSHA256, saslSCRAMSHA512)
}

func compressionCodec(name string, level configcompression.Level) kgo.CompressionCodec {
	var codec kgo.CompressionCodec
	switch name {
	case "gzip":
		codec = kgo.GzipCompression()
	case "snappy":
		codec = kgo.SnappyCompression()
	case "lz4":
		codec = kgo.Lz4Compression()
	case "zstd":
		codec = kgo.ZstdCompression()
	default:
		return kgo.NoCompression()
	}
	if level != 0 && level != configcompression.DefaultCompressionLevel {
		codec = codec.WithLevel(int(level))
	}
	return codec
}

func fnv32a(b []byte) uint32 {
	h := fnv.New32a()
	_, _ = h.Write(b)
	return h.Sum32()
}
