package django_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/signing"
	cookiestore "github.com/sessionkit/sessionkit/stores/cookie"
)

// roundTripSeed makes the random sessions reproducible; change it to
// explore, the failures name the session's index.
const roundTripSeed = 20231114

// gen makes random session dicts of the types JSONCodec decodes to
// (string, int64, json.Number, float64, bool, nil, []any, map[string]any),
// biased toward the values that break naive implementations.
type gen struct {
	r   *rand.Rand
	big bool // allow 10 KB strings
}

func newGen(seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, 1)), big: true}
}

// Edge values the generator favours.
func edgeInts() []int64 {
	return []int64{0, 1, -1, math.MaxInt64, math.MinInt64, 1<<53 - 1, 1 << 53, 1<<53 + 1, -(1<<53 + 1), 1<<31 - 1, -1 << 31}
}

// edgeBigInts are integers outside int64: they travel as json.Number,
// digit for digit.
func edgeBigInts() []json.Number {
	return []json.Number{"18446744073709551616", "-18446744073709551617", "9223372036854775808", "123456789012345678901234567890"}
}

func edgeFloats() []float64 {
	return []float64{0.1, 1e100, 1.5e-07, math.Copysign(0, -1), 0, 1, -1.5, 5e-324, math.MaxFloat64, -math.MaxFloat64,
		1e16, 1e15 + 0.5, 1e21, 1e22, 9007199254740992, 0.30000000000000004, 123456.789, 2.5e-308, 1e-7,
		math.NaN(), math.Inf(1), math.Inf(-1)}
}

// runePools are the ranges string runes are drawn from.
func runePools() [][2]rune {
	return [][2]rune{
		{0x20, 0x7e},       // printable ASCII, including " \ / < > &
		{0x00, 0x1f},       // control characters
		{0x7f, 0xff},       // DEL and Latin-1
		{0x400, 0x4ff},     // Cyrillic
		{0x3040, 0x30ff},   // kana
		{0x2028, 0x2029},   // JS line separators
		{0xe000, 0xfffd},   // private use up to U+FFFD
		{0x1f600, 0x1f64f}, // emoji (astral: surrogate pairs in JSON)
		{0x10000, 0x10ffff},
	}
}

func (g *gen) str(n int) string {
	var b strings.Builder
	for range n {
		pools := runePools()
		p := pools[g.r.IntN(len(pools))]
		r := p[0] + rune(g.r.IntN(int(p[1]-p[0]+1)))
		if r >= 0xd800 && r <= 0xdfff {
			r = 'x' // Go strings cannot hold surrogates; see TestRoundTripLimits
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (g *gen) value(depth int) any {
	switch k := g.r.IntN(12); {
	case k == 0 && depth > 0:
		return g.dict(depth - 1)
	case k == 1 && depth > 0:
		l := make([]any, g.r.IntN(5))
		for i := range l {
			l[i] = g.value(depth - 1)
		}
		return l
	case k == 2:
		e := edgeInts()
		return e[g.r.IntN(len(e))]
	case k == 3:
		return int64(g.r.Uint64())
	case k == 4:
		e := edgeBigInts()
		return e[g.r.IntN(len(e))]
	case k == 5:
		e := edgeFloats()
		return e[g.r.IntN(len(e))]
	case k == 6:
		f := math.Float64frombits(g.r.Uint64())
		if math.IsNaN(f) {
			f = math.NaN() // one NaN: payloads are not part of JSON
		}
		return f
	case k == 7:
		return g.r.IntN(2) == 0
	case k == 8:
		return nil
	case k == 9 && g.big && g.r.IntN(4) == 0:
		return g.str(10 << 10)
	}
	return g.str(g.r.IntN(20))
}

func (g *gen) dict(depth int) map[string]any {
	m := make(map[string]any)
	for range 1 + g.r.IntN(6) {
		m[g.str(g.r.IntN(8))] = g.value(depth)
	}
	return m
}

// coverage lists the interesting kinds of value that dicts lack.
func coverage(dicts []map[string]any) []string {
	seen := make(map[string]bool)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			seen["nested dict"] = true
			for k, e := range x {
				if strings.ContainsFunc(k, func(r rune) bool { return r > 0xffff }) {
					seen["astral key"] = true
				}
				walk(e)
			}
		case []any:
			seen["list"] = true
			for _, e := range x {
				walk(e)
			}
		case json.Number:
			seen["integer beyond int64"] = true
		case int64:
			if x == math.MaxInt64 || x == math.MinInt64 {
				seen["int64 limit"] = true
			}
			if x == 1<<53+1 {
				seen["2**53+1"] = true
			}
		case float64:
			switch {
			case math.IsNaN(x):
				seen["NaN"] = true
			case math.IsInf(x, 0):
				seen["Infinity"] = true
			case x == 0 && math.Signbit(x):
				seen["-0.0"] = true
			case x == 0.1:
				seen["0.1"] = true
			}
		case string:
			if len(x) >= 10<<10 {
				seen["10 KB string"] = true
			}
			if strings.ContainsFunc(x, func(r rune) bool { return r > 0xffff }) {
				seen["astral string"] = true
			}
			if strings.ContainsFunc(x, func(r rune) bool { return r < 0x20 }) {
				seen["control character"] = true
			}
		}
	}
	for _, d := range dicts {
		for k, v := range d {
			if strings.ContainsFunc(k, func(r rune) bool { return r > 0xffff }) {
				seen["astral key"] = true
			}
			walk(v)
		}
	}
	var missing []string
	for _, k := range []string{"nested dict", "list", "astral key", "integer beyond int64", "int64 limit", "2**53+1",
		"NaN", "Infinity", "-0.0", "0.1", "10 KB string", "astral string", "control character"} {
		if !seen[k] {
			missing = append(missing, k)
		}
	}
	return missing
}

// Random session dicts go Go -> Django -> Go and Django -> Go -> Django
// unchanged, compared structurally (types, -0.0, NaN, big integers), as
// session_data (db backend format, no size limit: 10 KB values) and as
// signed cookies (the ones that fit in a cookie).
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	g := newGen(roundTripSeed)
	m := dbManager(t, sessions.Config{})
	cs, err := cookiestore.New(cookiestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sg, err := signing.New(signing.Options{Secret: secret, Salt: signing.CookieSalt})
	if err != nil {
		t.Fatal(err)
	}
	codec := sessions.JSONCodec{}

	var dbDicts, ckDicts []map[string]any
	for range 80 {
		dbDicts = append(dbDicts, g.dict(3))
	}
	g.big = false
	for len(ckDicts) < 60 {
		v := g.dict(2)
		if b, _ := codec.Append(nil, v); len(b) < 2000 {
			ckDicts = append(ckDicts, v)
		}
	}

	if missing := coverage(append(dbDicts, ckDicts...)); len(missing) > 0 {
		t.Fatalf("the generator never produced %v; change roundTripSeed or the generator", missing)
	}

	// Round 1: Go's values to Django, which re-saves them; Django's own
	// values of the same dicts.
	var ops []op
	for _, v := range dbDicts {
		data, err := m.Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops,
			op{"op": "db_reencode", "value": string(data)},
			op{"op": "db_encode", "session_json": encodeJSON(t, v)})
	}
	for _, v := range ckDicts {
		value, err := cs.Encode(sg, []byte(encodeJSON(t, v)), at(T0))
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops,
			op{"op": "cookie_reencode", "value": value, "now": T0 + 60},
			op{"op": "cookie_save", "session_json": encodeJSON(t, v), "now": T0})
	}
	res := django(t, defaults(), ops...)

	decodeCookie := func(value string) (map[string]any, error) {
		raw, err := cs.Decode(sg, value, sessions.DefaultCookieAge, at(T0+60))
		if err != nil {
			return nil, err
		}
		return codec.Decode(raw)
	}
	// Round 2: Go decodes Django's values, compares, re-encodes them for
	// Django to compare with the original.
	var ops2 []op
	for i, v := range dbDicts {
		back, djOwn := res[2*i], res[2*i+1]
		if !back.OK {
			t.Errorf("db %d: Django rejected Go's session_data", i)
		}
		got, err := m.Decode([]byte(back.Value))
		if err != nil {
			t.Fatalf("db %d: Go rejects Django's re-save: %v", i, err)
		}
		if dd := diff("session", v, got); dd != "" {
			t.Errorf("db %d: Go -> Django -> Go changed the session: %s", i, dd)
		}
		fromDjango, err := m.Decode([]byte(djOwn.Value))
		if err != nil {
			t.Fatalf("db %d: Go rejects Django's session_data: %v", i, err)
		}
		if dd := diff("session", v, fromDjango); dd != "" {
			t.Errorf("db %d: Django -> Go changed the session: %s", i, dd)
		}
		reenc, err := m.Encode(fromDjango)
		if err != nil {
			t.Fatal(err)
		}
		ops2 = append(ops2, op{"op": "db_decode", "value": string(reenc), "expect_json": encodeJSON(t, v)})
	}
	off := 2 * len(dbDicts)
	for i, v := range ckDicts {
		back, djOwn := res[off+2*i], res[off+2*i+1]
		if !back.OK {
			t.Errorf("cookie %d: Django rejected Go's cookie", i)
		}
		got, err := decodeCookie(back.Value)
		if err != nil {
			t.Fatalf("cookie %d: Go rejects Django's re-save: %v", i, err)
		}
		if dd := diff("session", v, got); dd != "" {
			t.Errorf("cookie %d: Go -> Django -> Go changed the session: %s", i, dd)
		}
		fromDjango, err := decodeCookie(djOwn.Value)
		if err != nil {
			t.Fatalf("cookie %d: Go rejects Django's cookie: %v", i, err)
		}
		if dd := diff("session", v, fromDjango); dd != "" {
			t.Errorf("cookie %d: Django -> Go changed the session: %s", i, dd)
		}
		js, err := codec.Append(nil, fromDjango)
		if err != nil {
			t.Fatal(err)
		}
		value, err := cs.Encode(sg, js, at(T0))
		if err != nil {
			t.Fatalf("cookie %d: %v", i, err)
		}
		ops2 = append(ops2, op{"op": "cookie_load", "value": value, "expect_json": encodeJSON(t, v), "now": T0 + 60})
	}
	for i, r := range django(t, defaults(), ops2...) {
		if !r.OK || r.Same == nil || !*r.Same {
			t.Errorf("case %d: Django -> Go -> Django changed the session: ok=%v, Django read %.300s", i, r.OK, r.SessionJSON)
		}
	}
}

// The values that cannot survive, or survive only in a weaker sense; each
// assertion documents Go's behaviour.
func TestRoundTripLimits(t *testing.T) {
	t.Parallel()
	m := dbManager(t, sessions.Config{})
	res := django(t, defaults(),
		// A lone surrogate: Python strings hold it, Go strings cannot.
		op{"op": "db_encode", "session_json": `{"s":"\ud800x"}`},
		// Key order: Django keeps insertion order, Go writes keys sorted.
		op{"op": "db_encode", "session_json": `{"b":1,"a":2}`},
		// NaN, -0.0 and 1.0 (a float, not an int).
		op{"op": "db_encode", "session_json": `{"nan":NaN,"negzero":-0.0,"one":1.0,"inf":-Infinity}`},
	)
	back := make([]string, len(res))
	for i, r := range res {
		v, err := m.Decode([]byte(r.Value))
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		switch i {
		case 0:
			if v["s"] != "\ufffdx" {
				t.Errorf("lone surrogate: Go read %q, want U+FFFD in its place", v["s"])
			}
		case 2:
			nan, _ := v["nan"].(float64)
			negzero, _ := v["negzero"].(float64)
			one, isFloat := v["one"].(float64)
			if !math.IsNaN(nan) || !math.Signbit(negzero) || !isFloat || one != 1 || v["inf"] != math.Inf(-1) {
				t.Errorf("special floats: Go read %#v", v)
			}
		}
		data, err := m.Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		back[i] = string(data)
	}
	res = django(t, defaults(),
		op{"op": "db_decode", "value": back[0], "expect_json": `{"s":"\ud800x"}`},
		op{"op": "db_decode", "value": back[1], "expect_json": `{"b":1,"a":2}`},
		op{"op": "db_decode", "value": back[2], "expect_json": `{"nan":NaN,"negzero":-0.0,"one":1.0,"inf":-Infinity}`},
	)
	if r := res[0]; *r.Same || r.SessionJSON != `{"s":"\ufffdx"}` {
		t.Errorf("lone surrogate came back to Django as %s (same=%v), want U+FFFD", r.SessionJSON, *r.Same)
	}
	if r := res[1]; !*r.Same || r.SessionJSON != `{"a":2,"b":1}` {
		t.Errorf("key order: Django read back %s (same=%v), want the same dict with sorted keys", r.SessionJSON, *r.Same)
	}
	// strict_equal takes NaN as equal to itself; Python's == would not.
	if r := res[2]; !*r.Same || !strings.Contains(r.SessionJSON, "NaN") || !strings.Contains(r.SessionJSON, "-0.0") {
		t.Errorf("special floats came back as %s (same=%v)", r.SessionJSON, *r.Same)
	}
}
