package ipgeoprocessor // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor"

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/mmdb"
)

// provider is one opened database.
type provider interface {
	// lookup fills loc with what the database knows about addr; found is
	// false when it knows nothing.
	lookup(addr netip.Addr, loc *location) (found bool, err error)
	// describe names the database for logs: its type and schema.
	describe() string
	close() error
}

// Record paths of the known MMDB record shapes. {lang} is the configured
// language, falling back to English.
func schemaFields(schema string) map[field]string {
	switch schema {
	case schemaGeoIP2:
		return map[field]string{
			fieldContinentCode:  "continent.code",
			fieldCountryISOCode: "country.iso_code",
			fieldCountryName:    "country.names.{lang}",
			fieldRegionISOCode:  "subdivisions.0.iso_code",
			fieldRegionName:     "subdivisions.0.names.{lang}",
			fieldLocalityName:   "city.names.{lang}",
			fieldPostalCode:     "postal.code",
			fieldLatitude:       "location.latitude",
			fieldLongitude:      "location.longitude",
		}
	case schemaFlat:
		return map[field]string{
			fieldCountryISOCode: "country_code",
			fieldRegionName:     "state1",
			fieldLocalityName:   "city",
			fieldPostalCode:     "postcode",
			fieldLatitude:       "latitude",
			fieldLongitude:      "longitude",
		}
	case schemaASN:
		return map[field]string{
			fieldASNumber:       "autonomous_system_number",
			fieldASOrganization: "autonomous_system_organization",
		}
	}
	return map[field]string{}
}

// schemaASN is the record shape of the ASN database (GeoLite2-ASN, DB-IP
// ASN); it is not configurable as a provider schema.
const schemaASN = "asn"

// mmdbProvider reads a memory-mapped MaxMind DB file.
type mmdbProvider struct {
	path   string
	schema string
	reader *mmdb.Reader
	paths  *pathNode
}

// openMMDB opens path and decides its record shape: the configured schema,
// else one recognised from the database type, else one recognised from a
// sample record. fields override or add record paths.
func openMMDB(path, schema string, fields map[string]string, language string) (*mmdbProvider, error) {
	reader, err := mmdb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open MaxMind DB %s: %w", path, err)
	}
	p := &mmdbProvider{path: path, reader: reader}
	if schema == "" || schema == schemaAuto {
		schema, err = detectSchema(reader)
		if err != nil {
			_ = reader.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	p.schema = schema
	mapping := schemaFields(schema)
	for name, fieldPath := range fields {
		f, ok := fieldByName(name)
		if !ok {
			_ = reader.Close()
			return nil, fmt.Errorf("%s: unknown output field %q", path, name)
		}
		mapping[f] = fieldPath
	}
	if len(mapping) == 0 {
		_ = reader.Close()
		return nil, fmt.Errorf("%s: no fields to read", path)
	}
	p.paths = buildPaths(mapping, language)
	if err := p.check(); err != nil {
		_ = reader.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// detectSchema recognises MaxMind's and DB-IP's database types, and the
// ip-location-db files ("city ipv4", "country ipv6"); otherwise it looks
// at the shape of a record.
func detectSchema(r *mmdb.Reader) (string, error) {
	t := strings.ToLower(r.Metadata.DatabaseType)
	switch {
	case strings.Contains(t, "asn") || strings.Contains(t, "-isp"):
		return schemaASN, nil
	case strings.HasPrefix(t, "geoip2-"), strings.HasPrefix(t, "geolite2-"), strings.HasPrefix(t, "dbip-"), strings.HasPrefix(t, "geoip-"):
		return schemaGeoIP2, nil
	case strings.HasSuffix(t, " ipv4") || strings.HasSuffix(t, " ipv6"):
		return schemaFlat, nil
	}
	// Unknown type: look at records of well-known public addresses.
	for _, ip := range []string{"8.8.8.8", "1.1.1.1", "81.2.69.160", "2001:4860:4860::8888", "2a02:8109::1"} {
		off, found, err := r.Lookup(netip.MustParseAddr(ip))
		if err != nil || !found {
			continue
		}
		rec, err := r.Data().Decode(off)
		if err != nil {
			continue
		}
		m, _ := rec.(map[string]any)
		switch {
		case isMap(m["country"]) || isMap(m["city"]):
			return schemaGeoIP2, nil
		case m["country_code"] != nil:
			return schemaFlat, nil
		case m["autonomous_system_number"] != nil:
			return schemaASN, nil
		}
	}
	return "", fmt.Errorf("cannot tell the record shape of database type %q: set schema (geoip2, flat) or custom fields", r.Metadata.DatabaseType)
}

func isMap(v any) bool { _, ok := v.(map[string]any); return ok }

// check reads a few records, so a file whose data section is broken fails
// now instead of on the first lookup.
func (p *mmdbProvider) check() error {
	probes := []string{"8.8.8.8", "1.1.1.1", "81.2.69.160", "2001:4860:4860::8888"}
	for _, ip := range probes {
		a := netip.MustParseAddr(ip)
		if a.Is6() && p.reader.Metadata.IPVersion == 4 {
			continue
		}
		var loc location
		if _, err := p.lookup(a, &loc); err != nil {
			return fmt.Errorf("reading the record of %s: %w", ip, err)
		}
	}
	return nil
}

func (p *mmdbProvider) describe() string {
	return fmt.Sprintf("mmdb %q (type %q, schema %s, %d bytes, memory-mapped)", p.path, p.reader.Metadata.DatabaseType, p.schema, p.reader.Size())
}

func (p *mmdbProvider) close() error { return p.reader.Close() }

func (p *mmdbProvider) lookup(addr netip.Addr, loc *location) (bool, error) {
	if addr.Is6() && p.reader.Metadata.IPVersion == 4 {
		return false, nil // an IPv4-only file cannot know it
	}
	off, found, err := p.reader.Lookup(addr)
	if err != nil || !found {
		return false, err
	}
	w := recordWalker{data: p.reader.Data(), loc: loc}
	_, err = w.walk(off, p.paths, 0, false)
	// The walk borrowed its strings from the mapping; answers outlive it
	// (cache, reload), so they move to memory of their own, in one block.
	loc.ownStrings()
	if err != nil {
		return false, err
	}
	return !loc.empty(), nil
}

// pathNode is a trie of the record paths to read. A record is walked once;
// only the branches that lead to wanted fields are entered.
type pathNode struct {
	keys    []keyChild        // map members to enter; a handful, so a scan beats a map
	indexes map[int]*pathNode // slice elements
	leaves  []leaf            // fields whose value is here
}

type keyChild struct {
	key  string
	node *pathNode
}

// child returns the member node for key, or nil.
func (n *pathNode) child(key []byte) *pathNode {
	for i := range n.keys {
		if n.keys[i].key == string(key) {
			return n.keys[i].node
		}
	}
	return nil
}

// wants is how many members or elements the walk enters here.
func (n *pathNode) wants() int { return len(n.keys) + len(n.indexes) }

// leaf is a field read at a node. Several paths may feed one field (the
// configured language, then English); the lowest rank found wins.
type leaf struct {
	field field
	rank  int
}

func buildPaths(mapping map[field]string, language string) *pathNode {
	root := &pathNode{}
	fields := make([]field, 0, len(mapping))
	for f := range mapping {
		fields = append(fields, f)
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i] < fields[j] })
	for _, f := range fields {
		path := mapping[f]
		langs := []string{language}
		if strings.Contains(path, "{lang}") && language != "en" {
			langs = append(langs, "en")
		}
		for rank, lang := range langs {
			n := root
			for part := range strings.SplitSeq(strings.ReplaceAll(path, "{lang}", lang), ".") {
				if i, err := strconv.Atoi(part); err == nil && i >= 0 {
					if n.indexes == nil {
						n.indexes = map[int]*pathNode{}
					}
					if n.indexes[i] == nil {
						n.indexes[i] = &pathNode{}
					}
					n = n.indexes[i]
					continue
				}
				next := n.child([]byte(part))
				if next == nil {
					next = &pathNode{}
					n.keys = append(n.keys, keyChild{key: part, node: next})
				}
				n = next
			}
			n.leaves = append(n.leaves, leaf{field: f, rank: rank})
			if !strings.Contains(path, "{lang}") {
				break
			}
		}
	}
	return root
}

// recordWalker decodes the wanted fields of one record in a single pass
// over the data, straight from the mapped file, skipping everything else.
type recordWalker struct {
	data  mmdb.Section
	loc   *location
	ranks [numFields]int8 // rank+1 of the value taken; 0: none yet
}

var errTooDeep = errors.New("record nests too deeply")

// walk reads the value at off along the trie node n and returns the offset
// after it. Once every member the node wants has been read, it stops: the
// rest of a map is skipped only if the caller needs to know where it ends
// (needEnd), and not even then when the map was reached through a pointer,
// whose end is known. The record's top level never needs its end.
func (w *recordWalker) walk(off uint32, n *pathNode, depth int, needEnd bool) (uint32, error) {
	if depth > 16 {
		return 0, errTooDeep
	}
	it, err := w.data.Item(off)
	if err != nil {
		return 0, err
	}
	if len(n.leaves) > 0 {
		w.readLeaf(it, n.leaves)
		if it.Next != 0 || !needEnd {
			return it.Next, nil
		}
		return w.data.Skip(off)
	}
	remaining := n.wants()
	if (it.Kind != mmdb.KindMap || n.keys == nil) && (it.Kind != mmdb.KindArray || n.indexes == nil) {
		if !needEnd {
			return 0, nil
		}
		return w.data.Skip(off)
	}
	pos := it.Payload
	for i := range it.Size {
		if remaining == 0 && (!needEnd || it.Next != 0) {
			return it.Next, nil
		}
		var child *pathNode
		if it.Kind == mmdb.KindMap {
			key, err := w.data.Item(pos)
			if err != nil {
				return 0, err
			}
			if key.Kind != mmdb.KindString {
				return 0, fmt.Errorf("map key of type %d", key.Kind)
			}
			pos = key.Next
			child = n.child(w.data.Bytes(key))
		} else {
			child = n.indexes[int(i)]
		}
		if child != nil {
			remaining--
			pos, err = w.walk(pos, child, depth+1, needEnd || remaining > 0)
		} else {
			pos, err = w.data.Skip(pos)
		}
		if err != nil {
			return 0, err
		}
	}
	if it.Next != 0 {
		return it.Next, nil // reached through a pointer
	}
	return pos, nil
}

// readLeaf reads a scalar for the fields at a node; a value of a kind a
// field cannot hold is ignored.
func (w *recordWalker) readLeaf(it mmdb.Item, leaves []leaf) {
	switch it.Kind {
	case mmdb.KindString:
		raw := w.data.Bytes(it)
		for _, l := range leaves {
			if !w.take(l) {
				continue
			}
			switch l.field {
			case fieldLatitude, fieldLongitude:
				if f, err := strconv.ParseFloat(string(raw), 64); err == nil {
					w.loc.setFloat(l.field, f)
				}
			case fieldASNumber:
				if i, err := strconv.ParseInt(strings.TrimPrefix(string(raw), "AS"), 10, 64); err == nil {
					w.loc.setInt(l.field, i)
				}
			default:
				w.loc.setString(l.field, borrowString(raw)) // owned by lookup before it returns
			}
		}
	case mmdb.KindDouble, mmdb.KindFloat:
		v, _ := w.data.Float(it)
		for _, l := range leaves {
			if w.take(l) {
				w.loc.setFloat(l.field, v)
			}
		}
	case mmdb.KindUint16, mmdb.KindUint32, mmdb.KindUint64, mmdb.KindUint128, mmdb.KindInt32:
		n, ok := w.data.Int(it)
		if !ok {
			return
		}
		for _, l := range leaves {
			if !w.take(l) {
				continue
			}
			switch l.field {
			case fieldASNumber:
				w.loc.setInt(l.field, n)
			case fieldLatitude, fieldLongitude:
				w.loc.setFloat(l.field, float64(n))
			default:
				w.loc.setString(l.field, strconv.FormatInt(n, 10))
			}
		}
	}
}

// take reports whether a value of this leaf's rank beats what the field
// has, and records it.
func (w *recordWalker) take(l leaf) bool {
	have := w.ranks[l.field]
	if have != 0 && int(have) <= l.rank+1 {
		return false
	}
	w.ranks[l.field] = int8(l.rank + 1)
	return true
}
