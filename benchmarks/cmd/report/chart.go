package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// bar is one horizontal bar of a chart.
type bar struct {
	label string
	value float64
	// kind picks the colour: sessionkit, a peer, or a baseline.
	kind string
}

// Bar kinds.
const (
	kindOurs = "sessionkit"
	kindPeer = "peer"
	kindBase = "baseline"
)

// chart is a horizontal bar chart drawn as a standalone SVG.
type chart struct {
	title string
	// note is a line under the title (what is measured, which way is
	// better).
	note string
	bars []bar
	// log selects a log10 axis; otherwise the axis is linear from zero.
	log bool
	// format labels ticks and bar values.
	format func(float64) string
}

// Geometry, in SVG user units (pixels at 100%).
const (
	chartWidth  = 820
	labelWidth  = 270
	valueWidth  = 90
	rowHeight   = 20
	barHeight   = 14
	headHeight  = 52
	axisHeight  = 28
	chartMargin = 12
)

// The colours are fixed on an explicit white background, so the chart
// reads the same in GitHub's light and dark themes.
var kindColour = map[string]string{
	kindOurs: "#1f6feb",
	kindPeer: "#d9822b",
	kindBase: "#8c959f",
}

// axis maps values to x offsets within the plot area and lists its ticks.
type axis struct {
	lo, hi float64
	log    bool
}

func (c *chart) axis() axis {
	lo, hi := math.Inf(1), 0.0
	for _, b := range c.bars {
		if !usable(b.value, c.log) {
			continue
		}
		lo, hi = math.Min(lo, b.value), math.Max(hi, b.value)
	}
	if hi == 0 {
		return axis{lo: 1, hi: 10, log: c.log}
	}
	if !c.log {
		return axis{lo: 0, hi: niceCeil(hi)}
	}
	// Whole decades, with the smallest bar still visibly long.
	l := math.Pow(10, math.Floor(math.Log10(lo)))
	if l == lo {
		l /= 10
	}
	return axis{lo: l, hi: math.Pow(10, math.Ceil(math.Log10(hi))), log: true}
}

// usable reports whether v can be drawn on the axis.
func usable(v float64, log bool) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	return v > 0 || (!log && v == 0)
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// frac is where v falls on the axis, 0 to 1.
func (a axis) frac(v float64) float64 {
	var f float64
	if a.log {
		f = (math.Log10(v) - math.Log10(a.lo)) / (math.Log10(a.hi) - math.Log10(a.lo))
	} else {
		f = (v - a.lo) / (a.hi - a.lo)
	}
	return math.Max(0, math.Min(1, f))
}

// ticks are the decades of a log axis, or five steps of a linear one.
func (a axis) ticks() []float64 {
	var ts []float64
	if a.log {
		for v := a.lo; v <= a.hi*1.0001; v *= 10 {
			ts = append(ts, v)
		}
		return ts
	}
	step := a.hi / 5
	for i := range 6 {
		ts = append(ts, float64(i)*step)
	}
	return ts
}

// svg renders the chart.
func (c *chart) svg() string {
	ax := c.axis()
	plotX := float64(chartMargin + labelWidth)
	plotW := float64(chartWidth - 2*chartMargin - labelWidth - valueWidth)
	height := headHeight + len(c.bars)*rowHeight + axisHeight + 20
	plotTop := float64(headHeight)
	plotBottom := plotTop + float64(len(c.bars)*rowHeight)

	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif" font-size="12">`+"\n",
		chartWidth, height, chartWidth, height)
	p(`<title>%s</title>`+"\n", esc(c.title))
	p(`<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", chartWidth, height)
	p(`<text x="%d" y="20" font-size="15" font-weight="600" fill="#1f2328">%s</text>`+"\n", chartMargin, esc(c.title))
	p(`<text x="%d" y="38" fill="#59636e">%s</text>`+"\n", chartMargin, esc(c.note))

	// Grid lines and tick labels first, so the bars are drawn over them.
	for _, t := range ax.ticks() {
		x := plotX + ax.frac(t)*plotW
		p(`<line class="tick" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#d1d9e0" stroke-width="1"/>`+"\n",
			x, plotTop-4, x, plotBottom)
		p(`<text class="tick-label" x="%.1f" y="%.1f" text-anchor="middle" fill="#59636e">%s</text>`+"\n",
			x, plotBottom+16, esc(tickLabel(c.format(t))))
	}
	for i, br := range c.bars {
		y := plotTop + float64(i*rowHeight)
		mid := y + rowHeight/2 + 4
		p(`<text x="%.1f" y="%.1f" text-anchor="end" fill="#1f2328">%s</text>`+"\n", plotX-8, mid, esc(br.label))
		if !usable(br.value, c.log) {
			p(`<text x="%.1f" y="%.1f" fill="#59636e">no data</text>`+"\n", plotX+4, mid)
			continue
		}
		w := ax.frac(br.value) * plotW
		p(`<rect class="bar" data-value="%g" x="%.1f" y="%.1f" width="%.2f" height="%d" fill="%s"><title>%s: %s</title></rect>`+"\n",
			br.value, plotX, y+(rowHeight-barHeight)/2, w, barHeight, kindColour[br.kind], esc(br.label), esc(c.format(br.value)))
		p(`<text x="%.1f" y="%.1f" fill="#1f2328">%s</text>`+"\n", plotX+w+6, mid, esc(c.format(br.value)))
	}
	// Legend.
	lx := float64(chartMargin)
	ly := plotBottom + axisHeight + 8
	for _, k := range []string{kindOurs, kindPeer, kindBase} {
		p(`<rect x="%.1f" y="%.1f" width="10" height="10" fill="%s"/>`+"\n", lx, ly-9, kindColour[k])
		p(`<text x="%.1f" y="%.1f" fill="#1f2328">%s</text>`+"\n", lx+14, ly, k)
		lx += 110
	}
	if c.log {
		p(`<text x="%d" y="%.1f" text-anchor="end" fill="#59636e">log scale</text>`+"\n", chartWidth-chartMargin, ly)
	}
	p("</svg>\n")
	return b.String()
}

// tickLabel drops the zero decimals of a round tick value ("1.00 µs").
func tickLabel(s string) string {
	for _, z := range []string{".00", ".0"} {
		if i := strings.Index(s, z); i >= 0 && (i+len(z) == len(s) || s[i+len(z)] < '0' || s[i+len(z)] > '9') {
			return s[:i] + s[i+len(z):]
		}
	}
	return s
}

// esc escapes text for SVG (XML) content and attributes.
func esc(s string) string { return html.EscapeString(s) }

// fmtRPS formats requests per second for a chart.
func fmtRPS(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.1fk", v/1000)
	}
	return fmt.Sprintf("%.0f", v)
}
