package percentile

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestNearestRank(t *testing.T) {
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		q    float64
		want int
	}{{0.5, 50}, {0.95, 95}, {0.99, 99}, {1, 100}, {0.001, 1}, {0, 1}} {
		assert.Equal(t, tc.want, NearestRank(hundred, tc.q), "q=%v", tc.q)
	}
	// Fewer values than 1/(1-q): p99 is the largest, p50 the lower middle.
	three := []time.Duration{1, 2, 3}
	assert.Equal(t, time.Duration(3), NearestRank(three, 0.99))
	assert.Equal(t, time.Duration(2), NearestRank(three, 0.5))
	assert.Equal(t, 7.5, NearestRank([]float64{7.5}, 0.99))
}
