package ipgeoprocessor // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor"

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
	"github.com/oschwald/maxminddb-golang/v2/mmdbdata"
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
	reader *maxminddb.Reader
	paths  *pathNode
}

// openMMDB opens path and decides its record shape: the configured schema,
// else one recognised from the database type, else one recognised from a
// sample record. fields override or add record paths.
func openMMDB(path, schema string, fields map[string]string, language string) (*mmdbProvider, error) {
	reader, err := maxminddb.Open(path)
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
func detectSchema(r *maxminddb.Reader) (string, error) {
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
		var rec map[string]any
		res := r.Lookup(netip.MustParseAddr(ip))
		if res.Err() != nil || !res.Found() || res.Decode(&rec) != nil {
			continue
		}
		switch {
		case rec["country"] != nil || rec["city"] != nil && isMap(rec["city"]):
			return schemaGeoIP2, nil
		case rec["country_code"] != nil:
			return schemaFlat, nil
		case rec["autonomous_system_number"] != nil:
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
	return fmt.Sprintf("mmdb %q (type %q, schema %s)", p.path, p.reader.Metadata.DatabaseType, p.schema)
}

func (p *mmdbProvider) close() error { return p.reader.Close() }

func (p *mmdbProvider) lookup(addr netip.Addr, loc *location) (bool, error) {
	if addr.Is6() && p.reader.Metadata.IPVersion == 4 {
		return false, nil // an IPv4-only file cannot know it
	}
	res := p.reader.Lookup(addr)
	if err := res.Err(); err != nil {
		return false, err
	}
	if !res.Found() {
		return false, nil
	}
	w := recordWalker{root: p.paths, loc: loc}
	if err := res.Decode(&w); err != nil {
		return false, err
	}
	return !loc.empty(), nil
}

// pathNode is a trie of the record paths to read. A record is walked once;
// only the branches that lead to wanted fields are entered.
type pathNode struct {
	keys    map[string]*pathNode // map members
	indexes map[int]*pathNode    // slice elements
	leaves  []leaf               // fields whose value is here
}

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
				if n.keys == nil {
					n.keys = map[string]*pathNode{}
				}
				if n.keys[part] == nil {
					n.keys[part] = &pathNode{}
				}
				n = n.keys[part]
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
// over the data (mmdbdata.CursorUnmarshaler), without decoding the rest.
type recordWalker struct {
	root  *pathNode
	loc   *location
	ranks [numFields]int8 // rank+1 of the value taken; 0: none yet
}

var errTooDeep = errors.New("record nests too deeply")

func (w *recordWalker) UnmarshalMaxMindDBCursor(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	return w.walk(c, w.root, 0)
}

func (w *recordWalker) walk(c mmdbdata.Cursor, n *pathNode, depth int) (mmdbdata.Cursor, error) {
	if depth > 16 {
		return mmdbdata.Cursor{}, errTooDeep
	}
	kind, err := c.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	if len(n.leaves) > 0 {
		return w.readLeaf(c, kind, n.leaves)
	}
	switch kind {
	case mmdbdata.KindMap:
		if n.keys == nil {
			return c.Skip()
		}
		m, err := c.Map()
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
		var next mmdbdata.Cursor
		for {
			key, value, ok := m.Next(next)
			if !ok {
				break
			}
			if child := n.keys[string(key)]; child != nil {
				next, err = w.walk(value, child, depth+1)
			} else {
				next, err = value.Skip()
			}
			if err != nil {
				return mmdbdata.Cursor{}, err
			}
		}
		return m.End()
	case mmdbdata.KindSlice:
		if n.indexes == nil {
			return c.Skip()
		}
		s, err := c.Slice()
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
		var next mmdbdata.Cursor
		for {
			i, value, ok := s.Next(next)
			if !ok {
				break
			}
			if child := n.indexes[int(i)]; child != nil {
				next, err = w.walk(value, child, depth+1)
			} else {
				next, err = value.Skip()
			}
			if err != nil {
				return mmdbdata.Cursor{}, err
			}
		}
		return s.End()
	}
	return c.Skip()
}

// readLeaf reads a scalar for the fields at a node; a value of a kind the
// field cannot hold is skipped.
func (w *recordWalker) readLeaf(c mmdbdata.Cursor, kind mmdbdata.Kind, leaves []leaf) (mmdbdata.Cursor, error) {
	switch kind {
	case mmdbdata.KindString:
		v, next, err := c.ReadString()
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
		for _, l := range leaves {
			if w.take(l) {
				switch l.field {
				case fieldLatitude, fieldLongitude:
					if f, err := strconv.ParseFloat(v, 64); err == nil {
						w.loc.setFloat(l.field, f)
					}
				case fieldASNumber:
					if i, err := strconv.ParseInt(strings.TrimPrefix(v, "AS"), 10, 64); err == nil {
						w.loc.setInt(l.field, i)
					}
				default:
					w.loc.setString(l.field, v)
				}
			}
		}
		return next, nil
	case mmdbdata.KindFloat64, mmdbdata.KindFloat32:
		v, next, err := c.ReadFloat()
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
		for _, l := range leaves {
			if w.take(l) {
				w.loc.setFloat(l.field, v)
			}
		}
		return next, nil
	case mmdbdata.KindUint16, mmdbdata.KindUint32, mmdbdata.KindUint64, mmdbdata.KindInt32:
		v, signed, next, err := c.ReadInteger()
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
		n := int64(v)
		if !signed && v > 1<<62 {
			n = 0
		}
		for _, l := range leaves {
			if w.take(l) {
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
		return next, nil
	}
	return c.Skip()
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
