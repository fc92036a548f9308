package ipgeoprocessor // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor"

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"
)

// databaseSet is one generation of opened databases with its own cache.
// A reload builds a new set and swaps it in whole, so a record never sees
// answers from two generations, and the cache never holds stale answers.
type databaseSet struct {
	providers []provider
	asn       provider
	mergeAll  bool // merge: field
	cache     *answerCache
	files     []fileState
}

// fileState identifies a database file's content for change detection.
type fileState struct {
	path    string
	size    int64
	modTime time.Time
	info    os.FileInfo
}

func statFile(path string) (fileState, error) {
	info, err := os.Stat(path)
	if err != nil {
		return fileState{path: path}, err
	}
	return fileState{path: path, size: info.Size(), modTime: info.ModTime(), info: info}, nil
}

// changed reports whether the file differs from when it was opened:
// another size or modification time, or another file at the path (an
// atomic rename of a new database over the old one).
func (f fileState) changed(now fileState) bool {
	if f.info == nil || now.info == nil {
		return f.info != now.info
	}
	return f.size != now.size || !f.modTime.Equal(now.modTime) || !os.SameFile(f.info, now.info)
}

// openDatabases opens every configured database. On any failure it closes
// what it opened and returns an error naming the file and the reason.
func openDatabases(cfg *Config) (*databaseSet, error) {
	set := &databaseSet{mergeAll: cfg.Merge == mergeField, cache: newAnswerCache(cfg.Cache.Size)}
	record := func(path string) error {
		st, err := statFile(path)
		if err != nil {
			return err
		}
		set.files = append(set.files, st)
		return nil
	}
	for _, pc := range cfg.Providers {
		// Stat before opening: if the file is replaced while it is being
		// opened, the next check sees a change and reloads again.
		if err := record(pc.Path); err != nil {
			set.close()
			return nil, fmt.Errorf("database %s: %w", pc.Path, err)
		}
		var p provider
		var err error
		switch pc.Type {
		case providerMMDB:
			p, err = openMMDB(pc.Path, pc.Schema, pc.Fields, cfg.Language)
		case providerIP2Region:
			p, err = openIP2Region(pc.Path, pc.Layout)
		default:
			err = fmt.Errorf("unknown provider type %q", pc.Type)
		}
		if err != nil {
			set.close()
			return nil, err
		}
		set.providers = append(set.providers, p)
	}
	if cfg.ASN.Path != "" {
		if err := record(cfg.ASN.Path); err != nil {
			set.close()
			return nil, fmt.Errorf("ASN database %s: %w", cfg.ASN.Path, err)
		}
		p, err := openMMDB(cfg.ASN.Path, schemaASN, cfg.ASN.Fields, cfg.Language)
		if err != nil {
			set.close()
			return nil, err
		}
		set.asn = p
	}
	return set, nil
}

func (s *databaseSet) close() error {
	var errs []error
	for _, p := range s.providers {
		errs = append(errs, p.close())
	}
	if s.asn != nil {
		errs = append(errs, s.asn.close())
	}
	return errors.Join(errs...)
}

// changedFiles returns the database files that changed since the set was
// opened.
func (s *databaseSet) changedFiles() []string {
	var out []string
	for _, f := range s.files {
		now, _ := statFile(f.path)
		if f.changed(now) {
			out = append(out, f.path)
		}
	}
	return out
}

// lookupStats counts one batch's lookups; they are added to the telemetry
// once per batch.
type lookupStats struct {
	lookups, hits, misses, notFound, invalid, private int64
}

// answer returns the location for a public address, from the cache or the
// databases (nil: none of them knows it).
func (s *databaseSet) answer(addr netip.Addr, st *lookupStats) *location {
	st.lookups++
	if loc, ok := s.cache.get(addr); ok {
		st.hits++
		if loc == nil {
			st.notFound++
		}
		return loc
	}
	st.misses++
	loc := s.lookup(addr)
	s.cache.put(addr, loc)
	if loc == nil {
		st.notFound++
	}
	return loc
}

// lookup asks the databases. The ASN database, made for it, gives the AS
// fields. Then, with merge record, the first provider with an answer gives
// the rest; with merge field each field comes from the first provider that
// has it. A provider whose record cannot be read (a corrupt section) counts
// as not knowing the address.
func (s *databaseSet) lookup(addr netip.Addr) *location {
	var out location
	if s.asn != nil {
		if found, err := s.asn.lookup(addr, &out); err != nil || !found {
			out = location{}
		}
	}
	for _, p := range s.providers {
		var l location
		found, err := p.lookup(addr, &l)
		if err != nil || !found {
			continue
		}
		out.fillFrom(&l)
		if !s.mergeAll {
			break
		}
	}
	if out.empty() {
		return nil
	}
	out.finish()
	return &out
}
