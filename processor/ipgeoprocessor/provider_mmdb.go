package ipgeoprocessor // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor"

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
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

// mmdbProvider reads a MaxMind DB file through maxminddb-golang, which
// memory-maps it, walks the search tree and decodes the data section.
type mmdbProvider struct {
	path   string
	schema string
	reader *maxminddb.Reader
	paths  *pathNode
}

// openMMDB opens path and decides its record shape: the configured schema,
// else one recognized from the database type, else one recognized from a
// sample record. fields override or add record paths.
func openMMDB(path, schema string, fields map[string]string, language string) (*mmdbProvider, error) {
	reader, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open MaxMind DB %s: %w", path, err)
	}
	p := &mmdbProvider{path: path, reader: reader}
	fail := func(err error) (*mmdbProvider, error) {
		_ = reader.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if schema == "" || schema == schemaAuto {
		if schema, err = detectSchema(reader); err != nil {
			return fail(err)
		}
	}
	p.schema = schema
	mapping := schemaFields(schema)
	for name, fieldPath := range fields {
		f, ok := fieldByName(name)
		if !ok {
			return fail(fmt.Errorf("unknown output field %q", name))
		}
		mapping[f] = fieldPath
	}
	if len(mapping) == 0 {
		return fail(errors.New("no fields to read"))
	}
	p.paths = buildPaths(mapping, language)
	if err := p.check(); err != nil {
		return fail(err)
	}
	return p, nil
}

// probeAddresses are well-known public addresses that City and ASN
// databases have records for.
var probeAddresses = []netip.Addr{
	netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("1.1.1.1"), netip.MustParseAddr("81.2.69.160"),
	netip.MustParseAddr("2001:4860:4860::8888"), netip.MustParseAddr("2a02:8109::1"),
}

// detectSchema recognizes MaxMind's and DB-IP's database types, and the
// ip-location-db files ("city ipv4", "country ipv6"); otherwise it looks
// at the shape of a record, decoded by the library (whose decoder bounds
// the work a crafted record can cause).
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
	for _, ip := range probeAddresses {
		var shape struct {
			Country     any `maxminddb:"country"`
			City        any `maxminddb:"city"`
			CountryCode any `maxminddb:"country_code"`
			ASNumber    any `maxminddb:"autonomous_system_number"`
		}
		if err := r.Lookup(ip).Decode(&shape); err != nil {
			continue
		}
		switch {
		case isMap(shape.Country) || isMap(shape.City):
			return schemaGeoIP2, nil
		case shape.CountryCode != nil:
			return schemaFlat, nil
		case shape.ASNumber != nil:
			return schemaASN, nil
		}
	}
	return "", fmt.Errorf("cannot tell the record shape of database type %q: set schema (geoip2, flat) or custom fields", r.Metadata.DatabaseType)
}

func isMap(v any) bool { _, ok := v.(map[string]any); return ok }

// check reads a few records, so a file whose data section is broken fails
// now instead of on the first lookup.
func (p *mmdbProvider) check() error {
	for _, a := range probeAddresses {
		if a.Is6() && p.reader.Metadata.IPVersion == 4 {
			continue
		}
		var loc location
		if _, err := p.lookup(a, &loc); err != nil {
			return fmt.Errorf("reading the record of %s: %w", a, err)
		}
	}
	return nil
}

func (p *mmdbProvider) describe() string {
	return fmt.Sprintf("mmdb %q (type %q, schema %s, %d nodes, memory-mapped)", p.path, p.reader.Metadata.DatabaseType, p.schema, p.reader.Metadata.NodeCount)
}

func (p *mmdbProvider) close() error { return p.reader.Close() }

func (p *mmdbProvider) lookup(addr netip.Addr, loc *location) (bool, error) {
	if addr.Is6() && p.reader.Metadata.IPVersion == 4 {
		return false, nil // an IPv4-only file cannot know it
	}
	res := p.reader.Lookup(addr)
	if err := res.Err(); err != nil || !res.Found() {
		return false, err
	}
	w := recordWalker{paths: p.paths, loc: loc}
	if err := res.Decode(&w); err != nil {
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
