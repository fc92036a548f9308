// Package geodbtest writes small MaxMind DB files with known contents, for
// tests: MaxMind's nested GeoIP2 shape, ip-location-db's flat shape, ASN
// files, any custom shape, and crafted files that attack a decoder. Tests
// build their own databases so every assertion is an exact value; real
// databases are for demos and benchmarks. (ip2region xdb files for tests:
// processor/ipgeoprocessor/internal/xdb/xdbtest.)
package geodbtest // import "github.com/otelcol-events/otelcol-events/internal/geodbtest"

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// City is one network of a GeoIP2/GeoLite2 City database. Empty fields are
// left out of the record, as MaxMind does.
type City struct {
	Network          string // CIDR
	ContinentCode    string
	CountryISOCode   string
	CountryNames     map[string]string // language -> name
	SubdivisionISO   string
	SubdivisionNames map[string]string
	CityNames        map[string]string
	PostalCode       string
	Latitude         float64
	Longitude        float64
	TimeZone         string
}

// WriteGeoIP2 writes a database of MaxMind's nested record shape with the
// given database type ("GeoIP2-City", "GeoLite2-Country", "DBIP-City-Lite").
func WriteGeoIP2(path, databaseType string, cities []City) error {
	records := make(map[string]mmdbtype.Map, len(cities))
	for _, c := range cities {
		rec := mmdbtype.Map{}
		if c.ContinentCode != "" {
			rec["continent"] = mmdbtype.Map{"code": mmdbtype.String(c.ContinentCode)}
		}
		if c.CountryISOCode != "" {
			rec["country"] = mmdbtype.Map{"iso_code": mmdbtype.String(c.CountryISOCode), "names": names(c.CountryNames)}
		}
		if c.SubdivisionISO != "" || len(c.SubdivisionNames) > 0 {
			rec["subdivisions"] = mmdbtype.Slice{mmdbtype.Map{"iso_code": mmdbtype.String(c.SubdivisionISO), "names": names(c.SubdivisionNames)}}
		}
		if len(c.CityNames) > 0 {
			rec["city"] = mmdbtype.Map{"names": names(c.CityNames), "geoname_id": mmdbtype.Uint32(2643743)}
		}
		if c.PostalCode != "" {
			rec["postal"] = mmdbtype.Map{"code": mmdbtype.String(c.PostalCode)}
		}
		if c.Latitude != 0 || c.Longitude != 0 {
			loc := mmdbtype.Map{
				"latitude": mmdbtype.Float64(c.Latitude), "longitude": mmdbtype.Float64(c.Longitude),
				"accuracy_radius": mmdbtype.Uint16(100),
			}
			if c.TimeZone != "" {
				loc["time_zone"] = mmdbtype.String(c.TimeZone)
			}
			rec["location"] = loc
		}
		records[c.Network] = rec
	}
	return writeMMDB(path, databaseType, 6, records)
}

func names(m map[string]string) mmdbtype.Map {
	out := mmdbtype.Map{}
	for lang, name := range m {
		out[mmdbtype.String(lang)] = mmdbtype.String(name)
	}
	return out
}

// FlatCity is one network of an ip-location-db City database.
type FlatCity struct {
	Network     string
	CountryCode string
	State1      string
	State2      string
	City        string
	Postcode    string
	Latitude    float64
	Longitude   float64
	Timezone    string
}

// WriteFlat writes an ip-location-db style database ("city ipv4" or
// "city ipv6"; like the npm packages, one file per IP version). Unknown
// fields are empty strings, as in those files.
func WriteFlat(path string, ipVersion int, rows []FlatCity) error {
	records := make(map[string]mmdbtype.Map, len(rows))
	for _, r := range rows {
		records[r.Network] = mmdbtype.Map{
			"country_code": mmdbtype.String(r.CountryCode),
			"state1":       mmdbtype.String(r.State1),
			"state2":       mmdbtype.String(r.State2),
			"city":         mmdbtype.String(r.City),
			"postcode":     mmdbtype.String(r.Postcode),
			"latitude":     mmdbtype.Float64(r.Latitude),
			"longitude":    mmdbtype.Float64(r.Longitude),
			"timezone":     mmdbtype.String(r.Timezone),
		}
	}
	return writeMMDB(path, fmt.Sprintf("city ipv%d", ipVersion), ipVersion, records)
}

// ASN is one network of a GeoLite2-ASN database.
type ASN struct {
	Network      string
	Number       uint32
	Organization string
}

// WriteASN writes a GeoLite2-ASN shaped database.
func WriteASN(path string, rows []ASN) error {
	records := make(map[string]mmdbtype.Map, len(rows))
	for _, r := range rows {
		records[r.Network] = mmdbtype.Map{
			"autonomous_system_number":       mmdbtype.Uint32(r.Number),
			"autonomous_system_organization": mmdbtype.String(r.Organization),
		}
	}
	return writeMMDB(path, "GeoLite2-ASN", 6, records)
}

// WriteCustom writes any record shape: values may be string, float64,
// int, uint32, bool, []any and map[string]any.
func WriteCustom(path, databaseType string, ipVersion int, records map[string]map[string]any) error {
	out := make(map[string]mmdbtype.Map, len(records))
	for network, rec := range records {
		m, err := toMMDB(rec)
		if err != nil {
			return err
		}
		out[network] = m.(mmdbtype.Map)
	}
	return writeMMDB(path, databaseType, ipVersion, out)
}

func toMMDB(v any) (mmdbtype.DataType, error) {
	switch t := v.(type) {
	case string:
		return mmdbtype.String(t), nil
	case float64:
		return mmdbtype.Float64(t), nil
	case int:
		return mmdbtype.Int32(t), nil
	case uint32:
		return mmdbtype.Uint32(t), nil
	case bool:
		return mmdbtype.Bool(t), nil
	case []any:
		s := mmdbtype.Slice{}
		for _, e := range t {
			d, err := toMMDB(e)
			if err != nil {
				return nil, err
			}
			s = append(s, d)
		}
		return s, nil
	case map[string]any:
		m := mmdbtype.Map{}
		for k, e := range t {
			d, err := toMMDB(e)
			if err != nil {
				return nil, err
			}
			m[mmdbtype.String(k)] = d
		}
		return m, nil
	}
	return nil, fmt.Errorf("geodbtest: unsupported value %T", v)
}

func writeMMDB(path, databaseType string, ipVersion int, records map[string]mmdbtype.Map) error {
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: databaseType,
		IPVersion:    ipVersion,
		RecordSize:   28,
		BuildEpoch:   time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Unix(),
		Languages:    []string{"en", "de"},
	})
	if err != nil {
		return err
	}
	for network, rec := range records {
		_, ipnet, err := net.ParseCIDR(network)
		if err != nil {
			return fmt.Errorf("geodbtest: %q: %w", network, err)
		}
		if err := tree.Insert(ipnet, rec); err != nil {
			return fmt.Errorf("geodbtest: insert %s: %w", network, err)
		}
	}
	return writeAtomically(path, func(f *os.File) error {
		_, err := tree.WriteTo(f)
		return err
	})
}

// writeAtomically writes a temporary file next to path and renames it over
// path: how a database should be replaced under a running collector.
func writeAtomically(path string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".geodbtest-*")
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}
