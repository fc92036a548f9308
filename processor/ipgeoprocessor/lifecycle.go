package ipgeoprocessor // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor"

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
)

// Start opens the databases (once: the instance is shared by every signal's
// pipeline) and starts the reload watcher.
func (p *ipgeoProcessor) Start(context.Context, component.Host) error {
	set, err := openDatabasesWithin(p.cfg, p.cfg.OpenTimeout, p.stop)
	if err != nil {
		return fmt.Errorf("ipgeo processor: %w", err)
	}
	for _, d := range set.providers {
		p.logger.Info("Geolocation database opened", zap.String("database", d.describe()))
	}
	if set.asn != nil {
		p.logger.Info("ASN database opened", zap.String("database", set.asn.describe()))
	}
	p.mu.Lock()
	p.set = set
	p.mu.Unlock()
	if p.cfg.Reload.Enabled {
		p.watcher.Go(p.watch)
	}
	return nil
}

// Shutdown stops the watcher (also one busy opening a replacement) and
// closes the databases.
func (p *ipgeoProcessor) Shutdown(context.Context) error {
	close(p.stop)
	p.watcher.Wait()
	p.mu.Lock()
	set := p.set
	p.set = nil
	p.mu.Unlock()
	p.telemetry.Shutdown()
	if set != nil {
		return set.close()
	}
	return nil
}

var errStopped = errors.New("the processor is shutting down")

// openDatabasesWithin opens the databases in the background and waits at
// most timeout, or until stop is closed. A set that opens after the caller
// gave up is closed when it is done. Opening is bounded work
// (recordWalker), so this guards against the unforeseen, such as a file on
// a hung network mount.
func openDatabasesWithin(cfg *Config, timeout time.Duration, stop <-chan struct{}) (*databaseSet, error) {
	type opened struct {
		set *databaseSet
		err error
	}
	done := make(chan opened, 1)
	go func() {
		set, err := openDatabases(cfg)
		done <- opened{set, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var err error
	select {
	case o := <-done:
		return o.set, o.err
	case <-timer.C:
		err = fmt.Errorf("opening and checking the databases took longer than open_timeout (%s)", timeout)
	case <-stop:
		err = errStopped
	}
	go func() {
		if o := <-done; o.set != nil {
			_ = o.set.close()
		}
	}()
	return nil, err
}

// watch checks the database files every interval and reloads changed ones.
func (p *ipgeoProcessor) watch() {
	ticker := time.NewTicker(p.cfg.Reload.Interval)
	defer ticker.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-ticker.C:
			p.reloadIfChanged()
		}
	}
}

// reloadIfChanged opens and checks a new set of databases when a file
// changed, then swaps it in. Records being processed keep using the set
// they started with; the old set is closed once none does. A replacement
// that cannot be opened or fails its check is logged and counted once, and
// the old databases keep serving.
func (p *ipgeoProcessor) reloadIfChanged() {
	p.mu.RLock()
	current := p.set
	p.mu.RUnlock()
	if current == nil {
		return
	}
	changed := current.changedFiles()
	if len(changed) == 0 {
		return
	}
	// Skip replacements already found broken, until they change again.
	retry := false
	for _, path := range changed {
		now, _ := statFile(path)
		if prev, ok := p.failed[path]; !ok || prev.changed(now) {
			retry = true
		}
	}
	if !retry {
		return
	}
	ctx := context.Background()
	attrs := metric.WithAttributeSet(attribute.NewSet(attribute.String("database", strings.Join(changed, ","))))
	next, err := openDatabasesWithin(p.cfg, p.cfg.OpenTimeout, p.stop)
	if errors.Is(err, errStopped) {
		return
	}
	if err != nil {
		for _, path := range changed {
			p.failed[path], _ = statFile(path)
		}
		p.telemetry.ProcessorIpgeoReloadFailures.Add(ctx, 1, attrs)
		p.logger.Error("A changed geolocation database could not be loaded; the previous one keeps serving",
			zap.Strings("changed", changed), zap.Error(err))
		return
	}
	clear(p.failed)
	p.mu.Lock()
	old := p.set
	p.set = next
	p.mu.Unlock()
	if err := old.close(); err != nil {
		p.logger.Warn("Closing the previous geolocation database failed", zap.Error(err))
	}
	p.telemetry.ProcessorIpgeoReloads.Add(ctx, 1, attrs)
	for _, d := range next.providers {
		p.logger.Info("Geolocation database reloaded", zap.String("database", d.describe()))
	}
}
