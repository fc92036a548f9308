package ipgeoprocessor // import "github.com/otelcol-events/otelcol-events/processor/ipgeoprocessor"

import (
	"math"
	"math/bits"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// field is one piece of a geolocation answer.
type field uint8

const (
	fieldContinentCode field = iota
	fieldCountryISOCode
	fieldCountryName
	fieldRegionISOCode
	fieldRegionName
	fieldLocalityName
	fieldPostalCode
	fieldLatitude
	fieldLongitude
	fieldASNumber
	fieldASOrganization
	numFields
)

// fieldInfo names a field in configuration (fields: {...}) and the
// attribute it is written as (OpenTelemetry semantic conventions; names
// where the database has them).
var fieldInfo = [numFields]struct{ config, attribute string }{
	fieldContinentCode:  {"continent_code", "geo.continent.code"},
	fieldCountryISOCode: {"country_iso_code", "geo.country.iso_code"},
	fieldCountryName:    {"country_name", "geo.country.name"},
	fieldRegionISOCode:  {"region_iso_code", "geo.region.iso_code"},
	fieldRegionName:     {"region_name", "geo.region.name"},
	fieldLocalityName:   {"locality_name", "geo.locality.name"},
	fieldPostalCode:     {"postal_code", "geo.postal_code"},
	fieldLatitude:       {"latitude", "geo.location.lat"},
	fieldLongitude:      {"longitude", "geo.location.lon"},
	fieldASNumber:       {"as_number", "as.number"},
	fieldASOrganization: {"as_organization", "as.organization.name"},
}

func fieldByName(name string) (field, bool) {
	for f := range numFields {
		if fieldInfo[f].config == name {
			return f, true
		}
	}
	return 0, false
}

// outputKeys are the attribute keys the processor writes.
func outputKeys() []string {
	keys := make([]string, numFields)
	for f := range numFields {
		keys[f] = fieldInfo[f].attribute
	}
	return keys
}

// location is an answer for one address. Once cached it is shared and never
// modified.
type location struct {
	str [numFields]string // string fields; empty: unknown
	lat float64
	lon float64
	asn int64
	// has marks which fields are known, including the numeric ones.
	has uint16
}

func (l *location) set(f field) { l.has |= 1 << f }

// isSet reports whether the field is known.
func (l *location) isSet(f field) bool { return l.has&(1<<f) != 0 }

func (l *location) empty() bool { return l.has == 0 }

func (l *location) setString(f field, v string) {
	if v == "" || (v == "0" && f != fieldPostalCode) {
		// ip2region writes "0" for unknown parts; no country, region or city
		// is called "0".
		return
	}
	l.str[f] = v
	l.set(f)
}

// coordinateScale rounds coordinates to 4 decimal places (about 11 m):
// what GeoIP2 City records carry, and far finer than any database's
// accuracy radius (kilometers). Without it a float32 coordinate (the
// ip-location-db files) reads back as 51.40359878540039, digits that mean
// nothing and cost every stored row 20 bytes that do not compress.
const coordinateScale = 1e4

func (l *location) setFloat(f field, v float64) {
	v = math.Round(v*coordinateScale) / coordinateScale
	switch f {
	case fieldLatitude:
		l.lat = v
	case fieldLongitude:
		l.lon = v
	default:
		return
	}
	l.set(f)
}

func (l *location) setInt(f field, v int64) {
	if f != fieldASNumber || v <= 0 {
		return
	}
	l.asn = v
	l.set(f)
}

// fillFrom copies the fields l lacks from o.
func (l *location) fillFrom(o *location) {
	for f := range numFields {
		if l.isSet(f) || !o.isSet(f) {
			continue
		}
		switch f {
		case fieldLatitude:
			l.lat = o.lat
		case fieldLongitude:
			l.lon = o.lon
		case fieldASNumber:
			l.asn = o.asn
		default:
			l.str[f] = o.str[f]
		}
		l.set(f)
	}
}

// finish normalizes a complete answer: coordinates come in pairs, and the
// region code takes the ISO 3166-2 form the conventions ask for ("GB-ENG",
// where MaxMind stores "ENG" under the subdivision).
func (l *location) finish() {
	if l.isSet(fieldLatitude) != l.isSet(fieldLongitude) || (l.lat == 0 && l.lon == 0) {
		l.has &^= 1<<fieldLatitude | 1<<fieldLongitude
		l.lat, l.lon = 0, 0
	}
	if l.isSet(fieldRegionISOCode) && l.isSet(fieldCountryISOCode) && !strings.Contains(l.str[fieldRegionISOCode], "-") {
		l.str[fieldRegionISOCode] = l.str[fieldCountryISOCode] + "-" + l.str[fieldRegionISOCode]
	}
}

// attributeWriter writes answers onto attribute maps.
type attributeWriter struct {
	overwrite bool
	legacy    []legacyKey
	// written maps every key the writer may write to its bit in a
	// presence mask (fields first, then legacy keys).
	written map[string]uint32
}

type legacyKey struct {
	key   string
	field field
}

func newAttributeWriter(overwrite bool, legacy map[string]string) attributeWriter {
	w := attributeWriter{overwrite: overwrite, written: map[string]uint32{}}
	for f := range numFields {
		w.written[fieldInfo[f].attribute] = 1 << f
	}
	for key, std := range legacy {
		for f := range numFields {
			if fieldInfo[f].attribute == std {
				w.written[key] |= 1 << (uint(numFields) + uint(len(w.legacy)))
				w.legacy = append(w.legacy, legacyKey{key: key, field: f})
			}
		}
	}
	return w
}

// write puts every known field of loc into attrs. Keys already present are
// left alone unless overwrite is set; which are present is found in one
// pass over the existing attributes rather than one search per key.
func (w *attributeWriter) write(attrs pcommon.Map, loc *location) {
	var present uint32
	if !w.overwrite {
		for k := range attrs.All() {
			present |= w.written[k]
		}
	}
	missing := w.missing(loc, present)
	attrs.EnsureCapacity(attrs.Len() + bits.OnesCount32(missing))
	for f := range numFields {
		if missing&(1<<f) != 0 {
			put(attrs, fieldInfo[f].attribute, loc, f)
		}
	}
	for i, l := range w.legacy {
		if missing&(1<<(uint(numFields)+uint(i))) != 0 {
			put(attrs, l.key, loc, l.field)
		}
	}
}

// missing is the presence mask (fields first, then legacy keys) of what
// write adds: what loc knows, less the keys already present (with
// overwrite, none are looked for). write grows the map by its count, so a
// map with room to spare (eventsplit leaves some) is not copied at all, and
// one without is not grown by every field there is when an answer knows
// only some of them.
func (w *attributeWriter) missing(loc *location, present uint32) uint32 {
	m := uint32(loc.has)
	for i, l := range w.legacy {
		if loc.isSet(l.field) {
			m |= 1 << (uint(numFields) + uint(i))
		}
	}
	return m &^ present
}

func put(attrs pcommon.Map, key string, loc *location, f field) {
	switch f {
	case fieldLatitude:
		attrs.PutDouble(key, loc.lat)
	case fieldLongitude:
		attrs.PutDouble(key, loc.lon)
	case fieldASNumber:
		attrs.PutInt(key, loc.asn)
	default:
		attrs.PutStr(key, loc.str[f])
	}
}
