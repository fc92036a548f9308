package ipgeoprocessor // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor"

import (
	"bytes"
	"fmt"
	"net/netip"
	"unicode/utf8"

	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/xdb"
)

// ip2regionProvider reads an xdb database held in memory (ip2region's
// "full memory" mode: one file read, no I/O per lookup).
type ip2regionProvider struct {
	path   string
	reader *xdb.Reader
	layout []field // per '|'-separated part; numFields: ignored
}

func openIP2Region(path string, layout []string) (*ip2regionProvider, error) {
	reader, err := xdb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open ip2region database %s: %w", path, err)
	}
	if len(layout) == 0 {
		// The layout of ip2region's published data, "0" for unknown parts.
		layout = []string{"country", "area", "province", "city", "isp"}
	}
	p := &ip2regionProvider{path: path, reader: reader, layout: make([]field, len(layout))}
	for i, name := range layout {
		switch name {
		case "country":
			p.layout[i] = fieldCountryName
		case "country_iso_code":
			p.layout[i] = fieldCountryISOCode
		case "province":
			p.layout[i] = fieldRegionName
		case "city":
			p.layout[i] = fieldLocalityName
		case "isp":
			p.layout[i] = fieldASOrganization
		case "postal_code":
			p.layout[i] = fieldPostalCode
		default:
			p.layout[i] = numFields // "area" and anything else: not written
		}
	}
	// Read the records of a few addresses now, so a broken data section
	// fails at start or reload rather than on the first lookup.
	for _, ip := range []string{"1.1.1.1", "8.8.8.8", "114.114.114.114", "2001:4860:4860::8888", "240e::1"} {
		var loc location
		if _, err := p.lookup(netip.MustParseAddr(ip), &loc); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return p, nil
}

func (p *ip2regionProvider) describe() string {
	h := p.reader.Header()
	return fmt.Sprintf("ip2region %q (xdb v%d, IPv%d, built %s)", p.path, h.Version, h.IPVersion, h.CreatedAt.Format("2006-01-02"))
}

func (p *ip2regionProvider) close() error { return nil } // memory only

func (p *ip2regionProvider) lookup(addr netip.Addr, loc *location) (bool, error) {
	region, err := p.reader.Lookup(addr)
	if err != nil || len(region) == 0 {
		return false, err
	}
	if !utf8.Valid(region) {
		return false, fmt.Errorf("%w: region text is not UTF-8", xdb.ErrCorrupt)
	}
	for i := 0; i < len(p.layout) && len(region) > 0; i++ {
		part := region
		if j := bytes.IndexByte(region, '|'); j >= 0 {
			part, region = region[:j], region[j+1:]
		} else {
			region = nil
		}
		if f := p.layout[i]; f != numFields {
			loc.setString(f, string(part)) // copied: the answer outlives a reload
		}
	}
	return !loc.empty(), nil
}
