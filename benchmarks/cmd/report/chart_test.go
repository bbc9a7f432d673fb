package main

import (
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/sessionkit/sessionkit/benchmarks"
)

// svgDoc is the part of a chart's SVG the tests read.
type svgDoc struct {
	XMLName xml.Name  `xml:"svg"`
	Rects   []svgRect `xml:"rect"`
	Texts   []svgText `xml:"text"`
	Lines   []svgLine `xml:"line"`
	Title   string    `xml:"title"`
}

type svgRect struct {
	Class string  `xml:"class,attr"`
	Value string  `xml:"data-value,attr"`
	X     float64 `xml:"x,attr"`
	Width float64 `xml:"width,attr"`
	Fill  string  `xml:"fill,attr"`
	Title string  `xml:"title"`
}

type svgText struct {
	Class string `xml:"class,attr"`
	Text  string `xml:",chardata"`
}

type svgLine struct {
	Class string  `xml:"class,attr"`
	X1    float64 `xml:"x1,attr"`
}

func parseSVG(t *testing.T, s string) svgDoc {
	t.Helper()
	var d svgDoc
	if err := xml.Unmarshal([]byte(s), &d); err != nil {
		t.Fatalf("not well-formed XML: %v\n%s", err, s)
	}
	return d
}

func (d svgDoc) bars() []svgRect {
	var out []svgRect
	for _, r := range d.Rects {
		if r.Class == "bar" {
			out = append(out, r)
		}
	}
	return out
}

func (d svgDoc) tickLabels() []string {
	var out []string
	for _, tx := range d.Texts {
		if tx.Class == "tick-label" {
			out = append(out, tx.Text)
		}
	}
	return out
}

// TestChartBarsMonotone: on both scales, a larger value draws a longer
// bar, and equal values equal bars.
func TestChartBarsMonotone(t *testing.T) {
	values := []float64{37, 346, 5530, 5530, 7070, 63630, 434490, 905610}
	for _, log := range []bool{true, false} {
		t.Run(map[bool]string{true: "log", false: "linear"}[log], func(t *testing.T) {
			c := chart{title: "t", log: log, format: fmtTime}
			for i, v := range values {
				c.bars = append(c.bars, bar{label: "b" + strconv.Itoa(i), value: v, kind: kindOurs})
			}
			bars := parseSVG(t, c.svg()).bars()
			if len(bars) != len(values) {
				t.Fatalf("%d bars, want %d", len(bars), len(values))
			}
			for i := 1; i < len(bars); i++ {
				switch {
				case values[i] > values[i-1] && !(bars[i].Width > bars[i-1].Width):
					t.Errorf("value %g > %g but width %g <= %g", values[i], values[i-1], bars[i].Width, bars[i-1].Width)
				case values[i] == values[i-1] && bars[i].Width != bars[i-1].Width:
					t.Errorf("equal values %g, widths %g and %g", values[i], bars[i-1].Width, bars[i].Width)
				}
			}
			if bars[0].Width <= 0 {
				t.Errorf("smallest bar has width %g; it must stay visible", bars[0].Width)
			}
			plotW := float64(chartWidth - 2*chartMargin - labelWidth - valueWidth)
			if last := bars[len(bars)-1].Width; last > plotW+0.01 {
				t.Errorf("largest bar %g wider than the plot %g", last, plotW)
			}
		})
	}
}

// TestChartLogTicks: a log axis has one tick per decade, covering every
// value, labelled with round units, evenly spaced.
func TestChartLogTicks(t *testing.T) {
	c := chart{title: "t", log: true, format: fmtTime, bars: []bar{
		{label: "a", value: 450, kind: kindBase}, {label: "b", value: 5300, kind: kindOurs}, {label: "c", value: 180000, kind: kindPeer},
	}}
	ax := c.axis()
	if ax.lo != 100 || ax.hi != 1e6 {
		t.Errorf("axis %g..%g, want 100..1e6", ax.lo, ax.hi)
	}
	d := parseSVG(t, c.svg())
	want := []string{"100 ns", "1 µs", "10 µs", "100 µs", "1 ms"}
	if got := d.tickLabels(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("tick labels %q, want %q", got, want)
	}
	var xs []float64
	for _, l := range d.Lines {
		if l.Class == "tick" {
			xs = append(xs, l.X1)
		}
	}
	if len(xs) != len(want) {
		t.Fatalf("%d tick lines, want %d", len(xs), len(want))
	}
	for i := 2; i < len(xs); i++ {
		if gap, first := xs[i]-xs[i-1], xs[1]-xs[0]; math.Abs(gap-first) > 0.2 {
			t.Errorf("decade %d is %g wide, the first %g: not a log scale", i, gap, first)
		}
	}
	// A value exactly on a decade lies on its tick.
	c.bars = append(c.bars, bar{label: "d", value: 1e4, kind: kindOurs})
	d = parseSVG(t, c.svg())
	bars := d.bars()
	if x := bars[len(bars)-1].X + bars[len(bars)-1].Width; math.Abs(x-xs[2]) > 0.2 {
		t.Errorf("10 µs bar ends at %g, the 10 µs tick is at %g", x, xs[2])
	}
}

// TestChartEscapes: labels and titles with markup characters stay text.
func TestChartEscapes(t *testing.T) {
	label := `a<b>&"c'</svg>`
	c := chart{title: "x & <y>", note: "n < m", format: fmtRPS, bars: []bar{{label: label, value: 1200, kind: kindPeer}}}
	d := parseSVG(t, c.svg())
	if d.Title != "x & <y>" {
		t.Errorf("title %q", d.Title)
	}
	found := false
	for _, tx := range d.Texts {
		found = found || tx.Text == label
	}
	if !found {
		t.Errorf("label %q not found as text in %q", label, d.Texts)
	}
	if b := d.bars(); len(b) != 1 || b[0].Title != label+": 1.2k" {
		t.Errorf("bar tooltip %+v", b)
	}
}

// TestChartBackgroundAndMissing: the chart paints its own background (so
// it reads on dark themes), and a bar without data is a label, not a bar.
func TestChartBackgroundAndMissing(t *testing.T) {
	c := chart{title: "t", log: true, format: fmtTime, bars: []bar{
		{label: "a", value: 100, kind: kindOurs}, {label: "none", value: math.NaN(), kind: kindPeer}, {label: "zero", value: 0, kind: kindPeer},
	}}
	d := parseSVG(t, c.svg())
	if len(d.Rects) == 0 || d.Rects[0].Fill != "#ffffff" || d.Rects[0].Width != chartWidth {
		t.Errorf("first rect %+v, want a full-width white background", d.Rects[0])
	}
	if n := len(d.bars()); n != 1 {
		t.Errorf("%d bars, want 1 (NaN and zero have no bar on a log axis)", n)
	}
}

// TestScenarioChart draws the chart of parsed results: every target with
// data gets a bar, sessionkit coloured as such, grouped by store.
func TestScenarioChart(t *testing.T) {
	r := newResults()
	in := `BenchmarkSession/C/gin/bare-2	100	300 ns/op
BenchmarkSession/C/gin/gincontrib-cookie-2	100	70000 ns/op
BenchmarkSession/C/gin/sessionkit-cookie-2	100	7000 ns/op
BenchmarkSession/C/gin/sessionkit-memory-2	100	5000 ns/op
`
	if err := r.parse(strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	rp := newTestReport(r)
	c := rp.scenarioChart("C")
	var got []string
	for _, b := range c.bars {
		got = append(got, b.label+":"+b.kind)
	}
	want := "gin/bare:baseline,gin/sessionkit-memory:sessionkit,gin/sessionkit-cookie:sessionkit,gin/gincontrib-cookie:peer"
	if strings.Join(got, ",") != want {
		t.Errorf("bars %s\nwant %s", strings.Join(got, ","), want)
	}
	if link := rp.chartLink("scenario-C.svg"); link != "![Scenario C, time per request](charts/scenario-C.svg)\n\n" {
		t.Errorf("link %q", link)
	}
	if link := rp.chartLink("scenario-A.svg"); link != "" {
		t.Errorf("a chart without data is linked: %q", link)
	}
}

func newTestReport(r *results) *report {
	return &report{r: r, targets: benchmarks.Targets(), chartDir: "charts"}
}
