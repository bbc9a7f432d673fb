package main

import (
	"strings"
	"testing"
)

// Two rounds of the data the new targets read.
const newTargetsSample = `BenchmarkSession/C/gin/sessionkit-redis-2	100	100000 ns/op
BenchmarkSession/C/echo/sessionkit-redis-2	100	130000 ns/op
BenchmarkSession/C/nethttp/scs-redis-2	100	120000 ns/op
BenchmarkSession/B/gin/sessionkit-memory-2	100	2000 ns/op
BenchmarkFloorStores/memory-B-2	100	1500 ns/op
BenchmarkE2E/C/gin/sessionkit-redis	100	1 ns/op	9000 req/s
BenchmarkE2E/C/gin/gincontrib-redis	100	1 ns/op	4000 req/s
BenchmarkE2E/C/gin/scs-redis	100	1 ns/op	9500 req/s
BenchmarkContention/memory/sessionkit	1600	1 ns/op	1000 req/s	0 non-2xx	0 lost-updates
BenchmarkContention/redis/sessionkit	1600	1 ns/op	1000 req/s	0 non-2xx	2 lost-updates
BenchmarkContention/redis/scs	1600	1 ns/op	1000 req/s	0 non-2xx	900 lost-updates
BenchmarkSession/C/gin/sessionkit-redis-2	100	110000 ns/op
BenchmarkSession/C/echo/sessionkit-redis-2	100	125000 ns/op
BenchmarkSession/C/nethttp/scs-redis-2	100	130000 ns/op
BenchmarkSession/B/gin/sessionkit-memory-2	100	2100 ns/op
BenchmarkFloorStores/memory-B-2	100	1500 ns/op
BenchmarkE2E/C/gin/sessionkit-redis	100	1 ns/op	9200 req/s
BenchmarkE2E/C/gin/gincontrib-redis	100	1 ns/op	4400 req/s
BenchmarkE2E/C/gin/scs-redis	100	1 ns/op	9000 req/s
BenchmarkContention/memory/sessionkit	1600	1 ns/op	1000 req/s	0 non-2xx	0 lost-updates
BenchmarkContention/redis/sessionkit	1600	1 ns/op	1000 req/s	0 non-2xx	0 lost-updates
BenchmarkContention/redis/scs	1600	1 ns/op	1000 req/s	0 non-2xx	800 lost-updates
BenchmarkFeatures/C/memory/plain-2	100	5000 ns/op	10 allocs/op
BenchmarkFeatures/C/memory/events-2	100	5200 ns/op	12 allocs/op
BenchmarkFeatures/C/memory/plain-2	100	5000 ns/op	10 allocs/op
BenchmarkFeatures/C/memory/events-2	100	5400 ns/op	12 allocs/op
`

func TestNewTargetChecks(t *testing.T) {
	r := newResults()
	if err := r.parse(strings.NewReader(newTargetsSample)); err != nil {
		t.Fatal(err)
	}
	rp := newTestReport(r)
	tests := []struct {
		name    string
		c       check
		wantMet bool
		inText  string
	}{
		// scs/sk per round: gin 1.2, 1.18 → 1.19; echo 0.92, 1.04 → 0.98: not faster.
		{"redis vs scs", rp.checkRedisVsSCS(), false, "echo 0.98×"},
		// 2000/1500 and 2100/1500: 1.37×.
		{"memory B floor", rp.checkStoreFloor("B", "memory", 1.5), true, "gin 1.37×"},
		{"memory B floor, tighter", rp.checkStoreFloor("B", "memory", 1.3), false, "gin 1.37×"},
		// 9000/4000, 9200/4400: 2.25, 2.09 → 2.17.
		{"e2e redis vs gin-contrib", rp.checkE2E("Redis", "gin/sessionkit-redis", "gin/gincontrib-redis", 2, "x"), true, "2.17×"},
		// 9000/9500, 9200/9000: 0.947, 1.022 → 0.98.
		{"e2e redis vs scs", rp.checkE2E("Redis", "gin/sessionkit-redis", "gin/scs-redis", 1, "x"), false, "0.98×"},
		{"contention", rp.checkContention(), false, "redis 2 lost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.c.known || tt.c.met != tt.wantMet || !strings.Contains(tt.c.measured, tt.inText) {
				t.Errorf("known %v met %v measured %q; want met %v and %q", tt.c.known, tt.c.met, tt.c.measured, tt.wantMet, tt.inText)
			}
		})
	}
	if c := rp.checkStoreFloor("C", "cookie", 1.5); c.known {
		t.Errorf("a check without data is known: %+v", c)
	}
}

func TestFeaturesAndContentionTables(t *testing.T) {
	r := newResults()
	if err := r.parse(strings.NewReader(newTargetsSample)); err != nil {
		t.Fatal(err)
	}
	rp := newTestReport(r)
	ft := rp.featuresTable()
	// events: +200 and +400 ns over plain → +300 ns, 1.06×, 2 more allocs.
	if !strings.Contains(ft, "| memory | OnEvent, a no-op subscriber | — | — | 5.30 µs (+300 ns, 1.06×), +2 allocs |") {
		t.Errorf("features table:\n%s", ft)
	}
	ct := rp.contentionTable()
	if !strings.Contains(ct, "| redis | scs | 1000 |") || !strings.Contains(ct, "1700 of 3200") {
		t.Errorf("contention table:\n%s", ct)
	}
}

// TestE2ECheckNeedsBothMedians: wrk rounds that swing make the median of
// per-round ratios (1.09× here) and the ratio of the medians (1.00×)
// disagree; "ahead" needs both.
func TestE2ECheckNeedsBothMedians(t *testing.T) {
	const sample = `BenchmarkE2E/C/gin/sessionkit-redis	100	1 ns/op	12000 req/s
BenchmarkE2E/C/gin/scs-redis	100	1 ns/op	6000 req/s
BenchmarkE2E/C/gin/sessionkit-redis	100	1 ns/op	6000 req/s
BenchmarkE2E/C/gin/scs-redis	100	1 ns/op	5500 req/s
BenchmarkE2E/C/gin/sessionkit-redis	100	1 ns/op	6000 req/s
BenchmarkE2E/C/gin/scs-redis	100	1 ns/op	10000 req/s
`
	r := newResults()
	if err := r.parse(strings.NewReader(sample)); err != nil {
		t.Fatal(err)
	}
	c := newTestReport(r).checkE2E("Redis", "gin/sessionkit-redis", "gin/scs-redis", 1, "scs")
	if !c.known || c.met {
		t.Errorf("known %v, met %v; want a known miss: %s", c.known, c.met, c.measured)
	}
	if !strings.Contains(c.measured, "1.09× per round") || !strings.Contains(c.measured, "1.00× of the medians") {
		t.Errorf("measured = %q", c.measured)
	}
}

// TestRoundTripTableUserRow: BenchmarkRoundTrips' session tied to a user
// gets its own row.
func TestRoundTripTableUserRow(t *testing.T) {
	const sample = `BenchmarkRoundTrips/A/gin/sessionkit-redis-user-2	100	1 ns/op	0 roundtrips/op
BenchmarkRoundTrips/B/gin/sessionkit-redis-user-2	100	1 ns/op	1.000 roundtrips/op
BenchmarkRoundTrips/C/gin/sessionkit-redis-user-2	100	1 ns/op	2.000 roundtrips/op	1.000 srv-evalsha/op
`
	r := newResults()
	if err := r.parse(strings.NewReader(sample)); err != nil {
		t.Fatal(err)
	}
	got := newTestReport(r).roundTripTable()
	if !strings.Contains(got, "| gin/sessionkit-redis, session tied to a user (SetUser) | 0 | 1 | 2 | evalsha 1 |") {
		t.Errorf("no user row in:\n%s", got)
	}
}
