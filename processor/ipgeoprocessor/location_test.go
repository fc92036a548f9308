package ipgeoprocessor

import (
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
