package main

import (
	"math"
	"slices"
)

// median returns the median of vs, or NaN for none.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// pairedRatio returns the median over rounds of a[i]/b[i]; with no
// common round it is NaN.
func pairedRatio(a, b []float64) float64 {
	n := min(len(a), len(b))
	rs := make([]float64, 0, n)
	for i := range n {
		if b[i] != 0 {
			rs = append(rs, a[i]/b[i])
		}
	}
	return median(rs)
}

// pairedDiff returns the median over rounds of a[i]-b[i].
func pairedDiff(a, b []float64) float64 {
	n := min(len(a), len(b))
	ds := make([]float64, 0, n)
	for i := range n {
		ds = append(ds, a[i]-b[i])
	}
	return median(ds)
}
