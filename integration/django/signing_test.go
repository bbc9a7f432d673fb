package django_test

import (
	"strings"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/signing"
)

// Go's signing.Dumps output, compressed by Go's zlib (bytes differ from
// CPython's), is accepted by Django's signing.loads, and the other way
// round; the JSON is ASCII-only, so non-ASCII text reads back identically.
func TestSigning(t *testing.T) {
	t.Parallel()
	list := make([]any, 100)
	for i := range list {
		list[i] = int64(i)
	}
	cases := map[string]map[string]any{
		"large compressible": {"big": strings.Repeat("sessionkit ", 500), "list": list},
		"unicode":            {"name": "Zoë", "emoji": "😀", "greeting": "こんにちは", "clef": "𝄞", "ключ": "значение", "nbsp": "\u00a0\u2028\u2029"},
		"small":              {"foo": "bar"},
	}
	salts := []string{signing.CookieSalt, signing.SessionSalt, signing.DefaultSalt}
	type goValue struct {
		name, salt, json, value string
	}
	var goValues []goValue
	var ops []op
	for name, session := range cases {
		js := encodeJSON(t, session)
		for i := 0; i < len(js); i++ {
			if js[i] < 0x20 || js[i] > 0x7e {
				t.Fatalf("%s: core's JSON has byte %#x at %d: not ASCII-only: %s", name, js[i], i, js)
			}
		}
		for _, salt := range salts {
			sg, err := signing.New(signing.Options{Secret: secret, Salt: salt})
			if err != nil {
				t.Fatal(err)
			}
			v := sg.Dumps([]byte(js), true, at(T0))
			if name == "large compressible" && !strings.HasPrefix(v, ".") {
				t.Fatalf("Go did not compress %s", name)
			}
			goValues = append(goValues, goValue{name, salt, js, v})
			ops = append(ops, op{"op": "loads", "value": v, "salt": salt, "expect_json": js, "now": T0 + 60})
		}
	}
	nGo := len(ops)
	type djValue struct{ name, salt string }
	var djValues []djValue
	for name, session := range cases {
		for _, salt := range salts {
			djValues = append(djValues, djValue{name, salt})
			ops = append(ops, op{"op": "dumps", "session_json": encodeJSON(t, session), "salt": salt, "compress": true, "now": T0})
		}
	}
	res := django(t, defaults(), ops...)

	for i, g := range goValues {
		r := res[i]
		if !r.OK || r.Same == nil || !*r.Same {
			t.Errorf("Django signing.loads of Go's %s (salt %s): ok=%v same=%v; Django read %s", g.name, g.salt, r.OK, r.Same, r.SessionJSON)
		}
		if g.name == "unicode" && r.SessionJSON != g.json {
			t.Errorf("Django re-serialized Go's unicode session as %s, want %s", r.SessionJSON, g.json)
		}
	}
	for i, d := range djValues {
		v := res[nGo+i].Value
		if d.name == "large compressible" && !strings.HasPrefix(v, ".") {
			t.Errorf("Django did not compress %s: %.20s", d.name, v)
		}
		sg, err := signing.New(signing.Options{Secret: secret, Salt: d.salt})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := sg.Loads(v, time.Duration(cookieAge)*time.Second, at(T0+60))
		if err != nil {
			t.Errorf("Go rejects Django's %s (salt %s): %v", d.name, d.salt, err)
			continue
		}
		got, err := sessions.JSONCodec{}.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		if dd := diff("session", cases[d.name], got); dd != "" {
			t.Errorf("Django's %s read by Go differs: %s", d.name, dd)
		}
	}
}
