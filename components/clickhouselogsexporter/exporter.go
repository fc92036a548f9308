package clickhouselogsexporter // import "github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter"

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/ClickHouse/ch-go"
	"github.com/ClickHouse/ch-go/chpool"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exporterhelper/xexporterhelper"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-events/otelcol-events/components/clickhouselogsexporter/internal/metadata"
)

// logsExporter inserts each request the exporter helper hands it as one
// INSERT. Every error is left retryable: a wrong password, a missing table
// or an unreachable server can all be mended while the data waits (the
// retry sender, then the Kafka receiver, which does not mark the record),
// and no log record is ever a reason on its own for ClickHouse to refuse an
// insert, so there is nothing to drop as permanent.
type logsExporter struct {
	cfg       *Config
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder

	pool     *chpool.Pool
	settings []ch.Setting
	// The outcome attribute of the insert metrics, made once.
	succeeded, failed metric.MeasurementOption

	schemaMu sync.Mutex
	schema   *tableSchema // nil until read from ClickHouse
	// idle holds blocks between inserts, one per connection at most, so a
	// block keeps the size its columns grew to. (A sync.Pool drops them at
	// every garbage collection, which a gateway under load runs several
	// times a second: each insert then grew its columns from nothing.)
	idle chan *logsBlock
}

func newLogsExporter(cfg *Config, set component.TelemetrySettings) (*logsExporter, error) {
	telemetry, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	e := &logsExporter{
		cfg: cfg, logger: set.Logger, telemetry: telemetry,
		succeeded: metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", "success"))),
		failed:    metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", "failure"))),
	}
	if cfg.AsyncInsert {
		e.settings = []ch.Setting{
			{Key: "async_insert", Value: "1", Important: true},
			{Key: "wait_for_async_insert", Value: "1", Important: true},
		}
	}
	// Important: a server that does not know a setting refuses the insert
	// rather than ignoring what the operator asked for.
	for _, key := range slices.Sorted(maps.Keys(cfg.Settings)) {
		e.settings = append(e.settings, ch.Setting{Key: key, Value: cfg.Settings[key], Important: true})
	}
	return e, nil
}

// start makes the connection pool without connecting: ClickHouse may come
// up after the collector, and the first insert connects (and retries).
func (e *logsExporter) start(ctx context.Context, _ component.Host) error {
	address, err := e.cfg.address()
	if err != nil {
		return err
	}
	opts := ch.Options{
		Address:     address,
		Database:    e.cfg.Database,
		User:        e.cfg.Username,
		Password:    string(e.cfg.Password),
		Compression: compressionOf(e.cfg.Compression),
		ClientName:  "otelcol-events/clickhouselogs",
		DialTimeout: e.cfg.DialTimeout,
		// The exporter's timeout bounds a whole insert through the context;
		// ch-go's own 3 s per packet would cut off an async insert waiting
		// for ClickHouse's buffer on a loaded server, and its retry would
		// store the rows twice.
		ReadTimeout: ch.NoTimeout,
	}
	if !e.cfg.TLS.Insecure {
		if opts.TLS, err = e.cfg.TLS.LoadTLSConfig(ctx); err != nil {
			return fmt.Errorf("tls: %w", err)
		}
	}
	maxConns := int32(4)
	if q := e.cfg.QueueConfig.Get(); q != nil && q.NumConsumers > 0 {
		maxConns = int32(q.NumConsumers)
	}
	e.idle = make(chan *logsBlock, maxConns)
	e.pool, err = chpool.New(ctx, chpool.Options{ClientOptions: opts, MaxConns: maxConns})
	return err
}

func (e *logsExporter) shutdown(context.Context) error {
	if e.pool != nil {
		e.pool.Close()
	}
	e.telemetry.Shutdown()
	return nil
}

// pushRequest inserts the request's records as one INSERT.
func (e *logsExporter) pushRequest(ctx context.Context, req xexporterhelper.Request) error {
	r, ok := req.(*logsRequest)
	if !ok {
		return consumererror.NewPermanent(fmt.Errorf("clickhouselogs cannot insert a %T", req))
	}
	if r.items == 0 {
		return nil
	}
	schema, err := e.tableSchema(ctx)
	if err != nil {
		return err
	}
	block := e.takeBlock(schema)
	defer e.giveBack(block)

	start := time.Now()
	for _, p := range r.parts {
		block.appendPart(p)
	}
	err = e.do(ctx, ch.Query{Body: schema.insertSQL, Input: block.input, Settings: e.settings})

	outcome := e.succeeded
	if err != nil {
		outcome = e.failed
	}
	e.telemetry.ExporterClickhouselogsInsertDuration.Record(ctx, time.Since(start).Seconds(), outcome)
	e.telemetry.ExporterClickhouselogsInsertRows.Record(ctx, int64(block.rows()), outcome)
	if err != nil {
		return fmt.Errorf("insert %d log records into %s: %w", block.rows(), schema.table, err)
	}
	return nil
}

// takeBlock returns an empty block shaped for schema.
func (e *logsExporter) takeBlock(schema *tableSchema) *logsBlock {
	select {
	case b := <-e.idle:
		return b
	default:
		return newLogsBlock(schema.hasEventName)
	}
}

// giveBack empties b and keeps it for the next insert, unless as many
// blocks as connections are kept already.
func (e *logsExporter) giveBack(b *logsBlock) {
	b.reset()
	select {
	case e.idle <- b:
	default:
	}
}

// do runs q on a pooled connection. A connection that failed other than by
// a ClickHouse exception (network, timeout) may be mid-packet: it is closed
// instead of going back to the pool.
func (e *logsExporter) do(ctx context.Context, q ch.Query) error {
	conn, err := e.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", e.cfg.Endpoint, err)
	}
	err = conn.Do(ctx, q)
	var exception *ch.Exception
	if err != nil && !errors.As(err, &exception) {
		_ = conn.Close()
		return err
	}
	conn.Release()
	return err
}

func compressionOf(name string) ch.Compression {
	switch name {
	case "zstd":
		return ch.CompressionZSTD
	case "none":
		return ch.CompressionDisabled
	default:
		return ch.CompressionLZ4
	}
}
