package jaeger // import "github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend/jaeger"

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/backend/clickhouse"
	"github.com/otelcol-events/otelcol-events/cmd/backendcompare/internal/config"
)

// sizer measures what Jaeger's storage holds on disk.
type sizer interface {
	// check reaches the storage and names it, with its version.
	check(ctx context.Context) (string, error)
	size(ctx context.Context) (backend.StorageStats, error)
}

func newSizer(ctx context.Context, cfg config.JaegerConfig, timeout time.Duration, recordDir string) (sizer, error) {
	switch cfg.Storage {
	case config.StorageElasticsearch:
		api, err := backend.NewAPI(ctx, "Elasticsearch", cfg.Elasticsearch.HTTPEndpoint, timeout, recordDir)
		if err != nil {
			return nil, err
		}
		return &elasticsearch{api: api, indices: cfg.Elasticsearch.SpanIndices + "," + cfg.Elasticsearch.ServiceIndices}, nil
	case config.StorageBadger:
		return badgerDir(cfg.Badger.Directory), nil
	case config.StorageClickHouse:
		api, err := backend.NewAPI(ctx, "ClickHouse (Jaeger's storage)", cfg.ClickHouse.HTTPEndpoint, timeout, recordDir)
		if err != nil {
			return nil, err
		}
		return &clickhouseDatabase{api: api, database: cfg.ClickHouse.Database}, nil
	}
	return nil, fmt.Errorf("unknown Jaeger storage %q", cfg.Storage)
}

// elasticsearch sizes the span and service indices.
type elasticsearch struct {
	api     *backend.API
	indices string
}

func (e *elasticsearch) check(ctx context.Context) (string, error) {
	body, err := e.api.Do(ctx, "info", http.MethodGet, "/", nil, nil, nil)
	if err != nil {
		return "", err
	}
	var info struct {
		Version struct {
			Number string `json:"number"`
		} `json:"version"`
	}
	if err := json.Unmarshal(body, &info); err != nil || info.Version.Number == "" {
		return "", fmt.Errorf("Elasticsearch at %s: the answer to GET / is not Elasticsearch's (%s)", e.api.Endpoint(), backend.FirstLine(body))
	}
	return "Elasticsearch " + info.Version.Number, nil
}

// indexOptions makes a wildcard that matches no index yet (nothing
// written) count zero instead of failing.
func indexOptions() url.Values {
	return url.Values{"ignore_unavailable": {"true"}, "allow_no_indices": {"true"}}
}

// size refreshes the indices (so buffered documents are in segments) and
// reads their primary store size: replicas would count the data twice.
func (e *elasticsearch) size(ctx context.Context) (backend.StorageStats, error) {
	if _, err := e.api.Do(ctx, "refresh", http.MethodPost, "/"+e.indices+"/_refresh", indexOptions(), nil, nil); err != nil {
		return backend.StorageStats{}, err
	}
	out, err := e.api.Do(ctx, "stats", http.MethodGet, "/"+e.indices+"/_stats/store,docs", indexOptions(), nil, nil)
	if err != nil {
		return backend.StorageStats{}, err
	}
	type primaries struct {
		Primaries struct {
			Store struct {
				SizeInBytes int64 `json:"size_in_bytes"`
			} `json:"store"`
			Docs struct {
				Count int64 `json:"count"`
			} `json:"docs"`
		} `json:"primaries"`
	}
	var r struct {
		All     *primaries           `json:"_all"`
		Indices map[string]primaries `json:"indices"`
	}
	if err := json.Unmarshal(out, &r); err != nil || r.All == nil {
		return backend.StorageStats{}, fmt.Errorf("Elasticsearch: unexpected _stats answer: %s", backend.FirstLine(out))
	}
	st := backend.StorageStats{Bytes: r.All.Primaries.Store.SizeInBytes, Documents: r.All.Primaries.Docs.Count, Parts: map[string]int64{}}
	for name, ix := range r.Indices {
		st.Parts[name] = ix.Primaries.Store.SizeInBytes
	}
	return st, nil
}

// badgerDir sizes Badger's directory: the blocks its files take on disk
// (value log, LSM tables, manifest), by file kind. Allocated blocks, not
// apparent sizes: Badger reserves files ahead of writing them.
type badgerDir string

func (d badgerDir) check(context.Context) (string, error) {
	if fi, err := os.Stat(string(d)); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("badger directory %s: not a directory Jaeger writes to (%w): set jaeger.badger.directory to its storage's directory", d, err)
	}
	return "Badger (" + string(d) + ")", nil
}

func (d badgerDir) size(context.Context) (backend.StorageStats, error) {
	st := backend.StorageStats{Parts: map[string]int64{}}
	// WalkDir does not enter a root that is a symbolic link (a data
	// directory moved to a bigger disk, say): walk its target.
	root, err := filepath.EvalSymlinks(string(d))
	if err != nil {
		return st, err
	}
	err = filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // Badger removed it meanwhile (compaction)
			}
			return err
		}
		if e.IsDir() {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return nil
		}
		bytes := info.Size()
		if sys, ok := info.Sys().(*syscall.Stat_t); ok {
			bytes = sys.Blocks * 512
		}
		st.Bytes += bytes
		st.Documents++
		kind := filepath.Ext(path)
		if kind == "" {
			kind = filepath.Base(path)
		}
		st.Parts[kind] += bytes
		return nil
	})
	return st, err
}

// clickhouseDatabase sizes the database Jaeger's ClickHouse storage writes.
type clickhouseDatabase struct {
	api      *backend.API
	database string
}

func (c *clickhouseDatabase) check(ctx context.Context) (string, error) {
	v, err := clickhouse.Version(ctx, c.api)
	if err != nil {
		return "", err
	}
	return "ClickHouse " + v + " (database " + c.database + ")", nil
}

func (c *clickhouseDatabase) size(ctx context.Context) (backend.StorageStats, error) {
	return clickhouse.DatabaseStorage(ctx, c.api, c.database)
}
