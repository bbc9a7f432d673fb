package pyjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
)

func addSeeds(f *testing.F) {
	vec := loadDjangoVectors(f)
	for _, s := range vec.Sessions {
		f.Add([]byte(s.SerializedJSON))
		f.Add([]byte(s.Session))
	}
	for _, s := range vec.PythonOnly {
		f.Add([]byte(s.SerializedJSON))
	}
	for _, s := range []string{
		`{}`, `{"a":1}`, `{"a":[1,2.5,-0.0,1e400,"x\u00e9\ud83d\ude00"]}`,
		`{"a":"\ud800\ud800\udc00"}`, `{"a":"\udc00\ud800"}`, "{\"a\":\"\xff\xe3\x81\"}",
		`{"n":18446744073709551616,"m":-9223372036854775809}`, `{"a":1,"a":2}`,
		`{"a":NaN,"b":Infinity,"c":-Infinity}`, `[1]`, `{"a":tru}`, `{"a":01}`,
		` { "a" : { "b" : [ ] } } `, `{"a":1}x`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzUnmarshal: no panics; accept at least what encoding/json accepts (with
// an object on top) and agree on the values; and whatever we accept survives
// an encode/decode round trip and encodes to pure ASCII.
func FuzzUnmarshal(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		ours, err := UnmarshalObject(data)

		if std, stdErr := stdDecode(data); stdErr == nil {
			if _, isObj := std.(map[string]any); isObj {
				if err != nil {
					if errors.Is(err, ErrTooDeep) {
						return // encoding/json allows 10000 levels, we allow 1000
					}
					t.Fatalf("encoding/json accepts %q, we fail: %v", data, err)
				}
				if !agreesWithStd(ours, std) {
					t.Fatalf("values differ for %q:\n ours %#v\n std  %#v", data, ours, std)
				}
			}
		}
		if err != nil {
			if ours != nil {
				t.Fatalf("non-nil map with error %v", err)
			}
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrNotObject) && !errors.Is(err, ErrTooDeep) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}

		enc, err := AppendObject(nil, ours)
		if err != nil {
			t.Fatalf("re-encoding %#v: %v", ours, err)
		}
		for _, c := range enc {
			if c < 0x20 || c > 0x7e {
				t.Fatalf("non-ASCII byte %#x in %q", c, enc)
			}
		}
		back, err := UnmarshalObject(enc)
		if err != nil {
			t.Fatalf("decoding our own %q: %v", enc, err)
		}
		if !equalNaN(back, ours) {
			t.Fatalf("round trip changed the value:\n first %#v\n again %#v", ours, back)
		}
		if enc2, _ := AppendObject(nil, back); string(enc2) != string(enc) {
			t.Fatalf("encoding is not stable: %q then %q", enc, enc2)
		}
	})
}

// FuzzRoundTrip: any Go string, valid UTF-8 or not, encodes exactly like a
// simple reference escaper, and decodes (by us and by encoding/json) to the
// string with each invalid byte replaced by U+FFFD.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", "alice", "Zoë", "😀", "\x00\x7f\x1f", "</script>&'", "\xff", "\xed\xa0\x80", "\"\\/\b\f\n\r\t", "\ufffd\U0010FFFF"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc, err := AppendValue(nil, s)
		if err != nil {
			t.Fatal(err)
		}
		if want := referenceEscape(s); string(enc) != want {
			t.Fatalf("AppendValue(%q) = %s, want %s", s, enc, want)
		}
		var want strings.Builder
		for _, r := range s { // range yields U+FFFD per invalid byte
			want.WriteRune(r)
		}

		m, err := UnmarshalObject([]byte(`{` + string(enc) + `:` + string(enc) + `}`))
		if err != nil {
			t.Fatalf("decode %s: %v", enc, err)
		}
		if len(m) != 1 || m[want.String()] != want.String() {
			t.Fatalf("decoded %q, want key and value %q", m, want.String())
		}
		var std string
		if err := json.Unmarshal(enc, &std); err != nil || std != want.String() {
			t.Fatalf("encoding/json reads %s as %q, %v; want %q", enc, std, err, want.String())
		}

		// Raw (unescaped) input bytes decode the same way.
		if !strings.ContainsAny(s, "\"\\") && !hasControl(s) {
			m, err := UnmarshalObject([]byte(`{"k":"` + s + `"}`))
			if err != nil || m["k"] != want.String() {
				t.Fatalf("raw %q decoded to %q, %v; want %q", s, m["k"], err, want.String())
			}
		}
	})
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			return true
		}
	}
	return false
}

// referenceEscape is a slow, obviously-correct rendering of Python's
// ensure_ascii rules, independent of appendString.
func referenceEscape(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r >= 0x20 && r <= 0x7e:
			b.WriteRune(r)
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, hi, lo)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
