package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-events/otelcol-events/components/tracecontext"
	"github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver/internal/metadata"
)

// eventSplitReceiver serves uploads for every pipeline it is in.
type eventSplitReceiver struct {
	cfg      *Config
	settings receiver.Settings
	decoder  decoder
	trusted  []netip.Prefix
	topics   topicRouter

	nextLogs   consumer.Logs
	nextTraces consumer.Traces

	telemetry *metadata.TelemetryBuilder
	obsrep    *receiverhelper.ObsReport
	// Attribute sets are made once: recording a measurement then allocates nothing.
	reasonAttrs [numReasons]metric.MeasurementOption
	statusAttrs sync.Map // int -> metric.MeasurementOption
	headerAttrs map[string]metric.MeasurementOption

	states  sync.Pool // *decodeState
	answers sync.Pool // *[]byte
	// contentTypeJSON is shared by every answer: net/http never modifies
	// header value slices, and one allocation less per answer matters here.
	contentTypeJSON []string

	server     *http.Server
	addr       net.Addr // where the server listens, once started
	shutdownWG sync.WaitGroup
}

func newEventSplitReceiver(cfg *Config, set receiver.Settings) (*eventSplitReceiver, error) {
	trusted, err := parseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	obsrep, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID: set.ID, Transport: "http", ReceiverCreateSettings: set,
	})
	if err != nil {
		return nil, err
	}
	r := &eventSplitReceiver{
		cfg:      cfg,
		settings: set,
		trusted:  trusted,
		topics:   newTopicRouter(&cfg.Metadata),
		decoder: decoder{
			limits:             cfg.Limits,
			maxFutureSkew:      cfg.MaxFutureSkew,
			maxAge:             cfg.MaxAge,
			structuredBody:     cfg.Body == bodyStructured,
			eventNameAttribute: cfg.EventNameAttribute,
			addressOnResource:  cfg.ClientAddress == clientAddressOnResource,
			ids:                &backendIDs{now: time.Now},
			scopeName:          metadata.ScopeName,
			scopeVersion:       set.BuildInfo.Version,
		},
		telemetry:       tb,
		obsrep:          obsrep,
		headerAttrs:     map[string]metric.MeasurementOption{},
		contentTypeJSON: []string{"application/json"},
	}
	for i := range r.reasonAttrs {
		r.reasonAttrs[i] = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", reason(i).String())))
	}
	for _, h := range []string{
		tracecontext.HeaderTraceParent, tracecontext.HeaderTraceState, tracecontext.HeaderBaggage,
		tracecontext.HeaderB3, tracecontext.HeaderUberTraceID, tracecontext.HeaderUberBaggage + "*",
	} {
		r.headerAttrs[h] = metric.WithAttributeSet(attribute.NewSet(attribute.String("header", h)))
	}
	r.states.New = func() any { return newDecodeState() }
	r.answers.New = func() any { b := make([]byte, 0, 16<<10); return &b }
	return r, nil
}

// Start starts the HTTP server. The shared instance (sharedcomponent) is
// started once, however many pipelines the receiver is in.
func (r *eventSplitReceiver) Start(ctx context.Context, host component.Host) error {
	if r.nextLogs == nil {
		return fmt.Errorf("eventsplit receiver %q is only in traces pipelines: put it into a logs pipeline, where its events go (a traces pipeline gets its ingest spans)", r.settings.ID)
	}
	mux := http.NewServeMux()
	mux.Handle(r.cfg.Path, r)
	var err error
	r.server, err = r.cfg.ServerConfig.ToServer(ctx, host.GetExtensions(), r.settings.TelemetrySettings, mux,
		confighttp.WithErrorHandler(r.serveServerError))
	if err != nil {
		return err
	}
	// Outermost, so it sees the body as it arrives, before any size limit.
	r.server.Handler = drainUnreadBody(r.server.Handler, drainLimit(r.cfg.ServerConfig.MaxRequestBodySize))
	ln, err := r.cfg.ServerConfig.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("eventsplit receiver %q: listen on %s: %w", r.settings.ID, r.cfg.ServerConfig.NetAddr.Endpoint, err)
	}
	r.addr = ln.Addr()
	r.settings.Logger.Info("Starting event upload server",
		zap.String("endpoint", ln.Addr().String()), zap.String("path", r.cfg.Path))
	r.shutdownWG.Go(func() {
		if err := r.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(err))
		}
	})
	return nil
}

// Shutdown stops accepting uploads and waits for the ones in flight, so
// everything that was answered as accepted has been passed on; after
// shutdown_timeout it closes the connections of uploads still waiting.
func (r *eventSplitReceiver) Shutdown(ctx context.Context) error {
	var err error
	if r.server != nil {
		graceful, cancel := context.WithTimeout(ctx, r.cfg.ShutdownTimeout)
		err = r.server.Shutdown(graceful)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			r.settings.Logger.Warn("Uploads still in flight after shutdown_timeout; closing their connections (they were not acknowledged)",
				zap.Duration("shutdown_timeout", r.cfg.ShutdownTimeout))
			err = r.server.Close()
		}
	}
	r.shutdownWG.Wait()
	r.telemetry.Shutdown()
	return err
}
