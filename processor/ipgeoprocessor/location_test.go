package ipgeoprocessor

import (
	"math/bits"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Coordinates stored as float32 (the ip-location-db files) are written as
// the 4-decimal values they stand for, not as float64 noise.
func TestCoordinatesAreRounded(t *testing.T) {
	var loc location
	loc.setFloat(fieldLatitude, float64(float32(51.4036)))
	loc.setFloat(fieldLongitude, float64(float32(-0.7618)))
	assert.Equal(t, 51.4036, loc.lat)
	assert.Equal(t, -0.7618, loc.lon)

	attrs := pcommon.NewMap()
	put(attrs, "geo.location.lat", &loc, fieldLatitude)
	v, _ := attrs.Get("geo.location.lat")
	assert.Equal(t, "51.4036", v.AsString(), "the stored text is short")
}

// write grows a map by the attributes it adds: the fields the answer
// knows, less the keys already present, legacy keys included. Overwriting,
// it does not look for present keys, so a key it replaces is room unused.
func TestWriteGrowsMapsByWhatItAdds(t *testing.T) {
	var loc location
	loc.setString(fieldCountryISOCode, "GB")
	loc.setString(fieldLocalityName, "Bracknell")
	loc.setFloat(fieldLatitude, 51.4036)
	loc.setFloat(fieldLongitude, -0.7618)
	legacy := map[string]string{"geo.country_code": fieldInfo[fieldCountryISOCode].attribute}
	for _, tc := range []struct {
		name      string
		overwrite bool
		present   []string
		counted   int
		added     int
	}{
		{name: "empty map", counted: 5, added: 5},
		{name: "city already set", present: []string{fieldInfo[fieldLocalityName].attribute}, counted: 4, added: 4},
		{name: "legacy key already set", present: []string{"geo.country_code"}, counted: 4, added: 4},
		{name: "overwrite", overwrite: true, present: []string{fieldInfo[fieldLocalityName].attribute}, counted: 5, added: 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newAttributeWriter(tc.overwrite, legacy)
			attrs := pcommon.NewMap()
			attrs.PutStr("client.address", "81.2.69.1")
			for _, k := range tc.present {
				attrs.PutStr(k, "before")
			}
			before := attrs.Len()
			var present uint32
			if !tc.overwrite {
				for k := range attrs.All() {
					present |= w.written[k]
				}
			}
			assert.Equal(t, tc.counted, bits.OnesCount32(w.missing(&loc, present)), "counted")
			w.write(attrs, &loc)
			assert.Equal(t, tc.added, attrs.Len()-before, "written")
		})
	}
}
