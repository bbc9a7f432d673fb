package django_test

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
)

// diff compares two decoded session values structurally and returns "" when
// they are the same, or where they first differ. Types must match (int64 is
// not float64: Django tells 1 from 1.0), NaN equals NaN, and -0.0 differs
// from 0.0, which is stricter than both Go's == and Python's ==.
func diff(path string, a, b any) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: %T vs %T", path, a, b)
		}
		keys := make([]string, 0, len(x)+len(y))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			xv, xok := x[k]
			yv, yok := y[k]
			if xok != yok {
				return fmt.Sprintf("%s[%q]: present %v vs %v", path, k, xok, yok)
			}
			if d := diff(fmt.Sprintf("%s[%q]", path, k), xv, yv); d != "" {
				return d
			}
		}
		return ""
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return fmt.Sprintf("%s: %T(len %d) vs %T", path, a, len(x), b)
		}
		for i := range x {
			if d := diff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i]); d != "" {
				return d
			}
		}
		return ""
	case float64:
		y, ok := b.(float64)
		if !ok {
			return fmt.Sprintf("%s: float64 %v vs %T %v", path, x, b, b)
		}
		if math.IsNaN(x) && math.IsNaN(y) {
			return ""
		}
		if x != y || math.Signbit(x) != math.Signbit(y) {
			return fmt.Sprintf("%s: %v vs %v", path, x, y)
		}
		return ""
	case json.Number:
		if y, ok := b.(json.Number); !ok || x != y {
			return fmt.Sprintf("%s: json.Number %s vs %T %v", path, x, b, b)
		}
		return ""
	case string, int64, bool, nil:
		if a != b {
			return fmt.Sprintf("%s: %T %#v vs %T %#v", path, a, a, b, b)
		}
		return ""
	}
	return fmt.Sprintf("%s: unexpected type %T", path, a)
}

func TestDiff(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	tests := []struct {
		a, b any
		same bool
	}{
		{map[string]any{"x": nan}, map[string]any{"x": nan}, true},
		{map[string]any{"x": math.Copysign(0, -1)}, map[string]any{"x": 0.0}, false},
		{map[string]any{"x": int64(1)}, map[string]any{"x": 1.0}, false},
		{map[string]any{"x": json.Number("18446744073709551616")}, map[string]any{"x": json.Number("18446744073709551616")}, true},
		{map[string]any{"x": []any{"a"}}, map[string]any{"x": []any{"a", "b"}}, false},
		{map[string]any{"x": nil}, map[string]any{}, false},
		{map[string]any{"x": "Zoë"}, map[string]any{"x": "Zoë"}, true},
	}
	for i, tt := range tests {
		if got := diff("v", tt.a, tt.b) == ""; got != tt.same {
			t.Errorf("case %d: same = %v, want %v (%s)", i, got, tt.same, diff("v", tt.a, tt.b))
		}
	}
}
