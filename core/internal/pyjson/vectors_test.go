package pyjson

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type djangoVectors struct {
	Version  string `json:"django_version"`
	Sessions []struct {
		Name           string          `json:"name"`
		Session        json.RawMessage `json:"session"`
		SerializedJSON string          `json:"serialized_json"`
	} `json:"sessions"`
	PythonOnly []struct {
		Name           string `json:"name"`
		SerializedJSON string `json:"serialized_json"`
		DecodedJSON    string `json:"decoded_by_django_json_text"`
	} `json:"python_only_sessions"`
}

// loadDjangoVectors reads the sessions that Django 3.2, 4.2, 5.2 and 6.0
// serialized (../../testdata/django), each named "<version>/<name>".
func loadDjangoVectors(t testing.TB) *djangoVectors {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", "django", "vectors*.json"))
	if err != nil || len(paths) != 4 {
		t.Fatalf("want the vectors of 4 Django versions, found %v (%v)", paths, err)
	}
	var all djangoVectors
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var v djangoVectors
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		if len(v.Sessions) == 0 || len(v.PythonOnly) == 0 {
			t.Fatalf("%s: no session vectors", p)
		}
		for _, s := range v.Sessions {
			s.Name = v.Version + "/" + s.Name
			all.Sessions = append(all.Sessions, s)
		}
		for _, s := range v.PythonOnly {
			s.Name = v.Version + "/" + s.Name
			all.PythonOnly = append(all.PythonOnly, s)
		}
	}
	return &all
}

// TestDjangoVectors round-trips every session Django 3.2 serialized. When
// Django's keys happen to be sorted, our bytes must equal Django's; otherwise
// they must equal Django's bytes with keys sorted (and every literal kept
// exactly), which is the only difference our sorted output may show.
func TestDjangoVectors(t *testing.T) {
	t.Parallel()
	for _, vec := range loadDjangoVectors(t).Sessions {
		t.Run(vec.Name, func(t *testing.T) {
			t.Parallel()
			django := vec.SerializedJSON
			want := canonical(t, django)
			if want == django {
				t.Logf("Django's keys are sorted: expecting its exact bytes")
			}

			ours, err := UnmarshalObject([]byte(django))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			got, err := AppendObject(nil, ours)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if string(got) != want {
				t.Errorf("re-encoded\n got %s\nwant %s", got, want)
			}

			// Values agree with encoding/json's independent reading.
			std, err := stdDecode([]byte(django))
			if err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
			if !agreesWithStd(ours, std) {
				t.Errorf("decoded %#v\nencoding/json has %#v", ours, std)
			}

			// The dict as the vector file spells it (pretty-printed, raw
			// UTF-8) decodes to the same values.
			fromFile, err := UnmarshalObject(vec.Session)
			if err != nil {
				t.Fatalf("decode session: %v", err)
			}
			if !equalNaN(fromFile, ours) {
				t.Errorf("session field decodes to %#v\nserialized_json to %#v", fromFile, ours)
			}

			// Each value on its own encodes to Django's exact bytes.
			for _, m := range topMembers(t, django) {
				enc, err := AppendValue(nil, ours[m.key])
				if err != nil {
					t.Fatalf("%s: %v", m.key, err)
				}
				if wantVal := canonical(t, m.raw); string(enc) != wantVal {
					t.Errorf("%q: got %s, Django %s", m.key, enc, wantVal)
				}
			}
		})
	}
}

type rawMember struct{ key, raw string }

// topMembers splits a top-level object into decoded keys and raw values,
// without using this package's decoder.
func topMembers(t *testing.T, s string) []rawMember {
	t.Helper()
	var ms []rawMember
	i := skipWS(s, 0) + 1
	for i = skipWS(s, i); s[i] != '}'; {
		kEnd := scanRaw(s, i)
		var key string
		if err := json.Unmarshal([]byte(s[i:kEnd]), &key); err != nil {
			t.Fatal(err)
		}
		vStart := skipWS(s, skipWS(s, kEnd)+1) // past the colon
		var sink strings.Builder
		vEnd := canonicalTo(t, &sink, s, vStart)
		ms = append(ms, rawMember{key, s[vStart:vEnd]})
		if i = skipWS(s, vEnd); s[i] == ',' {
			i = skipWS(s, i+1)
		}
	}
	return ms
}

// TestPythonOnlyVectors covers what only Python emits: NaN and the
// infinities, and dicts whose keys Python coerced to strings.
func TestPythonOnlyVectors(t *testing.T) {
	t.Parallel()
	for _, vec := range loadDjangoVectors(t).PythonOnly {
		t.Run(vec.Name, func(t *testing.T) {
			t.Parallel()
			for _, text := range []string{vec.SerializedJSON, vec.DecodedJSON} {
				m, err := UnmarshalObject([]byte(text))
				if err != nil {
					t.Fatalf("decode %s: %v", text, err)
				}
				got, err := AppendObject(nil, m)
				if err != nil {
					t.Fatal(err)
				}
				if want := canonical(t, text); string(got) != want {
					t.Errorf("re-encoded\n got %s\nwant %s", got, want)
				}
				if vec.Name == "nan_inf" {
					nan, _ := m["nan"].(float64)
					inf, _ := m["inf"].(float64)
					ninf, _ := m["ninf"].(float64)
					if !math.IsNaN(nan) || !math.IsInf(inf, 1) || !math.IsInf(ninf, -1) {
						t.Errorf("decoded %#v", m)
					}
				}
			}
		})
	}
}

// TestDocumentGolden: random nested documents written by CPython with
// sort_keys=True must come back byte for byte.
func TestDocumentGolden(t *testing.T) {
	t.Parallel()
	g := loadGolden(t)
	for _, doc := range g.Documents {
		m, err := UnmarshalObject([]byte(doc))
		if err != nil {
			t.Errorf("decode %s: %v", doc, err)
			continue
		}
		got, err := AppendObject(nil, m)
		if err != nil || string(got) != doc {
			t.Errorf("round trip\n got %s (%v)\nwant %s", got, err, doc)
		}
	}
	// And Python's string escapes decode to the original text.
	for _, row := range g.Strings {
		s, _ := hex.DecodeString(row[0])
		m, err := UnmarshalObject([]byte(`{"s":` + row[1] + `}`))
		if err != nil || m["s"] != string(s) {
			t.Errorf("decode %s = %q, %v; want %q", row[1], m["s"], err, s)
		}
	}
}
