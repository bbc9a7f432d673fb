package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/sessionkit/sessionkit/benchmarks"
)

// featureName is the BenchmarkFeatures result of feature on store in sc.
func featureName(sc, store, feature string) string {
	return "BenchmarkFeatures/" + sc + "/" + store + "/" + feature
}

// featureStores lists the stores of BenchmarkFeatures in the results, in
// the order they ran.
func (rp *report) featureStores() []string {
	var stores []string
	seen := map[string]bool{}
	for _, name := range rp.r.order {
		rest, ok := strings.CutPrefix(name, "BenchmarkFeatures/")
		if !ok {
			continue
		}
		parts := strings.Split(rest, "/")
		if len(parts) == 3 && !seen[parts[1]] {
			seen[parts[1]] = true
			stores = append(stores, parts[1])
		}
	}
	return stores
}

// featureCell is one feature in one scenario: its time and allocations,
// and what it adds to the plain configuration of the same round.
func (rp *report) featureCell(sc, store, feature string) string {
	name := featureName(sc, store, feature)
	ns := rp.r.get(name, unitNs)
	if len(ns) == 0 {
		return "—"
	}
	allocs := median(rp.r.get(name, unitAllocs))
	if feature == benchmarks.FeaturePlain {
		return fmt.Sprintf("%s, %s allocs", fmtTime(median(ns)), fmtNum(allocs))
	}
	plain := featureName(sc, store, benchmarks.FeaturePlain)
	d := pairedDiff(ns, rp.r.get(plain, unitNs))
	r := pairedRatio(ns, rp.r.get(plain, unitNs))
	da := allocs - median(rp.r.get(plain, unitAllocs))
	return fmt.Sprintf("%s (%s, %s), %s allocs", fmtTime(median(ns)), fmtSigned(d), fmtRatio(r), fmtSignedNum(da))
}

func fmtSignedNum(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	if v >= 0 {
		return "+" + fmtNum(v)
	}
	return fmtNum(v)
}

// featureLabels say what each feature row turns on.
var featureLabels = map[string]string{
	benchmarks.FeaturePlain:    "plain (the README's configuration)",
	benchmarks.FeatureTimeouts: "idle + absolute timeouts, key renewal",
	benchmarks.FeatureEvents:   "OnEvent, a no-op subscriber",
	benchmarks.FeatureHashKeys: "HashKeys",
	benchmarks.FeatureUser:     "session tied to a user (SetUser)",
	benchmarks.FeatureAll:      "all of the above",
	benchmarks.FeatureWait:     "Redis WAIT for 1 replica",
}

// featuresTable shows every feature beside the plain configuration.
func (rp *report) featuresTable() string {
	t := &table{head: []string{"store", "configuration", "A", "B", "C", "per-user index"}}
	for _, store := range rp.featureStores() {
		for _, f := range append(benchmarks.Features(), benchmarks.FeatureWait) {
			if !rp.r.has(featureName("C", store, f), unitNs) {
				continue
			}
			idx := "—"
			if vs := rp.r.get(featureName("C", store, f), "user-index"); len(vs) > 0 {
				idx = "no (store keeps none)"
				if median(vs) == 1 {
					idx = "yes, session listed"
				}
			}
			row := []string{storeLabel(store), featureLabels[f]}
			for _, sc := range scenarioNames {
				row = append(row, rp.featureCell(sc, store, f))
			}
			t.add(append(row, idx)...)
		}
	}
	return t.String()
}
