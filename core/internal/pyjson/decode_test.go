package pyjson

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func decodeOne(t *testing.T, text string) any {
	t.Helper()
	m, err := UnmarshalObject([]byte(`{"v":` + text + `}`))
	if err != nil {
		t.Fatalf("UnmarshalObject(%s): %v", text, err)
	}
	return m["v"]
}

func TestDecodeNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want any
	}{
		{"0", int64(0)},
		{"-0", int64(0)},
		{"42", int64(42)},
		{"-7", int64(-7)},
		{"999999999999999999", int64(999999999999999999)},
		{"9223372036854775807", int64(math.MaxInt64)},
		{"-9223372036854775808", int64(math.MinInt64)},
		{"9223372036854775808", json.Number("9223372036854775808")},
		{"-9223372036854775809", json.Number("-9223372036854775809")},
		{"18446744073709551616", json.Number("18446744073709551616")},
		{"1000000000000000000000000000000", json.Number("1000000000000000000000000000000")},
		{"1.0", 1.0},
		{"3.0", 3.0},
		{"-0.0", math.Copysign(0, -1)},
		{"3.14", 3.14},
		{"1e+100", 1e100},
		{"1E2", 100.0},
		{"1e2", 100.0},
		{"1.5e-07", 1.5e-07},
		{"5e-324", 5e-324},
		{"1e400", math.Inf(1)},
		{"-1e400", math.Inf(-1)},
		{"1e-400", 0.0},
		{"NaN", math.NaN()},
		{"Infinity", math.Inf(1)},
		{"-Infinity", math.Inf(-1)},
	}
	for _, tt := range tests {
		got := decodeOne(t, tt.in)
		if !equalNaN(got, tt.want) {
			t.Errorf("%s decoded to %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

// TestIntEdges pins the int64/json.Number boundary in both directions.
func TestIntEdges(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "-9223372036854775809", "18446744073709551616",
	} {
		m, err := UnmarshalObject([]byte(`{"n":` + text + `}`))
		if err != nil {
			t.Fatal(err)
		}
		out, err := AppendObject(nil, m)
		if err != nil || string(out) != `{"n":`+text+`}` {
			t.Errorf("%s re-encoded as %s, %v", text, out, err)
		}
	}
}

func TestDecodeStrings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{`""`, ""},
		{`"alice"`, "alice"},
		{`"Zo\u00eb"`, "Zoë"},
		{`"Zo\u00EB"`, "Zoë"},
		{`"\ud83d\ude00"`, "😀"},
		{`"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
		{`"a\u0000b"`, "a\x00b"},
		{`"</script>"`, "</script>"},
		{`"Zoë"`, "Zoë"}, // raw UTF-8 is taken as UTF-8
		{`"😀 raw"`, "😀 raw"},
		{"\"a\xffb\"", "a\ufffdb"},
		{"\"\xe3\x81\"", "\ufffd\ufffd"},
		{"\"\xe3\x81\\n\"", "\ufffd\ufffd\n"},
		{`"\ud800"`, "\ufffd"},              // lone high surrogate
		{`"\udc00x"`, "\ufffdx"},            // lone low surrogate
		{`"\ud800\u0041"`, "\ufffdA"},       // high surrogate then a non-surrogate escape
		{`"\ud800\ud83d\ude00"`, "\ufffd😀"}, // high surrogate then a real pair
		{`"\ud800\\"`, "\ufffd\\"},
		{`"` + strings.Repeat(`\u00e9`, 200) + `"`, strings.Repeat("é", 200)}, // beyond the stack buffer
		{"\"\x7f\"", "\x7f"},
	}
	for _, tt := range tests {
		if got := decodeOne(t, tt.in); got != tt.want {
			t.Errorf("%s decoded to %q, want %q", tt.in, got, tt.want)
		}
	}
	// Keys use the same decoder.
	m, err := UnmarshalObject([]byte(`{"\u043a\u043b\u044e\u0447":1}`))
	if err != nil || m["ключ"] != int64(1) {
		t.Errorf("escaped key: %v, %v", m, err)
	}
}

func TestDecodeStructure(t *testing.T) {
	t.Parallel()
	m, err := UnmarshalObject([]byte(" \t\r\n{ \"a\" : [ 1 , \"two\" , 3.0 , null , true , false , [ ] , { } ] , \"b\" : { \"c\" : { } } } \n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"a": []any{int64(1), "two", 3.0, nil, true, false, []any{}, map[string]any{}},
		"b": map[string]any{"c": map[string]any{}},
	}
	if !equalNaN(m, want) {
		t.Errorf("got %#v\nwant %#v", m, want)
	}
	if m, err := UnmarshalObject([]byte(`{}`)); err != nil || m == nil || len(m) != 0 {
		t.Errorf("{} decoded to %#v, %v; want an empty non-nil map", m, err)
	}
	// Duplicate keys: the last one wins, as in Python.
	m, err = UnmarshalObject([]byte(`{"a":1,"b":2,"a":3}`))
	if err != nil || len(m) != 2 || m["a"] != int64(3) {
		t.Errorf("duplicates: %#v, %v", m, err)
	}
}

func TestDecodeDepth(t *testing.T) {
	t.Parallel()
	doc := func(levels int) []byte { // levels counts the top-level object
		inner := levels - 1
		return []byte(`{"a":` + strings.Repeat("[", inner) + strings.Repeat("]", inner) + `}`)
	}
	if _, err := UnmarshalObject(doc(maxDepth)); err != nil {
		t.Errorf("depth %d: %v", maxDepth, err)
	}
	if _, err := UnmarshalObject(doc(maxDepth + 1)); !errors.Is(err, ErrTooDeep) {
		t.Errorf("depth %d: error = %v, want ErrTooDeep", maxDepth+1, err)
	}
	deepObj := []byte(strings.Repeat(`{"a":`, 100000))
	if _, err := UnmarshalObject(deepObj); !errors.Is(err, ErrTooDeep) {
		t.Errorf("100000 open objects: error = %v, want ErrTooDeep", err)
	}
}

func TestDecodeNotObject(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`[]`, `[1,2]`, `"s"`, `1`, `-1.5`, `null`, `true`, `NaN`, ` -Infinity `} {
		if m, err := UnmarshalObject([]byte(in)); !errors.Is(err, ErrNotObject) || m != nil {
			t.Errorf("UnmarshalObject(%s) = %v, %v; want ErrNotObject", in, m, err)
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		``, ` `, `{`, `}`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,`, `{"a":1,}`, `{,}`,
		`{"a" 1}`, `{"a":1 "b":2}`, `{a:1}`, `{'a':1}`, `{"a":1}}`, `{"a":1}x`, `{"a":1}{}`,
		`{"a":[1,]}`, `{"a":[,1]}`, `{"a":[1 2]}`, `{"a":[}`, `{"a":]}`, `{"a":{]}`,
		`{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":1e+}`, `{"a":+1}`,
		`{"a":0x10}`, `{"a":1.5.5}`, `{"a":--1}`, `{"a":-01}`,
		`{"a":tru}`, `{"a":nul}`, `{"a":True}`, `{"a":None}`, `{"a":nan}`, `{"a":inf}`,
		`{"a":-NaN}`, `{"a":+Infinity}`, `{"a":Infinit}`, `{"a":-Inf}`,
		`{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\u12g4"}`, `{"a":"\`, `{"a":"abc`, `{"a":"\u`,
		"{\"a\":\"tab\tinside\"}", "{\"a\":\"nl\ninside\"}", "{\"a\":\"\x00\"}", "{\"a\x01\":1}",
		"\ufeff{}", `{"a":1}` + "\x00", `{"a":'x'}`, `[`, `[1`, `"abc`,
		`{"a":[1]]`, `{"a":{"b":1}}}`, `{"a":1,"b"}`,
	} {
		m, err := UnmarshalObject([]byte(in))
		if !errors.Is(err, ErrSyntax) || m != nil {
			t.Errorf("UnmarshalObject(%q) = %v, %v; want ErrSyntax", in, m, err)
		}
	}
}

func TestSyntaxErrorOffset(t *testing.T) {
	t.Parallel()
	_, err := UnmarshalObject([]byte(`{"a":1,"b":tru}`))
	if err == nil || !strings.Contains(err.Error(), "offset 11") {
		t.Errorf("error = %v, want it to mention offset 11", err)
	}
}

// TestDecodeAllocs guards the hot path: pooled stacks, exact-size
// containers and strings sliced from one copy of the input.
func TestDecodeAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items on purpose")
	}
	data := []byte(`{"_auth_user_id":"42","user":"alice","visits":3}`)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := UnmarshalObject(data); err != nil {
			t.Fatal(err)
		}
	})
	// The input copy (all five strings point into it), the map header and
	// its group, and boxing the two string values; 3 is a small int and
	// boxes for free.
	if allocs > 5 {
		t.Errorf("UnmarshalObject allocates %v times, want <= 5", allocs)
	}
}
