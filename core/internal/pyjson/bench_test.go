package pyjson

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// The benchmarks measure one request's session work, encoding and decoding
// a whole dict, for this package and for encoding/json on the same data.
// encoding/json is not a drop-in alternative (it writes raw UTF-8 and cannot
// read NaN), but it is the cost baseline.

var smallSession = map[string]any{"visits": 3, "user": "alice", "_auth_user_id": "42"}

// kilobyteSession looks like a logged-in user's session with some app state:
// about 1 KB once encoded, with nesting, floats, non-ASCII and escapes.
func kilobyteSession() map[string]any {
	m := map[string]any{
		"_auth_user_id":      "1",
		"_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
		"_auth_user_hash":    "3c7f0a3a1a0a48f4b63fba9c2d3f1b5e6a7d8c9b0e1f2a3b4c5d6e7f8a9b0c1d",
		"_session_expiry":    1209600,
		"django_language":    "fr",
		"visits":             17,
		"cart": map[string]any{
			"items": []any{
				map[string]any{"id": 1, "qty": 2, "price": 19.99, "name": "Café crème"},
				map[string]any{"id": 2, "qty": 1, "price": 5.0, "name": "Croissant"},
				map[string]any{"id": 3, "qty": 6, "price": 0.35, "name": "Macaron \"rose\""},
			},
			"total":  47.08,
			"coupon": nil,
		},
		"prefs":   map[string]any{"theme": "dark", "beta": true, "tz": "Europe/Paris"},
		"history": []any{"/", "/shop/", "/shop/cart/", "/account/orders/?page=2"},
		"flash":   []any{map[string]any{"level": 25, "message": "Commande enregistrée ✓", "extra_tags": ""}},
	}
	for i := range 8 {
		m[fmt.Sprintf("recent_search_%d", i)] = strings.Repeat("q", 10+i)
	}
	return m
}

func BenchmarkEncode(b *testing.B) {
	for _, tc := range benchCases(b) {
		b.Run(tc.name+"/pyjson", func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				var err error
				if buf, err = AppendObject(buf[:0], tc.m); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(len(buf)))
		})
		b.Run(tc.name+"/encoding_json", func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				out, err := json.Marshal(tc.m)
				if err != nil {
					b.Fatal(err)
				}
				n = len(out)
			}
			b.SetBytes(int64(n))
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, tc := range benchCases(b) {
		b.Run(tc.name+"/pyjson", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.data)))
			for b.Loop() {
				if _, err := UnmarshalObject(tc.data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/encoding_json", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.data)))
			for b.Loop() {
				var m map[string]any
				if err := json.Unmarshal(tc.data, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRoundTrip is a request that loads the session and saves it.
func BenchmarkRoundTrip(b *testing.B) {
	for _, tc := range benchCases(b) {
		b.Run(tc.name+"/pyjson", func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				m, err := UnmarshalObject(tc.data)
				if err != nil {
					b.Fatal(err)
				}
				if buf, err = AppendObject(buf[:0], m); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/encoding_json", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var m map[string]any
				if err := json.Unmarshal(tc.data, &m); err != nil {
					b.Fatal(err)
				}
				if _, err := json.Marshal(m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type benchCase struct {
	name string
	m    map[string]any
	data []byte // the pyjson encoding of m, valid for both decoders
}

func benchCases(b *testing.B) []benchCase {
	var cases []benchCase
	for _, c := range []struct {
		name string
		m    map[string]any
	}{{"small", smallSession}, {"1KB", kilobyteSession()}} {
		data, err := AppendObject(nil, c.m)
		if err != nil {
			b.Fatal(err)
		}
		cases = append(cases, benchCase{fmt.Sprintf("%s_%dB", c.name, len(data)), c.m, data})
	}
	return cases
}
