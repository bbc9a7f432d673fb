package pyjson

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"
)

func TestAppendFloat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   float64
		want string
	}{
		{1.0, "1.0"},
		{0.1, "0.1"},
		{3.14, "3.14"},
		{19.99, "19.99"},
		{100.0, "100.0"},
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{-2.5, "-2.5"},
		{1e100, "1e+100"},
		{1.5e-07, "1.5e-07"},
		{1e16, "1e+16"},
		{1e15, "1000000000000000.0"},
		{1234567890123456.0, "1234567890123456.0"},
		{9999999999999998.0, "9999999999999998.0"},
		{123456789012345678.0, "1.2345678901234568e+17"},
		{1e-4, "0.0001"},
		{1.234e-4, "0.0001234"},
		{1e-5, "1e-05"},
		{-1.234e-5, "-1.234e-05"},
		{5e-324, "5e-324"},
		{2.2250738585072014e-308, "2.2250738585072014e-308"},
		{1.7976931348623157e308, "1.7976931348623157e+308"},
		{1e21, "1e+21"},
		{1.0 / 3, "0.3333333333333333"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
	}
	for _, tt := range tests {
		if got := string(appendFloat(nil, tt.in, 64)); got != tt.want {
			t.Errorf("appendFloat(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestAppendFloat32(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   float32
		want string
	}{
		{0.1, "0.1"}, // shortest for float32, not 0.10000000149011612
		{1, "1.0"},
		{16777216, "16777216.0"},
		{1e20, "1e+20"},
		{float32(math.Inf(-1)), "-Infinity"},
	}
	for _, tt := range tests {
		got, err := AppendValue(nil, tt.in)
		if err != nil || string(got) != tt.want {
			t.Errorf("AppendValue(float32(%v)) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

// TestFloatGolden checks floats against CPython's repr and json.dumps,
// recorded by testdata/gen_golden.py (random bit patterns, short decimals,
// integral values near the fixed/exponent switch, subnormals).
func TestFloatGolden(t *testing.T) {
	t.Parallel()
	g := loadGolden(t)
	for _, row := range g.Floats {
		bits, err := strconv.ParseUint(row[0], 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		f := math.Float64frombits(bits)
		if got := string(appendFloat(nil, f, 64)); got != row[2] {
			t.Errorf("%s: got %s, Python json.dumps %s (repr %s)", row[0], got, row[2], row[1])
		}
		// Decoding Python's text gives the same bits back.
		m, err := UnmarshalObject([]byte(`{"f":` + row[2] + `}`))
		if err != nil {
			t.Errorf("%s: decode: %v", row[2], err)
			continue
		}
		if back, ok := m["f"].(float64); !ok || math.Float64bits(back) != bits {
			t.Errorf("%s: decoded %#v, want bits %s", row[2], m["f"], row[0])
		}
	}
	if len(g.Floats) < 1000 {
		t.Fatalf("only %d golden floats", len(g.Floats))
	}
}

type golden struct {
	Floats    [][3]string `json:"floats"`    // bits (hex), repr, json.dumps
	Strings   [][2]string `json:"strings"`   // UTF-8 (hex), json.dumps
	Documents []string    `json:"documents"` // json.dumps(sort_keys=True)
}

func loadGolden(t *testing.T) *golden {
	t.Helper()
	b, err := os.ReadFile("testdata/python_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}
