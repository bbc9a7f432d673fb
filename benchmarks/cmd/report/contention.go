package main

import (
	"fmt"
	"strings"
)

// Units of the contention driver (cmd/contention).
const (
	unitP50  = "p50-us"
	unitLost = "lost-updates"
)

// contentionWriters is the load of the contention runs, from the
// driver's header ("32 writers × 50 requests ..."), or "32".
func (rp *report) contentionWriters() string {
	if hdr, ok := rp.r.config["contention"]; ok {
		if n, _, ok := strings.Cut(hdr, " "); ok {
			return n
		}
	}
	return "32"
}

// storeLabel names a contention store for the reader.
func storeLabel(store string) string {
	if store == "gorm" {
		return "gorm (SQLite)"
	}
	return store
}

// contentionTable shows every contention run: medians over rounds, and
// the errors and lost updates summed over all rounds.
func (rp *report) contentionTable() string {
	t := &table{head: []string{"store", "library", "requests/s", "p50", "p99", "non-2xx (all rounds)", "lost updates (all rounds)"}}
	for _, name := range rp.r.order {
		rest, ok := strings.CutPrefix(name, "BenchmarkContention/")
		if !ok {
			continue
		}
		store, lib, _ := strings.Cut(rest, "/")
		reqs := slicesSum(rp.r.get(name, unitIters))
		lost := slicesSum(rp.r.get(name, unitLost))
		total := fmt.Sprintf("%s of %s", fmtNum(lost), fmtNum(reqs))
		if reqs == 0 {
			total = fmtNum(lost)
		}
		t.add(storeLabel(store), lib, fmt.Sprintf("%.0f", median(rp.r.get(name, unitRPS))),
			fmtTime(median(rp.r.get(name, unitP50))*1e3), fmtTime(median(rp.r.get(name, unitP99))*1e3),
			fmtNum(slicesSum(rp.r.get(name, unitNon2xx))), total)
	}
	return t.String()
}
