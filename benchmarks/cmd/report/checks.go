package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/sessionkit/sessionkit/benchmarks"
)

// check is one performance target of the issue.
type check struct {
	goal     string
	measured string
	// met is true, false, or unknown when the data is missing.
	met   bool
	known bool
}

func (c check) result() string {
	switch {
	case !c.known:
		return "no data"
	case c.met:
		return "met"
	}
	return "**missed**"
}

// worst collects per-target values and keeps the worst one.
type worst struct {
	parts []string
	val   float64
	has   bool
	// higherIsWorse selects whether the maximum or the minimum is worst.
	higherIsWorse bool
}

func (w *worst) add(label string, v float64, text string) {
	if math.IsNaN(v) {
		return
	}
	w.parts = append(w.parts, label+" "+text)
	if !w.has || (w.higherIsWorse && v > w.val) || (!w.higherIsWorse && v < w.val) {
		w.val, w.has = v, true
	}
}

func (w *worst) text() string {
	if !w.has {
		return "—"
	}
	return strings.Join(w.parts, "; ")
}

// checks evaluates every target of the issue.
func (rp *report) checks() []check {
	var cs []check
	cs = append(cs, rp.checkAUntouched(), rp.checkAOverheadTime(), rp.checkAOverheadAllocs())
	for _, sc := range []string{"B", "C"} {
		cs = append(cs, rp.checkFaster(sc, benchmarks.StoreCookie, 4), rp.checkCookieAllocs(sc))
	}
	for _, sc := range []string{"B", "C"} {
		cs = append(cs, rp.checkFasterPaired(sc, benchmarks.StoreMemory, 10, sc+"-memory-vs-scs"))
	}
	cs = append(cs, rp.checkRoundTrips(),
		rp.checkFloor("B", benchmarks.StoreRedis, "BenchmarkFloor/redis-GET", "B-redis-vs-GET", 1.1, "one bare go-redis GET"),
		rp.checkFloor("C", benchmarks.StoreRedis, "BenchmarkFloor/redis-GET+SET", "C-redis-vs-GET+SET", 1.05, "a bare GET plus SET of the same payload"),
		rp.checkRedisVsSCS(),
		rp.checkFloor("C", benchmarks.StoreGorm, "BenchmarkFloor/sqlite-SELECT+UPDATE", "C-gorm-vs-SELECT+UPDATE", 1.2, "a raw SELECT + UPDATE through database/sql"))
	cs = append(cs, rp.postgresChecks()...)
	for _, store := range []string{benchmarks.StoreMemory, benchmarks.StoreCookie} {
		for _, sc := range []string{"B", "C"} {
			cs = append(cs, rp.checkStoreFloor(sc, store, 1.5))
		}
	}
	cs = append(cs,
		rp.checkE2E("cookie", "gin/sessionkit-cookie", "gin/gincontrib-cookie", 2, "gin-contrib's cookie store"),
		rp.checkE2E("cookie", "gin/sessionkit-cookie", "gin/bare", 0.6, "gin bare"),
		rp.checkE2E("Redis", "gin/sessionkit-redis", "gin/gincontrib-redis", 2, "gin-contrib's Redis store"),
		rp.checkE2E("Redis", "gin/sessionkit-redis", "gin/scs-redis", 1, "scs with its go-redis store"),
		rp.checkContention(),
		rp.checkStream())
	return cs
}

// checkRedisVsSCS: sessionkit on Redis, C, faster than scs with its
// go-redis store (on net/http, the only framework scs has middleware
// for) in the same round, on every framework.
func (rp *report) checkRedisVsSCS() check {
	c := check{goal: "Redis store, C: faster than scs-redis (nethttp/scs-redis, same round) on every framework"}
	scs := rp.r.get(sessionName("C", benchmarks.Target{Framework: benchmarks.FwNetHTTP, Library: benchmarks.LibSCS, Store: benchmarks.StoreRedis}), unitNs)
	w := worst{}
	for _, t := range rp.ours(benchmarks.StoreRedis) {
		r := pairedRatio(scs, rp.r.get(sessionName("C", t), unitNs))
		w.add(t.Framework, r, fmtRatio(r))
	}
	c.known, c.met = w.has && len(scs) > 0, w.val > 1
	c.measured = fmt.Sprintf("scs-redis %s; scs time ÷ sessionkit time: ", fmtTime(median(scs))) + w.text()
	return c
}

// checkStoreFloor: sessionkit on store in sc within factor of the floor
// of BenchmarkFloorStores, per round, on every framework.
func (rp *report) checkStoreFloor(sc, store string, factor float64) check {
	floor := "BenchmarkFloorStores/" + store + "-" + sc
	what := map[string]string{"B": "decode + verify", "C": "decode + verify, encode + sign, Set-Cookie line"}[sc]
	if store == benchmarks.StoreMemory {
		// In-process records are not signed.
		what = map[string]string{"B": "load + decode", "C": "load + decode, encode + save, Set-Cookie line"}[sc]
	}
	c := check{goal: fmt.Sprintf("%s store, %s: within %g× its floor (%s)", store, sc, factor, what)}
	f := rp.r.get(floor, unitNs)
	w := worst{higherIsWorse: true}
	// The floor has no framework; beside the ratio, the one without the
	// bare framework's own time (scenario A, bare) shows what is ours.
	net := worst{higherIsWorse: true}
	for _, t := range rp.ours(store) {
		sk := rp.r.get(sessionName(sc, t), unitNs)
		r := pairedRatio(sk, f)
		w.add(t.Framework, r, fmtRatio(r))
		bare := rp.r.get(sessionName("A", benchmarks.Target{Framework: t.Framework, Library: benchmarks.LibBare}), unitNs)
		if len(bare) > 0 {
			nr := pairedRatio(minus(sk, bare), f)
			net.add(t.Framework, nr, fmtRatio(nr))
		}
	}
	c.known, c.met = w.has && len(f) > 0, w.val <= factor
	c.measured = fmt.Sprintf("floor %s; ", fmtTime(median(f))) + w.text()
	if net.has {
		c.measured += "; less the bare framework's own time: " + net.text()
	}
	return c
}

// minus returns a[i]-b[i] for the rounds both have.
func minus(a, b []float64) []float64 {
	n := min(len(a), len(b))
	out := make([]float64, n)
	for i := range n {
		out[i] = a[i] - b[i]
	}
	return out
}

// checkContention: sessionkit answers every request of the contention
// scenario 2xx and loses no update, on every store.
func (rp *report) checkContention() check {
	c := check{goal: "contention (" + rp.contentionWriters() + " writers, one session): sessionkit answers 2xx and loses no update, every store"}
	var parts []string
	c.met = true
	for _, name := range rp.r.order {
		rest, ok := strings.CutPrefix(name, "BenchmarkContention/")
		if !ok || !strings.HasSuffix(rest, "/"+benchmarks.LibSessionkit) {
			continue
		}
		c.known = true
		lost, bad := slicesSum(rp.r.get(name, unitLost)), slicesSum(rp.r.get(name, unitNon2xx))
		if lost != 0 || bad != 0 {
			c.met = false
		}
		parts = append(parts, fmt.Sprintf("%s %s lost, %s non-2xx", storeLabel(strings.TrimSuffix(rest, "/"+benchmarks.LibSessionkit)), fmtNum(lost), fmtNum(bad)))
	}
	c.measured = strings.Join(parts, "; ")
	return c
}

// checkAUntouched: no round trip and no Set-Cookie in A.
func (rp *report) checkAUntouched() check {
	c := check{goal: "A, untouched session: zero store round trips, no decode, no Set-Cookie"}
	rt, ck := 0.0, 0.0
	n := 0
	for _, t := range rp.targets {
		if t.Library != benchmarks.LibSessionkit {
			continue
		}
		if t.Redis {
			if vs := rp.r.get("BenchmarkRoundTrips/A/"+t.Name(), unitRT); len(vs) > 0 {
				rt = math.Max(rt, median(vs))
				n++
			}
		}
		if vs := rp.r.get(sessionName("A", t), "setcookies"); len(vs) > 0 {
			ck = math.Max(ck, median(vs))
		}
	}
	c.known = n > 0
	c.met = rt == 0 && ck == 0
	c.measured = fmt.Sprintf("Redis round trips per A request: %s (every framework); Set-Cookie lines: %s; "+
		"no decode: TestScenarioStoreCalls counts 0 loads/decodes in A", fmtNum(rt), fmtNum(ck))
	return c
}

// checkAOverheadTime: at most 0.5 µs over the bare framework, from the
// paired runs (sessionkit and bare alternating in one benchmark) when
// there are any.
func (rp *report) checkAOverheadTime() check {
	c := check{goal: "A: overhead over the bare framework at most 0.5 µs"}
	if pc, ok := rp.pairedCheck(c, "A-vs-bare", pairDiff, 500, "paired with bare, per framework: "); ok {
		return pc
	}
	w := worst{higherIsWorse: true}
	for _, fw := range []string{benchmarks.FwGin, benchmarks.FwEcho, benchmarks.FwChi, benchmarks.FwNetHTTP} {
		fwWorst := math.NaN()
		for _, t := range rp.targets {
			if t.Library != benchmarks.LibSessionkit || t.Framework != fw {
				continue
			}
			d := pairedDiff(rp.r.get(sessionName("A", t), unitNs), rp.r.get(sessionName("A", rp.bare(t)), unitNs))
			if math.IsNaN(fwWorst) || d > fwWorst {
				fwWorst = d
			}
		}
		w.add(fw, fwWorst, "+"+fmtTime(fwWorst))
	}
	c.known, c.met = w.has, w.val <= 500
	c.measured = "worst store per framework: " + w.text()
	return c
}

// checkAOverheadAllocs: at most 3 allocations over the bare framework.
func (rp *report) checkAOverheadAllocs() check {
	c := check{goal: "A: at most 3 allocations over the bare framework"}
	w := worst{higherIsWorse: true}
	for _, fw := range []string{benchmarks.FwGin, benchmarks.FwEcho, benchmarks.FwChi, benchmarks.FwNetHTTP} {
		fwWorst := math.NaN()
		for _, t := range rp.targets {
			if t.Library != benchmarks.LibSessionkit || t.Framework != fw {
				continue
			}
			d := median(rp.r.get(sessionName("A", t), unitAllocs)) - median(rp.r.get(sessionName("A", rp.bare(t)), unitAllocs))
			if math.IsNaN(fwWorst) || d > fwWorst {
				fwWorst = d
			}
		}
		w.add(fw, fwWorst, "+"+fmtNum(fwWorst))
	}
	c.known, c.met = w.has, w.val <= 3
	c.measured = "worst store per framework: " + w.text()
	return c
}

// checkFaster: sessionkit on store at least factor times faster than the
// fastest peer on store, on every framework.
func (rp *report) checkFaster(sc, store string, factor float64) check {
	p, ok := rp.bestPeer(sc, store)
	c := check{goal: fmt.Sprintf("%s store, %s: at least %g× faster than the fastest peer", store, sc, factor)}
	if !ok {
		return c
	}
	c.goal += " (here " + p.Name() + ")"
	w := worst{}
	for _, t := range rp.ours(store) {
		r := pairedRatio(rp.r.get(sessionName(sc, p), unitNs), rp.r.get(sessionName(sc, t), unitNs))
		w.add(t.Framework, r, fmtRatio(r))
	}
	c.known, c.met = w.has, w.val >= factor
	c.measured = w.text()
	return c
}

// checkCookieAllocs: at most a quarter of the peers' allocations.
func (rp *report) checkCookieAllocs(sc string) check {
	least := rp.fewestAllocsPeer(sc, benchmarks.StoreCookie)
	c := check{goal: fmt.Sprintf("cookie store, %s: at most a quarter of the peers' allocations (fewest: %s)", sc, fmtNum(least))}
	w := worst{higherIsWorse: true}
	for _, t := range rp.ours(benchmarks.StoreCookie) {
		a := median(rp.r.get(sessionName(sc, t), unitAllocs))
		w.add(t.Framework, a/least, fmtNum(a)+" ("+fmtRatio(a/least)+")")
	}
	c.known, c.met = w.has, w.val <= 0.25
	c.measured = w.text()
	return c
}

// checkRoundTrips: Redis round trips A 0, B 1, C 2.
func (rp *report) checkRoundTrips() check {
	c := check{goal: "Redis store: round trips per request A 0, B 1, C 2"}
	want := map[string]float64{"A": 0, "B": 1, "C": 2}
	var parts []string
	c.met = true
	for _, sc := range scenarioNames {
		got := math.NaN()
		for _, t := range rp.ours(benchmarks.StoreRedis) {
			if vs := rp.r.get("BenchmarkRoundTrips/"+sc+"/"+t.Name(), unitRT); len(vs) > 0 {
				got = math.Max(nanTo(got, 0), median(vs))
				c.known = true
			}
		}
		parts = append(parts, sc+" "+fmtNum(got))
		if got != want[sc] {
			c.met = false
		}
	}
	c.measured = "max over frameworks: " + strings.Join(parts, ", ")
	return c
}

func nanTo(v, d float64) float64 {
	if math.IsNaN(v) {
		return d
	}
	return v
}

// checkFloor: sessionkit on store in sc within factor of the floor, from
// the paired runs when there are any.
func (rp *report) checkFloor(sc, store, floor, paired string, factor float64, what string) check {
	c := check{goal: fmt.Sprintf("%s store, %s: within %g× %s", store, sc, factor, what)}
	if pc, ok := rp.pairedCheck(c, paired, pairRatio, factor, "paired with the floor, per framework: "); ok {
		return pc
	}
	f := rp.r.get(floor, unitNs)
	w := worst{higherIsWorse: true}
	for _, t := range rp.ours(store) {
		r := pairedRatio(rp.r.get(sessionName(sc, t), unitNs), f)
		w.add(t.Framework, r, fmtRatio(r))
	}
	c.known, c.met = w.has && len(f) > 0, w.val <= factor
	c.measured = fmt.Sprintf("floor %s; ", fmtTime(median(f))) + w.text()
	return c
}

// checkE2E: one gin configuration of C against another, requests per
// second, medians of per-round ratios.
func (rp *report) checkE2E(store, ours, other string, factor float64, what string) check {
	c := check{goal: fmt.Sprintf("end to end, gin + %s store, C: at least %g× the requests/s of %s", store, factor, what)}
	if factor == 1 {
		c.goal = fmt.Sprintf("end to end, gin + %s store, C: ahead of %s in requests/s", store, what)
	}
	us := rp.r.get("BenchmarkE2E/C/"+ours, unitRPS)
	them := rp.r.get("BenchmarkE2E/C/"+other, unitRPS)
	// Both the median of per-round ratios and the ratio of the medians
	// must clear the bar: wrk rounds on a shared machine swing by 2×, and
	// the two can disagree.
	r := pairedRatio(us, them)
	rm := median(us) / median(them)
	c.known = !math.IsNaN(r) && !math.IsNaN(rm)
	c.met = r >= factor && rm >= factor
	if factor == 1 {
		c.met = r > 1 && rm > 1
	}
	c.measured = fmt.Sprintf("%s per round, %s of the medians (%.0f vs %.0f req/s)", fmtRatio(r), fmtRatio(rm), median(us), median(them))
	return c
}

// checkStream: B/op does not grow with the body.
func (rp *report) checkStream() check {
	c := check{goal: "streaming 100 MB allocates O(1) in the body size through every adapter"}
	w := worst{higherIsWorse: true}
	for _, t := range rp.ours(benchmarks.StoreMemory) {
		small := median(rp.r.get("BenchmarkStream/1MB/"+t.Name(), unitBytes))
		big := median(rp.r.get("BenchmarkStream/100MB/"+t.Name(), unitBytes))
		w.add(t.Framework, big-small, fmt.Sprintf("%s → %s B/op", fmtNum(small), fmtNum(big)))
	}
	// A buffering adapter would allocate at least 99 MB more.
	c.known, c.met = w.has, w.val < 64<<10
	c.measured = "1 MB → 100 MB: " + w.text()
	return c
}

func (rp *report) checksTable() string {
	t := &table{head: []string{"target", "measured", "result"}}
	for _, c := range rp.checks() {
		t.add(c.goal, c.measured, c.result())
	}
	return t.String()
}

// How a paired benchmark is read.
const (
	pairRatio   = iota // sk / ref, at most the limit
	pairDiff           // sk - ref in ns, at most the limit
	pairSpeedup        // ref / sk, at least the limit
)

// pairedNames returns the BenchmarkPaired results of one comparison, by
// framework.
func (rp *report) pairedNames(comparison string) []string {
	var out []string
	prefix := "BenchmarkPaired/" + comparison + "/"
	for _, name := range rp.r.order {
		if strings.HasPrefix(name, prefix) {
			out = append(out, name)
		}
	}
	return out
}

// pairedValue reads one paired benchmark: the median over rounds of the
// per-round ratio, difference or speedup.
func (rp *report) pairedValue(name string, kind int) float64 {
	sk, ref := rp.r.get(name, unitSK), rp.r.get(name, unitRef)
	switch kind {
	case pairDiff:
		return pairedDiff(sk, ref)
	case pairSpeedup:
		return pairedRatio(ref, sk)
	}
	return pairedRatio(sk, ref)
}

func fmtPaired(v float64, kind int) string {
	if kind == pairDiff {
		return fmtSigned(v)
	}
	return fmtRatio(v)
}

// fmtSigned formats a time difference with its sign.
func fmtSigned(ns float64) string {
	if ns >= 0 {
		return "+" + fmtTime(ns)
	}
	return fmtTime(ns)
}

// pairedCheck fills c from the paired benchmarks of comparison; ok is
// false when there are none.
func (rp *report) pairedCheck(c check, comparison string, kind int, limit float64, label string) (check, bool) {
	names := rp.pairedNames(comparison)
	if len(names) == 0 {
		return c, false
	}
	w := worst{higherIsWorse: kind != pairSpeedup}
	for _, name := range names {
		v := rp.pairedValue(name, kind)
		w.add(name[strings.LastIndexByte(name, '/')+1:], v, fmtPaired(v, kind))
	}
	c.known = w.has
	if kind == pairSpeedup {
		c.met = w.val >= limit
	} else {
		c.met = w.val <= limit
	}
	c.measured = label + w.text()
	return c, true
}

// checkFasterPaired is checkFaster from the paired runs when there are
// any, with the unpaired per-framework ratios beside them.
func (rp *report) checkFasterPaired(sc, store string, factor float64, comparison string) check {
	c := rp.checkFaster(sc, store, factor)
	pc, ok := rp.pairedCheck(c, comparison, pairSpeedup, factor, "paired with the peer: ")
	if !ok {
		return c
	}
	pc.measured += "; unpaired, every framework against the fastest peer: " + c.measured
	return pc
}

// pairedTable lists every paired comparison.
func (rp *report) pairedTable() string {
	t := &table{head: []string{"comparison", "framework", "sessionkit", "reference", "sessionkit ÷ reference", "sessionkit − reference"}}
	for _, name := range rp.r.order {
		rest, ok := strings.CutPrefix(name, "BenchmarkPaired/")
		if !ok {
			continue
		}
		cmp, fw, _ := strings.Cut(rest, "/")
		sk, ref := rp.r.get(name, unitSK), rp.r.get(name, unitRef)
		t.add(cmp, fw, fmtTime(median(sk)), fmtTime(median(ref)),
			fmtRatio(pairedRatio(sk, ref)), fmtSigned(pairedDiff(sk, ref)))
	}
	return t.String()
}

// postgresChecks: GORM on PostgreSQL, C, against raw pgx statements
// through database/sql, when the run measured it.
func (rp *report) postgresChecks() []check {
	names := rp.pairedNames("C-gorm-pg-vs-SELECT+UPDATE")
	if len(names) == 0 {
		return nil
	}
	c := check{goal: "GORM store on PostgreSQL, C: within 1.2× the raw statements (pgx through database/sql)"}
	pc, _ := rp.pairedCheck(c, "C-gorm-pg-vs-SELECT+UPDATE", pairRatio, 1.2, "paired with the raw statements, per framework: ")
	return []check{pc}
}
