package main

import (
	"strings"
	"testing"

	"github.com/sessionkit/sessionkit/benchmarks"
)

const pairedSample = `BenchmarkPaired/B-redis-vs-GET/gin-2	100	1 ns/op	100 ref-ns/op	105 sk-ns/op
BenchmarkPaired/B-redis-vs-GET/echo-2	100	1 ns/op	100 ref-ns/op	130 sk-ns/op
BenchmarkPaired/B-redis-vs-GET/gin-2	100	1 ns/op	200 ref-ns/op	200 sk-ns/op
BenchmarkPaired/B-redis-vs-GET/echo-2	100	1 ns/op	200 ref-ns/op	210 sk-ns/op
BenchmarkPaired/A-vs-bare/gin-2	100	1 ns/op	300 ref-ns/op	700 sk-ns/op
BenchmarkPaired/B-memory-vs-scs/nethttp-2	100	1 ns/op	50000 ref-ns/op	4000 sk-ns/op
`

func TestPairedChecks(t *testing.T) {
	r := newResults()
	if err := r.parse(strings.NewReader(pairedSample)); err != nil {
		t.Fatal(err)
	}
	rp := &report{r: r, targets: benchmarks.Targets()}
	tests := []struct {
		name       string
		cmp        string
		kind       int
		limit      float64
		wantMet    bool
		wantInText string
	}{
		// gin: ratios 1.05 and 1.00 (median 1.025); echo: 1.30, 1.05 (1.175).
		{"ratio over the limit", "B-redis-vs-GET", pairRatio, 1.1, false, "echo 1.18×"},
		{"ratio within", "B-redis-vs-GET", pairRatio, 1.2, true, "gin 1.02×"},
		{"difference", "A-vs-bare", pairDiff, 500, true, "gin +400 ns"},
		{"speedup", "B-memory-vs-scs", pairSpeedup, 10, true, "nethttp 12.50×"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := rp.pairedCheck(check{}, tt.cmp, tt.kind, tt.limit, "")
			if !ok || !c.known {
				t.Fatalf("no paired data for %s", tt.cmp)
			}
			if c.met != tt.wantMet || !strings.Contains(c.measured, tt.wantInText) {
				t.Errorf("met %v, measured %q; want met %v and %q", c.met, c.measured, tt.wantMet, tt.wantInText)
			}
		})
	}
	if _, ok := rp.pairedCheck(check{}, "C-gorm-vs-SELECT+UPDATE", pairRatio, 1.2, ""); ok {
		t.Error("a comparison without data must report ok=false")
	}
}
