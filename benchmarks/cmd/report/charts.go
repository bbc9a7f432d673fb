package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sessionkit/sessionkit/benchmarks"
)

// chartFile is one chart and the file it is written to.
type chartFile struct {
	name  string // file name inside the charts directory
	alt   string
	chart chart
}

// storeOrder groups the bars of a scenario chart: baselines, then each
// kind of store with sessionkit before its peers.
var storeOrder = []string{"", benchmarks.StoreMemory, benchmarks.StoreCookie, benchmarks.StoreCookieEnc,
	benchmarks.StoreRedis, benchmarks.StoreGorm}

func barKind(t benchmarks.Target) string {
	switch {
	case t.IsBare():
		return kindBase
	case t.Library == benchmarks.LibSessionkit:
		return kindOurs
	}
	return kindPeer
}

// scenarioChart is the time per request of every target in sc.
func (rp *report) scenarioChart(sc string) chart {
	c := chart{
		title:  "Scenario " + sc + ": time per request (median over rounds)",
		note:   "Shorter is faster. In-process ServeHTTP with a discarding writer; " + scenarioNote[sc] + ".",
		log:    true,
		format: fmtTime,
	}
	for _, st := range storeOrder {
		for _, lib := range []bool{true, false} {
			for _, t := range rp.targets {
				if t.Store != st || (t.Library == benchmarks.LibSessionkit) != lib {
					continue
				}
				if vs := rp.r.get(sessionName(sc, t), unitNs); len(vs) > 0 {
					c.bars = append(c.bars, bar{label: t.Name(), value: median(vs), kind: barKind(t)})
				}
			}
		}
	}
	return c
}

var scenarioNote = map[string]string{
	"A": "the handler never touches the session",
	"B": "the handler reads one key",
	"C": "the handler increments a counter, the session is saved",
}

// e2eChart is the wrk throughput of every end-to-end target.
func (rp *report) e2eChart() chart {
	c := chart{
		title:  "End to end, gin, scenario C: requests per second under wrk",
		note:   "Longer is faster. wrk -c32 on the same two cores as the server; median over rounds.",
		format: fmtRPS,
	}
	for _, name := range rp.r.order {
		rest, ok := strings.CutPrefix(name, "BenchmarkE2E/C/")
		if !ok {
			continue
		}
		kind := kindPeer
		if t, ok := benchmarks.LookupE2E(rest); ok {
			kind = barKind(t)
		}
		c.bars = append(c.bars, bar{label: rest, value: median(rp.r.get(name, unitRPS)), kind: kind})
	}
	return c
}

// contentionChart is the throughput of the contention scenario.
func (rp *report) contentionChart() chart {
	c := chart{
		title:  fmt.Sprintf("Contention: %s writers on one session, requests per second", rp.contentionWriters()),
		note:   "Longer is faster. Every request increments one counter of the same session; see the table for lost updates.",
		format: fmtRPS,
	}
	for _, name := range rp.r.order {
		rest, ok := strings.CutPrefix(name, "BenchmarkContention/")
		if !ok {
			continue
		}
		kind := kindPeer
		if strings.Contains(rest, benchmarks.LibSessionkit) {
			kind = kindOurs
		}
		c.bars = append(c.bars, bar{label: rest, value: median(rp.r.get(name, unitRPS)), kind: kind})
	}
	return c
}

// charts lists every chart with data.
func (rp *report) charts() []chartFile {
	var cs []chartFile
	for _, sc := range scenarioNames {
		cs = append(cs, chartFile{name: "scenario-" + sc + ".svg", alt: "Scenario " + sc + ", time per request",
			chart: rp.scenarioChart(sc)})
	}
	cs = append(cs,
		chartFile{name: "e2e.svg", alt: "wrk requests per second", chart: rp.e2eChart()},
		chartFile{name: "contention.svg", alt: "contention requests per second", chart: rp.contentionChart()})
	out := cs[:0]
	for _, c := range cs {
		if len(c.chart.bars) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// chartLink is the Markdown image of the chart called name, or "" when
// it has no data.
func (rp *report) chartLink(name string) string {
	for _, c := range rp.charts() {
		if c.name == name {
			return fmt.Sprintf("![%s](%s)\n\n", c.alt, filepath.ToSlash(filepath.Join(rp.chartDir, c.name)))
		}
	}
	return ""
}

// writeCharts writes every chart into dir.
func (rp *report) writeCharts(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var errs []error
	for _, c := range rp.charts() {
		errs = append(errs, os.WriteFile(filepath.Join(dir, c.name), []byte(c.chart.svg()), 0o644))
	}
	return errors.Join(errs...)
}
