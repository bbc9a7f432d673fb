// Package pyjson encodes and decodes session dicts byte-compatibly with
// Django's JSONSerializer, which is
//
//	json.dumps(obj, separators=(",", ":")).encode("latin-1")
//
// on the way out and json.loads(data.decode("latin-1")) on the way in.
//
// # Why not encoding/json
//
// Django reads session bytes as latin-1, so anything but ASCII turns into
// mojibake: encoding/json writes "Zoë" as raw UTF-8 and Django reads back
// "ZoÃ«". This package writes what Python writes: every rune outside
// 0x20–0x7e is escaped as \uXXXX with lowercase hex (astral runes as UTF-16
// surrogate pairs), floats use Python's repr (1.0, 1e+100, 1.5e-07), and NaN,
// Infinity and -Infinity are written and read as bare tokens, as Python's
// default allow_nan does.
//
// # Differences from Python
//
//   - Keys are written in sorted (byte-wise, which is code-point) order,
//     because Go maps are unordered; Django keeps insertion order. Output is
//     therefore byte-identical to json.dumps(obj, separators=(",", ":"),
//     sort_keys=True), and to Django's bytes whenever Django's keys happened
//     to be sorted. Order never matters to the reader.
//   - Nesting deeper than 1000 arrays/objects fails with [ErrTooDeep] when
//     decoding and when encoding (the latter also stops cyclic maps), about
//     where CPython's default recursion limit stops json.
//   - A lone surrogate escape (\ud800) decodes to U+FFFD, since a Go string
//     cannot hold one; invalid UTF-8, in a Go string being encoded or in raw
//     input bytes, becomes U+FFFD per bad byte.
//   - Integers that do not fit int64 decode to [encoding/json.Number] holding
//     the exact literal, so 2**64 written by Django is written back unchanged.
//   - float32 values use the shortest digits that round-trip as float32
//     (float32(0.1) is written 0.1), like encoding/json.
//   - Nil slices and nil maps are written as null, like encoding/json,
//     except the session dict itself: [AppendObject] writes a nil map as {}.
//
// # Types
//
// The encoder handles the common session types with type switches and no
// reflection: nil, bool, string, every int and uint kind, float32, float64,
// json.Number, json.RawMessage, []any, []string, []int, []int64, []float64,
// []bool, map[string]any, map[string]string, map[string]int and
// map[string]int64. Any other value (structs, pointers, named types, types
// implementing json.Marshaler) goes through encoding/json.Marshal and the
// result is decoded and re-encoded here, so it too becomes ASCII-only and
// Python-formatted. One thing that path cannot keep: encoding/json writes an
// integral float64 as "1", which then reads as an int and is written "1", not
// "1.0". Channels, funcs and complex numbers fail with [ErrUnsupportedType].
//
// The decoder produces map[string]any, []any, string, bool, nil, int64,
// float64 and json.Number. To save an allocation per string it copies the
// input once and slices unescaped strings out of that copy, so a decoded
// string keeps the whole (small) document alive.
//
// # API
//
// [AppendObject] and [Marshal] write a session dict, [AppendValue] any single
// value, and [UnmarshalObject] reads a session dict back. Errors wrap
// [ErrSyntax], [ErrNotObject], [ErrTooDeep] or [ErrUnsupportedType]; test
// them with errors.Is.
package pyjson
