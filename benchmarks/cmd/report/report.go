package main

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/sessionkit/sessionkit/benchmarks"
)

// Units of the go test output.
const (
	unitNs     = "ns/op"
	unitAllocs = "allocs/op"
	unitBytes  = "B/op"
	unitCookie = "cookie-B"
	unitSetCk  = "setcookie-B"
	unitRT     = "roundtrips/op"
	unitCmds   = "cmds/op"
	unitRPS    = "req/s"
	unitP99    = "p99-us"
	unitNon2xx = "non-2xx"
	unitSockEr = "socket-errors"
	unitOut    = "out-B"
	unitCPU    = "cpu-ns/op"
	unitSK     = "sk-ns/op"
	unitRef    = "ref-ns/op"
)

var scenarioNames = []string{"A", "B", "C"}

// report computes the tables and checks from the results.
type report struct {
	r       *results
	targets []benchmarks.Target
	// chartDir is where the charts are, relative to RESULTS.md.
	chartDir string
}

func sessionName(sc string, t benchmarks.Target) string {
	return "BenchmarkSession/" + sc + "/" + t.Name()
}

func (rp *report) target(name string) (benchmarks.Target, bool) {
	i := slices.IndexFunc(rp.targets, func(t benchmarks.Target) bool { return t.Name() == name })
	if i < 0 {
		return benchmarks.Target{}, false
	}
	return rp.targets[i], true
}

// bare returns the bare target of t's framework.
func (rp *report) bare(t benchmarks.Target) benchmarks.Target {
	b, _ := rp.target(t.Framework + "/" + benchmarks.LibBare)
	return b
}

// ours returns sessionkit's targets on store.
func (rp *report) ours(store string) []benchmarks.Target {
	var ts []benchmarks.Target
	for _, t := range rp.targets {
		if t.Library == benchmarks.LibSessionkit && t.Store == store {
			ts = append(ts, t)
		}
	}
	return ts
}

// peers returns the peer targets sessionkit on store is compared with.
func (rp *report) peers(store string) []benchmarks.Target {
	var ts []benchmarks.Target
	for _, t := range rp.targets {
		if t.IsBare() || t.Library == benchmarks.LibSessionkit {
			continue
		}
		if t.Store == store {
			ts = append(ts, t)
		}
	}
	return ts
}

// bestPeer returns the fastest peer on store in scenario sc (median time).
func (rp *report) bestPeer(sc, store string) (benchmarks.Target, bool) {
	best, found, bestNs := benchmarks.Target{}, false, math.Inf(1)
	for _, p := range rp.peers(store) {
		if ns := median(rp.r.get(sessionName(sc, p), unitNs)); ns < bestNs {
			best, found, bestNs = p, true, ns
		}
	}
	return best, found
}

// fewestAllocsPeer returns the smallest allocs/op of the peers on store.
func (rp *report) fewestAllocsPeer(sc, store string) float64 {
	least := math.NaN()
	for _, p := range rp.peers(store) {
		a := median(rp.r.get(sessionName(sc, p), unitAllocs))
		if math.IsNaN(least) || a < least {
			least = a
		}
	}
	return least
}

// scenarioTable is one scenario's table: every target beside its bare
// framework and the best peer of its store.
func (rp *report) scenarioTable(sc string) string {
	t := &table{head: []string{"target", "time/op", "CPU/op", "× bare", "best peer ÷ this", "allocs/op", "B/op"}}
	if sc == "C" {
		t.head = append(t.head, "cookie bytes")
	}
	for _, tg := range rp.targets {
		name := sessionName(sc, tg)
		if !rp.r.has(name, unitNs) {
			continue
		}
		ns := rp.r.get(name, unitNs)
		xBare := "—"
		if !tg.IsBare() {
			xBare = fmtRatio(pairedRatio(ns, rp.r.get(sessionName(sc, rp.bare(tg)), unitNs)))
		}
		vsPeer := "—"
		if tg.Library == benchmarks.LibSessionkit {
			if p, ok := rp.bestPeer(sc, tg.Store); ok {
				vsPeer = fmtRatio(pairedRatio(rp.r.get(sessionName(sc, p), unitNs), ns)) + " (" + p.Name() + ")"
			}
		}
		row := []string{tg.Name(), fmtTime(median(ns)), fmtTime(median(rp.r.get(name, unitCPU))), xBare, vsPeer,
			fmtNum(median(rp.r.get(name, unitAllocs))), fmtNum(median(rp.r.get(name, unitBytes)))}
		if sc == "C" {
			row = append(row, fmtNum(median(rp.r.get(name, unitCookie))))
		}
		t.add(row...)
	}
	return t.String()
}

// roundTripTable shows, per Redis target, what each scenario sends.
func (rp *report) roundTripTable() string {
	t := &table{head: []string{"target", "A", "B", "C", "commands the server ran in C (per request)"}}
	for _, tg := range rp.targets {
		if !tg.Redis {
			continue
		}
		row := []string{tg.Name()}
		for _, sc := range scenarioNames {
			name := "BenchmarkRoundTrips/" + sc + "/" + tg.Name()
			row = append(row, fmtNum(median(rp.r.get(name, unitRT))))
		}
		row = append(row, rp.serverCommands("BenchmarkRoundTrips/C/"+tg.Name()))
		t.add(row...)
	}
	// The session tied to a user (BenchmarkRoundTrips' extra target).
	const user = benchmarks.RoundTripsUserName
	if rp.r.has("BenchmarkRoundTrips/C/"+user, unitRT) {
		row := []string{"gin/sessionkit-redis, session tied to a user (SetUser)"}
		for _, sc := range scenarioNames {
			row = append(row, fmtNum(median(rp.r.get("BenchmarkRoundTrips/"+sc+"/"+user, unitRT))))
		}
		t.add(append(row, rp.serverCommands("BenchmarkRoundTrips/C/"+user))...)
	}
	return t.String()
}

// serverCommands lists the srv-<command>/op metrics of name.
func (rp *report) serverCommands(name string) string {
	var parts []string
	for unit, vs := range rp.r.values[name] {
		if cmd, ok := strings.CutPrefix(unit, "srv-"); ok {
			parts = append(parts, strings.TrimSuffix(cmd, "/op")+" "+fmtNum(median(vs)))
		}
	}
	slices.Sort(parts)
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}

// cookieTable compares the cookies each target sets for the same data.
func (rp *report) cookieTable() string {
	t := &table{head: []string{"target", "cookie name=value bytes", "whole Set-Cookie line bytes"}}
	for _, tg := range rp.targets {
		name := sessionName("C", tg)
		if tg.IsBare() || !rp.r.has(name, unitCookie) {
			continue
		}
		t.add(tg.Name(), fmtNum(median(rp.r.get(name, unitCookie))), fmtNum(median(rp.r.get(name, unitSetCk))))
	}
	return t.String()
}

// listTable shows every benchmark under prefix with time, allocs, bytes
// and any extra unit.
func (rp *report) listTable(prefix string, extra ...string) string {
	t := &table{head: append([]string{"benchmark", "time/op", "CPU/op", "allocs/op", "B/op"}, extra...)}
	for _, name := range rp.r.order {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		row := []string{rest, fmtTime(median(rp.r.get(name, unitNs))), fmtTime(median(rp.r.get(name, unitCPU))),
			fmtNum(median(rp.r.get(name, unitAllocs))), fmtNum(median(rp.r.get(name, unitBytes)))}
		for _, u := range extra {
			row = append(row, fmtNum(median(rp.r.get(name, u))))
		}
		t.add(row...)
	}
	return t.String()
}

// e2eTable shows the wrk runs beside gin bare.
func (rp *report) e2eTable() string {
	t := &table{head: []string{"target (scenario C)", "requests/s", "× gin bare", "p99", "non-2xx", "socket errors (all rounds)"}}
	bare := rp.r.get("BenchmarkE2E/C/gin/bare", unitRPS)
	for _, name := range rp.r.order {
		rest, ok := strings.CutPrefix(name, "BenchmarkE2E/C/")
		if !ok {
			continue
		}
		rps := rp.r.get(name, unitRPS)
		t.add(rest, fmt.Sprintf("%.0f", median(rps)), fmtRatio(pairedRatio(rps, bare)),
			fmtTime(median(rp.r.get(name, unitP99))*1e3), fmtNum(slicesSum(rp.r.get(name, unitNon2xx))),
			fmtNum(slicesSum(rp.r.get(name, unitSockEr))))
	}
	return t.String()
}

func slicesSum(vs []float64) float64 {
	s := 0.0
	for _, v := range vs {
		s += v
	}
	return s
}

// streamTable shows B/op per body size for each adapter.
func (rp *report) streamTable() string {
	t := &table{head: []string{"adapter (sessionkit, memory store)", "B/op at 1 MB", "B/op at 100 MB", "growth", "allocs/op at 100 MB"}}
	for _, tg := range rp.ours(benchmarks.StoreMemory) {
		small := rp.r.get("BenchmarkStream/1MB/"+tg.Name(), unitBytes)
		big := "BenchmarkStream/100MB/" + tg.Name()
		if len(small) == 0 {
			continue
		}
		t.add(tg.Framework, fmtNum(median(small)), fmtNum(median(rp.r.get(big, unitBytes))),
			fmtNum(median(rp.r.get(big, unitBytes))-median(small)), fmtNum(median(rp.r.get(big, unitAllocs))))
	}
	return t.String()
}
