package main

import (
	"math"
	"slices"
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/sessionkit/sessionkit/benchmarks
cpu: AMD EPYC
BenchmarkSession/A/gin/bare-2         	    2000	       306.9 ns/op	      48 B/op	       1 allocs/op
BenchmarkSession/C/gin/sessionkit-cookie-2         	    2000	     19267 ns/op	        99.00 cookie-B	       187.0 setcookie-B	    2041 B/op	      19 allocs/op
BenchmarkDumps/28B/zlib-level6-2           	      20	     49388 ns/op	        40.00 out-B
BenchmarkSession/A/gin/bare-2         	    2000	       300.1 ns/op	      48 B/op	       1 allocs/op
BenchmarkSlow
BenchmarkSlow-2   10   5 ns/op
e2e: wrk -t2 -c32
BenchmarkE2E/C/gin/bare	18827	107987 ns/op	9260.4 req/s	26830.0 p99-us	0 non-2xx	0 socket-errors
PASS
`

func TestParse(t *testing.T) {
	r := newResults()
	if err := r.parse(strings.NewReader(sample)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, unit string
		want       []float64
	}{
		{"BenchmarkSession/A/gin/bare", "ns/op", []float64{306.9, 300.1}},
		{"BenchmarkSession/A/gin/bare", "allocs/op", []float64{1, 1}},
		{"BenchmarkSession/C/gin/sessionkit-cookie", "cookie-B", []float64{99}},
		{"BenchmarkDumps/28B/zlib-level6", "out-B", []float64{40}},
		{"BenchmarkSlow", "ns/op", []float64{5}},
		{"BenchmarkE2E/C/gin/bare", "req/s", []float64{9260.4}},
		{"BenchmarkE2E/C/gin/bare", "non-2xx", []float64{0}},
	}
	for _, tt := range tests {
		if got := r.get(tt.name, tt.unit); !slices.Equal(got, tt.want) {
			t.Errorf("%s %s = %v, want %v", tt.name, tt.unit, got, tt.want)
		}
	}
	if r.config["cpu"] != "AMD EPYC" || r.config["e2e"] != "wrk -t2 -c32" {
		t.Errorf("config = %v", r.config)
	}
	if r.order[0] != "BenchmarkSession/A/gin/bare" || len(r.order) != 5 {
		t.Errorf("order = %v", r.order)
	}
}

func TestParseBadValue(t *testing.T) {
	r := newResults()
	if err := r.parse(strings.NewReader("BenchmarkX-2 10 abc ns/op\n")); err == nil {
		t.Error("want an error for a non-numeric value")
	}
}

func TestTrimProcs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"BenchmarkA-2", "BenchmarkA"},
		{"BenchmarkFloor/redis-GET+SET-16", "BenchmarkFloor/redis-GET+SET"},
		{"BenchmarkE2E/C/gin/sessionkit-cookie", "BenchmarkE2E/C/gin/sessionkit-cookie"},
		{"BenchmarkA-", "BenchmarkA-"},
		{"BenchmarkA", "BenchmarkA"},
	}
	for _, tt := range tests {
		if got := trimProcs(tt.in); got != tt.want {
			t.Errorf("trimProcs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStats(t *testing.T) {
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"median odd", median([]float64{3, 1, 2}), 2},
		{"median even", median([]float64{4, 1, 2, 3}), 2.5},
		{"paired ratio", pairedRatio([]float64{2, 9, 4}, []float64{1, 3, 4}), 2},
		{"paired ratio uneven", pairedRatio([]float64{2, 9, 4}, []float64{1}), 2},
		{"paired diff", pairedDiff([]float64{5, 7, 9}, []float64{1, 1, 1}), 6},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if !math.IsNaN(median(nil)) || !math.IsNaN(pairedRatio(nil, []float64{1})) {
		t.Error("no data must give NaN")
	}
}

func TestFormat(t *testing.T) {
	tests := []struct{ got, want string }{
		{fmtTime(850), "850 ns"},
		{fmtTime(12345), "12.35 µs"},
		{fmtTime(2.5e6), "2.50 ms"},
		{fmtTime(math.NaN()), "—"},
		{fmtRatio(1.234), "1.23×"},
		{fmtRatio(250), "250×"},
		{fmtNum(3), "3"},
		{fmtNum(0.5), "0.50"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	tb := &table{head: []string{"a", "b"}}
	tb.add("x|y", "1")
	if want := "| a | b |\n| --- | --- |\n| x\\|y | 1 |\n"; tb.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", tb, want)
	}
}
