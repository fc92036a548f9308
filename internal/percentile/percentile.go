// Package percentile picks percentiles of measured values the way the
// benchmark reports and the backend comparison both state them.
package percentile // import "github.com/otelcol-events/otelcol-events/internal/percentile"

import "cmp"

// NearestRank returns the q-quantile (0 < q <= 1) of sorted by the
// nearest-rank method: the smallest value with at least q of the values at
// or below it, so a reported p99 is a value that was measured, never an
// interpolation. sorted must be in ascending order and not empty.
func NearestRank[T cmp.Ordered](sorted []T, q float64) T {
	// The small epsilon keeps q*n that is an integer in floating point
	// (0.5*150 = 75) from rounding up to the next rank.
	rank := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}
