package clickhouselogsexporter // import "github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter"

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

// Config of the clickhouselogs exporter.
type Config struct {
	// Endpoint is ClickHouse's native-protocol address, host:port, with or
	// without a tcp:// scheme (the form contrib's exporter takes, so both
	// can share one setting). HTTP endpoints are refused: this exporter
	// speaks only the native protocol.
	Endpoint string `mapstructure:"endpoint"`
	// Username and Password authenticate the connection (default user
	// "default", empty password).
	Username string              `mapstructure:"username"`
	Password configopaque.String `mapstructure:"password"`
	// Database and Table name the logs table, which must exist with the
	// columns of contrib's otel_logs (EventName is optional).
	Database string `mapstructure:"database"`
	Table    string `mapstructure:"table"`
	// Compression of the data blocks sent: lz4 (default), zstd or none.
	Compression string `mapstructure:"compression"`
	// AsyncInsert sends every insert with async_insert=1 and
	// wait_for_async_insert=1: ClickHouse gathers concurrent inserts into
	// one part and answers once the part is written, so an answer still
	// means stored. Default true, as contrib's exporter.
	AsyncInsert bool `mapstructure:"async_insert"`
	// Settings are ClickHouse settings sent with every insert, e.g.
	// materialize_skip_indexes_on_insert: "0" to leave the skip indexes
	// to the merges (see the README). async_insert has its own key.
	Settings map[string]string `mapstructure:"settings"`
	// ColumnCodec is the general-purpose codec the table's columns are
	// stored with (LZ4, LZ4HC(level), ZSTD(level) or NONE). Before its first
	// insert the exporter sets it on every column whose explicit codec
	// differs, keeping the column's transforms (Delta, …); see the README.
	// Empty (default): the table's codecs are left as they are.
	ColumnCodec string `mapstructure:"column_codec"`
	// TableSettings are MergeTree settings the exporter sets on the table
	// before its first insert (ALTER TABLE … MODIFY SETTING), e.g.
	// merge_selector_base: "10" for fewer merges per row; see the README.
	// Empty (default): the table's settings are left as they are.
	TableSettings map[string]string `mapstructure:"table_settings"`
	// DialTimeout bounds connecting and the handshake (default 5s).
	DialTimeout time.Duration `mapstructure:"dial_timeout"`
	// TLS of the connection; insecure (plain TCP) by default, as ClickHouse's
	// native port 9000 is.
	TLS configtls.ClientConfig `mapstructure:"tls"`

	TimeoutConfig exporterhelper.TimeoutConfig                             `mapstructure:",squash"`
	BackOffConfig configretry.BackOffConfig                                `mapstructure:"retry_on_failure"`
	QueueConfig   configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`

	// prevent unkeyed literal initialization
	_ struct{}
}

var _ component.Config = (*Config)(nil)

var compressions = []string{"lz4", "zstd", "none"}

// Validate checks the configuration.
func (cfg *Config) Validate() error {
	var errs []error
	if _, err := cfg.address(); err != nil {
		errs = append(errs, err)
	}
	if cfg.Database == "" {
		errs = append(errs, errors.New("database must not be empty"))
	}
	if cfg.Table == "" {
		errs = append(errs, errors.New("table must not be empty"))
	}
	if !slices.Contains(compressions, cfg.Compression) {
		errs = append(errs, fmt.Errorf("compression must be one of %s, got %q", strings.Join(compressions, ", "), cfg.Compression))
	}
	if cfg.ColumnCodec != "" && !columnCodecPattern.MatchString(cfg.ColumnCodec) {
		errs = append(errs, fmt.Errorf("column_codec must be LZ4, LZ4HC(1..12), ZSTD(1..22) or NONE, got %q", cfg.ColumnCodec))
	}
	errs = append(errs, validateTableSettings(cfg.TableSettings)...)
	for key := range cfg.Settings {
		switch key {
		case "":
			errs = append(errs, errors.New("settings: a setting needs a name"))
		case "async_insert", "wait_for_async_insert":
			errs = append(errs, fmt.Errorf("settings: set %s through async_insert, which also answers only once the rows are written", key))
		}
	}
	if cfg.TimeoutConfig.Timeout <= 0 {
		// ch-go's per-packet read timeout is off (see start), so this is
		// what keeps an insert on a dead connection from hanging.
		errs = append(errs, fmt.Errorf("timeout must be positive, got %s", cfg.TimeoutConfig.Timeout))
	}
	if cfg.DialTimeout <= 0 {
		errs = append(errs, fmt.Errorf("dial_timeout must be positive, got %s", cfg.DialTimeout))
	}
	if q := cfg.QueueConfig.Get(); q != nil && q.Batch.HasValue() && q.Batch.Get().Sizer != exporterhelper.RequestSizerTypeItems {
		// A batch is one INSERT, whose cost follows its rows; and a request
		// that references the pipeline's logs (see logsRequest) is cut
		// between records, where only the count is known without encoding.
		errs = append(errs, fmt.Errorf("sending_queue::batch::sizer must be items (rows per insert), got %s",
			q.Batch.Get().Sizer.String()))
	}
	return errors.Join(errs...)
}

// address returns the host:port to dial.
func (cfg *Config) address() (string, error) {
	if cfg.Endpoint == "" {
		return "", errors.New("endpoint must not be empty")
	}
	hostPort := cfg.Endpoint
	if strings.Contains(hostPort, "://") {
		u, err := url.Parse(hostPort)
		if err != nil {
			return "", fmt.Errorf("endpoint %q: %w", cfg.Endpoint, err)
		}
		if u.Scheme != "tcp" && u.Scheme != "clickhouse" {
			return "", fmt.Errorf("endpoint %q: scheme must be tcp or clickhouse (the native protocol), got %q", cfg.Endpoint, u.Scheme)
		}
		if u.User != nil || u.RawQuery != "" || (u.Path != "" && u.Path != "/") {
			return "", fmt.Errorf("endpoint %q: give credentials, database and settings as their own keys, not in the endpoint", cfg.Endpoint)
		}
		hostPort = u.Host
	}
	if _, _, err := net.SplitHostPort(hostPort); err != nil {
		return "", fmt.Errorf("endpoint %q must be host:port: %w", cfg.Endpoint, err)
	}
	return hostPort, nil
}
