package pyjson

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestAppendString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"ascii", "alice", `"alice"`},
		{"empty", "", `""`},
		{"latin1", "Zoë", `"Zo\u00eb"`},
		{"cjk", "こんにちは", `"\u3053\u3093\u306b\u3061\u306f"`},
		{"emoji", "😀", `"\ud83d\ude00"`},
		{"max rune", "\U0010FFFF", `"\udbff\udfff"`},
		{"nul", "a\x00b", `"a\u0000b"`},
		{"del", "\x7f", `"\u007f"`},
		{"c1", "\u0080", `"\u0080"`},
		{"short escapes", "\"\\\n\r\t\b\f", `"\"\\\n\r\t\b\f"`},
		{"other controls", "\x01\x1f\x0b", `"\u0001\u001f\u000b"`},
		{"html not escaped", "</script>&'", `"</script>&'"`},
		{"slash", "a/b", `"a/b"`},
		{"line separators", "\u2028\u2029", `"\u2028\u2029"`},
		{"bom", "\ufeff", `"\ufeff"`},
		{"invalid byte", "a\xffb", `"a\ufffdb"`},
		{"truncated rune", "\xe3\x81", `"\ufffd\ufffd"`},
		{"encoded surrogate", "\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`},
		{"real fffd", "\ufffd", `"\ufffd"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := string(appendString(nil, tt.in)); got != tt.want {
				t.Errorf("appendString(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestStringGolden compares with CPython's json.dumps on random strings mixing
// ASCII, controls, BMP and astral characters.
func TestStringGolden(t *testing.T) {
	t.Parallel()
	for _, row := range loadGolden(t).Strings {
		s, err := hex.DecodeString(row[0])
		if err != nil {
			t.Fatal(err)
		}
		if got := string(appendString(nil, string(s))); got != row[1] {
			t.Errorf("%q: got %s, Python %s", s, got, row[1])
		}
	}
}

type point struct {
	X    int     `json:"x"`
	Name string  `json:"name"`
	F    float64 `json:"f"`
}

type marshaler struct{}

func (marshaler) MarshalJSON() ([]byte, error) { return []byte(`{"b":"é","a":1.50}`), nil }

type failing struct{}

var errBoom = errors.New("boom")

func (failing) MarshalJSON() ([]byte, error) { return nil, errBoom }

func TestAppendValue(t *testing.T) {
	t.Parallel()
	str := "p"
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, "null"},
		{"true", true, "true"},
		{"false", false, "false"},
		{"int", 42, "42"},
		{"int8", int8(-8), "-8"},
		{"int16", int16(-16), "-16"},
		{"int32", int32(-32), "-32"},
		{"int64 min", int64(math.MinInt64), "-9223372036854775808"},
		{"int64 max", int64(math.MaxInt64), "9223372036854775807"},
		{"uint", uint(7), "7"},
		{"uint8", uint8(255), "255"},
		{"uint16", uint16(65535), "65535"},
		{"uint32", uint32(1 << 31), "2147483648"},
		{"uint64 max", uint64(math.MaxUint64), "18446744073709551615"},
		{"uintptr", uintptr(9), "9"},
		{"float64 whole", 3.0, "3.0"},
		{"float64", 19.99, "19.99"},
		{"nan", math.NaN(), "NaN"},
		{"json.Number big", json.Number("18446744073709551616"), "18446744073709551616"},
		{"json.Number float", json.Number("-1.5e3"), "-1.5e3"},
		{"json.Number empty", json.Number(""), "0"},
		{"raw", json.RawMessage(` {"z": "ü", "a": [1.50, 1e2]} `), `{"a":[1.5,100.0],"z":"\u00fc"}`},
		{"raw nil", json.RawMessage(nil), "null"},
		{"[]any", []any{1, "two", 3.0, nil, true, []any{}, map[string]any{}}, `[1,"two",3.0,null,true,[],{}]`},
		{"[]any nil", []any(nil), "null"},
		{"[]string", []string{"a", "é"}, `["a","\u00e9"]`},
		{"[]string nil", []string(nil), "null"},
		{"[]int", []int{1, -2}, "[1,-2]"},
		{"[]int64", []int64{math.MaxInt64}, "[9223372036854775807]"},
		{"[]float64", []float64{1, 0.5, math.Inf(1)}, "[1.0,0.5,Infinity]"},
		{"[]bool", []bool{true, false}, "[true,false]"},
		{"map[string]any", map[string]any{"b": 1, "a": map[string]any{"d": nil, "c": "x"}}, `{"a":{"c":"x","d":null},"b":1}`},
		{"map[string]any nil", map[string]any(nil), "null"},
		{"map[string]string", map[string]string{"y": "ß", "x": ""}, `{"x":"","y":"\u00df"}`},
		{"map[string]int", map[string]int{"b": 2, "a": 1}, `{"a":1,"b":2}`},
		{"map[string]int64", map[string]int64{"k": -1}, `{"k":-1}`},
		{"map[string]string nil", map[string]string(nil), "null"},
		// Fallback through encoding/json, normalised to Python's form.
		{"struct", point{X: 1, Name: "Zoë <b>", F: 0.5}, `{"f":0.5,"name":"Zo\u00eb <b>","x":1}`},
		{"pointer", &str, `"p"`},
		{"nil pointer", (*point)(nil), "null"},
		{"marshaler", marshaler{}, `{"a":1.5,"b":"\u00e9"}`},
		{"time", time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC), `"2023-11-14T22:13:20Z"`},
		{"[]byte", []byte("hi"), `"aGk="`},
		{"map[string]float64", map[string]float64{"pi": 3.25}, `{"pi":3.25}`},
		{"named string", myString("x"), `"x"`},
		{"sorted many keys", manyKeys(20), manyKeysJSON(20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := AppendValue([]byte("prefix:"), tt.in)
			if err != nil {
				t.Fatalf("AppendValue(%#v): %v", tt.in, err)
			}
			if string(got) != "prefix:"+tt.want {
				t.Errorf("AppendValue(%#v)\n got %s\nwant prefix:%s", tt.in, got, tt.want)
			}
		})
	}
}

func manyKeys(n int) map[string]any {
	m := make(map[string]any, n)
	for i := range n {
		m[string(rune('a'+i))] = i
	}
	return m
}

func manyKeysJSON(n int) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + string(rune('a'+i)) + `":`)
		b.Write(mustAppend(nil, i))
	}
	b.WriteByte('}')
	return b.String()
}

func mustAppend(dst []byte, v any) []byte {
	out, err := AppendValue(dst, v)
	if err != nil {
		panic(err)
	}
	return out
}

func TestAppendObject(t *testing.T) {
	t.Parallel()
	got, err := AppendObject(nil, map[string]any{"visits": 3, "user": "alice", "_auth_user_id": "42"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"_auth_user_id":"42","user":"alice","visits":3}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got, _ := AppendObject(nil, nil); string(got) != "{}" {
		t.Errorf("nil map: got %s, want {}", got)
	}
	if got, _ := Marshal(map[string]any{"k": "ü"}); string(got) != `{"k":"\u00fc"}` {
		t.Errorf("Marshal: got %s", got)
	}
}

func TestAppendErrors(t *testing.T) {
	t.Parallel()
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	cyclicSlice := []any{nil}
	cyclicSlice[0] = cyclicSlice

	tests := []struct {
		name string
		in   any
		want error
	}{
		{"chan", make(chan int), ErrUnsupportedType},
		{"func", func() {}, ErrUnsupportedType},
		{"complex", complex(1, 2), ErrUnsupportedType},
		{"nested chan", map[string]any{"a": []any{make(chan int)}}, ErrUnsupportedType},
		{"map of chan", map[string]chan int{"a": nil}, ErrUnsupportedType},
		{"struct NaN", point{F: math.NaN()}, ErrUnsupportedType},
		{"bad number", json.Number("1.2.3"), ErrSyntax},
		{"number NaN", json.Number("NaN"), ErrSyntax},
		{"bad raw", json.RawMessage(`{"a":}`), ErrSyntax},
		{"marshaler error", failing{}, errBoom},
		{"cyclic map", cyclic, ErrTooDeep},
		{"cyclic slice", cyclicSlice, ErrTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dst := []byte("keep")
			got, err := AppendValue(dst, tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("AppendValue(%T) error = %v, want %v", tt.in, err, tt.want)
			}
			if string(got) != "keep" {
				t.Errorf("dst after error = %q, want it unchanged", got)
			}
		})
	}
	if _, err := AppendObject(nil, cyclic); !errors.Is(err, ErrTooDeep) {
		t.Errorf("AppendObject(cyclic) error = %v, want ErrTooDeep", err)
	}
}

func TestEncodeDepth(t *testing.T) {
	t.Parallel()
	nest := func(n int) any { // n nested arrays
		var v any = "x"
		for range n {
			v = []any{v}
		}
		return v
	}
	if _, err := AppendValue(nil, nest(maxDepth)); err != nil {
		t.Errorf("depth %d: %v", maxDepth, err)
	}
	if _, err := AppendValue(nil, nest(maxDepth+1)); !errors.Is(err, ErrTooDeep) {
		t.Errorf("depth %d: error = %v, want ErrTooDeep", maxDepth+1, err)
	}
}

// TestEncodeASCII checks the one property Django cannot do without.
func TestEncodeASCII(t *testing.T) {
	t.Parallel()
	m := map[string]any{"ключ": "значение\x00\xff😀", "é": []any{"ü", map[string]any{"€": 1}}}
	b, err := AppendObject(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			t.Fatalf("byte %d of %s is %#x", i, b, c)
		}
	}
	if !utf8.Valid(b) || !json.Valid(b) {
		t.Errorf("output is not valid JSON: %s", b)
	}
}

func TestAppendObjectAllocs(t *testing.T) {
	session := map[string]any{
		"_auth_user_id":      "42",
		"_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
		"_auth_user_hash":    "3c7f0a3a1a0a48f4b63fba9c2d3f1b5e6a7d8c9b0e1f2a3b4c5d6e7f8a9b0c1d",
		"visits":             3,
		"ratio":              0.25,
		"admin":              false,
		"note":               nil,
		"name":               "Zoë",
		"_session_expiry":    int64(1209600),
	}
	check := func(name string, m map[string]any) {
		buf := make([]byte, 0, 4096)
		allocs := testing.AllocsPerRun(100, func() {
			var err error
			if buf, err = AppendObject(buf[:0], m); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: AppendObject allocates %v times per call, want 0", name, allocs)
		}
	}
	check("session", session)
	if !raceEnabled { // the race detector makes sync.Pool drop items on purpose
		big := manyKeys(40)
		for k, v := range session {
			big[k] = v
		}
		check("49 keys", big)
	}
}

type myString string
