package pyjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// This file holds test-only helpers that deliberately do not use the
// package's own decoder, so the expectations they compute are independent.

// canonical rewrites well-formed JSON text with every object's keys sorted
// (by decoded key, i.e. code point order) and all other bytes kept exactly:
// the leaf literals stay as Python wrote them. Whitespace between tokens is
// dropped. This is what json.dumps(..., sort_keys=True) would have written.
func canonical(t testing.TB, s string) string {
	t.Helper()
	var b strings.Builder
	rest := canonicalTo(t, &b, s, skipWS(s, 0))
	if skipWS(s, rest) != len(s) {
		t.Fatalf("canonical: trailing data in %q", s)
	}
	return b.String()
}

func canonicalTo(t testing.TB, b *strings.Builder, s string, i int) int {
	t.Helper()
	switch s[i] {
	case '{':
		type member struct{ key, keyRaw, val string }
		var ms []member
		i = skipWS(s, i+1)
		for s[i] != '}' {
			kEnd := scanRaw(s, i)
			keyRaw := s[i:kEnd]
			var key string
			if err := json.Unmarshal([]byte(keyRaw), &key); err != nil {
				t.Fatalf("canonical: key %s: %v", keyRaw, err)
			}
			i = skipWS(s, kEnd)
			if s[i] != ':' {
				t.Fatalf("canonical: no colon at %d in %q", i, s)
			}
			i = skipWS(s, i+1)
			var vb strings.Builder
			i = skipWS(s, canonicalTo(t, &vb, s, i))
			ms = append(ms, member{key, keyRaw, vb.String()})
			if s[i] == ',' {
				i = skipWS(s, i+1)
			}
		}
		slices.SortFunc(ms, func(a, b member) int { return strings.Compare(a.key, b.key) })
		b.WriteByte('{')
		for j, m := range ms {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(m.keyRaw)
			b.WriteByte(':')
			b.WriteString(m.val)
		}
		b.WriteByte('}')
		return i + 1
	case '[':
		b.WriteByte('[')
		i = skipWS(s, i+1)
		for n := 0; s[i] != ']'; n++ {
			if n > 0 {
				b.WriteByte(',')
			}
			i = skipWS(s, canonicalTo(t, b, s, i))
			if s[i] == ',' {
				i = skipWS(s, i+1)
			}
		}
		b.WriteByte(']')
		return i + 1
	default:
		end := scanRaw(s, i)
		b.WriteString(s[i:end])
		return end
	}
}

func skipWS(s string, i int) int {
	for i < len(s) && strings.IndexByte(" \t\r\n", s[i]) >= 0 {
		i++
	}
	return i
}

// scanRaw returns the end of the string or scalar token starting at s[i].
func scanRaw(s string, i int) int {
	if s[i] == '"' {
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return len(s)
	}
	j := i
	for j < len(s) && strings.IndexByte(",]} \t\r\n", s[j]) < 0 {
		j++
	}
	return j
}

// equalNaN is reflect.DeepEqual for decoded values, except that NaN equals
// NaN and -0.0 is told apart from 0.0 (Python keeps the sign, so must we).
func equalNaN(a, b any) bool {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		if !ok {
			return false
		}
		if math.IsNaN(a) || math.IsNaN(b) {
			return math.IsNaN(a) && math.IsNaN(b)
		}
		return math.Float64bits(a) == math.Float64bits(b)
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, av := range a {
			bv, ok := b[k]
			if !ok || !equalNaN(av, bv) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equalNaN(a[i], b[i]) {
				return false
			}
		}
		return true
	default:
		return a == b
	}
}

// stdDecode decodes with encoding/json, keeping every number as json.Number.
func stdDecode(data []byte) (any, error) {
	if !json.Valid(data) { // also rejects trailing data, which Decoder would not
		return nil, errors.New("invalid JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// agreesWithStd reports whether our decoded value means the same as
// encoding/json's (with UseNumber), allowing for our richer number types.
func agreesWithStd(ours, std any) bool {
	switch s := std.(type) {
	case json.Number:
		switch o := ours.(type) {
		case int64:
			n, err := strconv.ParseInt(string(s), 10, 64)
			return err == nil && n == o
		case json.Number:
			return o == s
		case float64:
			f, err := strconv.ParseFloat(string(s), 64)
			if err != nil && !isRangeErr(err) {
				return false
			}
			return math.Float64bits(f) == math.Float64bits(o)
		}
		return false
	case map[string]any:
		o, ok := ours.(map[string]any)
		if !ok || len(o) != len(s) {
			return false
		}
		for k, sv := range s {
			ov, ok := o[k]
			if !ok || !agreesWithStd(ov, sv) {
				return false
			}
		}
		return true
	case []any:
		o, ok := ours.([]any)
		if !ok || len(o) != len(s) {
			return false
		}
		for i := range s {
			if !agreesWithStd(o[i], s[i]) {
				return false
			}
		}
		return true
	default:
		return ours == std
	}
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
