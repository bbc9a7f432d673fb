package pyjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Errors returned by this package. Syntax errors wrap ErrSyntax with the byte
// offset, so test them with errors.Is.
var (
	ErrSyntax          = errors.New("pyjson: syntax error")
	ErrNotObject       = errors.New("pyjson: top level is not an object")
	ErrTooDeep         = errors.New("pyjson: nesting too deep")
	ErrUnsupportedType = errors.New("pyjson: unsupported type")
)

// maxDepth bounds nesting of arrays and objects, both ways. CPython's json
// gives up near its default recursion limit of 1000, so real Django sessions
// never come close; the limit protects the Go stack from hostile input and
// turns a cyclic map into an error instead of a crash.
const maxDepth = 1000

// Marshal returns the encoding of the session dict m. See [AppendObject].
func Marshal(m map[string]any) ([]byte, error) {
	return AppendObject(nil, m)
}

// AppendObject appends the encoding of the session dict m to dst, with keys
// in sorted order (Go maps have no insertion order to preserve). A nil map is
// written as {} since Django sessions are never null. On error it returns dst
// as it was passed in.
//
// For a map whose values are strings, ints, bools, floats and nil, it does
// not allocate beyond growing dst.
func AppendObject(dst []byte, m map[string]any) ([]byte, error) {
	out, err := appendMapAny(dst, m, 0)
	if err != nil {
		return dst, err
	}
	return out, nil
}

// AppendValue appends the encoding of any supported value to dst (see the
// package documentation for the types). On error it returns dst as it was
// passed in.
func AppendValue(dst []byte, v any) ([]byte, error) {
	out, err := appendValue(dst, v, 0)
	if err != nil {
		return dst, err
	}
	return out, nil
}

func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendString(dst, v), nil
	case bool:
		return appendBool(dst, v), nil
	case int:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case float64:
		return appendFloat(dst, v, 64), nil
	case map[string]any:
		if v == nil {
			return append(dst, "null"...), nil
		}
		return appendMapAny(dst, v, depth)
	case []any:
		if v == nil {
			return append(dst, "null"...), nil
		}
		if depth >= maxDepth {
			return dst, ErrTooDeep
		}
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendValue(dst, e, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case json.Number:
		return appendNumber(dst, v)
	case json.RawMessage:
		return appendRaw(dst, v, depth)
	case int8:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int16:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case uint:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case uint8:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case uint16:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case uint64:
		return strconv.AppendUint(dst, v, 10), nil
	case uintptr:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case float32:
		return appendFloat(dst, float64(v), 32), nil
	case []string:
		return appendSlice(dst, v, depth, func(dst []byte, s string) []byte { return appendString(dst, s) })
	case []int:
		return appendSlice(dst, v, depth, func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(i), 10) })
	case []int64:
		return appendSlice(dst, v, depth, func(dst []byte, i int64) []byte { return strconv.AppendInt(dst, i, 10) })
	case []float64:
		return appendSlice(dst, v, depth, func(dst []byte, f float64) []byte { return appendFloat(dst, f, 64) })
	case []bool:
		return appendSlice(dst, v, depth, appendBool)
	case map[string]string:
		return appendMap(dst, v, depth, &stringPool, func(dst []byte, s string) []byte { return appendString(dst, s) })
	case map[string]int:
		return appendMap(dst, v, depth, &intPool, func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(i), 10) })
	case map[string]int64:
		return appendMap(dst, v, depth, &int64Pool, func(dst []byte, i int64) []byte { return strconv.AppendInt(dst, i, 10) })
	}
	return appendFallback(dst, v, depth)
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

// appendSlice writes a slice of scalars; elem cannot fail.
func appendSlice[E any](dst []byte, s []E, depth int, elem func([]byte, E) []byte) ([]byte, error) {
	if s == nil {
		return append(dst, "null"...), nil
	}
	if depth >= maxDepth {
		return dst, ErrTooDeep
	}
	dst = append(dst, '[')
	for i, e := range s {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = elem(dst, e)
	}
	return append(dst, ']'), nil
}

// appendMap writes a map of scalars with sorted keys; elem cannot fail.
func appendMap[V any](dst []byte, m map[string]V, depth int, pool *sync.Pool, elem func([]byte, V) []byte) ([]byte, error) {
	if m == nil {
		return append(dst, "null"...), nil
	}
	if depth >= maxDepth {
		return dst, ErrTooDeep
	}
	var small [smallKeys]entry[V]
	ents, pooled := sortedEntries(m, &small, pool)
	dst = append(dst, '{')
	for i, e := range ents {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, e.k)
		dst = append(dst, ':')
		dst = elem(dst, e.v)
	}
	releaseEntries(pooled, pool)
	return append(dst, '}'), nil
}

// appendMapAny is appendMap for the one map type whose values can fail or
// nest. A nil map is written as {} here; appendValue handles the null case
// for nested maps before calling it.
func appendMapAny(dst []byte, m map[string]any, depth int) ([]byte, error) {
	if depth >= maxDepth {
		return dst, ErrTooDeep
	}
	var small [smallKeys]entry[any]
	ents, pooled := sortedEntries(m, &small, &anyPool)
	dst = append(dst, '{')
	var err error
	for i, e := range ents {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, e.k)
		dst = append(dst, ':')
		if dst, err = appendValue(dst, e.v, depth+1); err != nil {
			break
		}
	}
	releaseEntries(pooled, &anyPool)
	if err != nil {
		return dst, err
	}
	return append(dst, '}'), nil
}

// smallKeys is how many members are sorted in a caller-stack array; typical
// sessions have fewer. Larger maps borrow a slice from a pool (one per value
// type) so encoding stays allocation-free in the steady state.
const smallKeys = 16

// entry pairs a key with its value so that, once sorted, values need no
// second map lookup (hashing every key again costs as much as the sort).
type entry[V any] struct {
	k string
	v V
}

var (
	anyPool    = sync.Pool{New: func() any { return new([]entry[any]) }}
	stringPool = sync.Pool{New: func() any { return new([]entry[string]) }}
	intPool    = sync.Pool{New: func() any { return new([]entry[int]) }}
	int64Pool  = sync.Pool{New: func() any { return new([]entry[int64]) }}
)

// sortedEntries returns m's members sorted by key, in small when they fit
// and otherwise in a slice from pool that the caller hands back with
// releaseEntries. The two cases use separate variables so escape analysis
// can see that small never reaches the pool (and so stays on the stack).
func sortedEntries[V any](m map[string]V, small *[smallKeys]entry[V], pool *sync.Pool) (ents []entry[V], pooled *[]entry[V]) {
	if len(m) <= smallKeys {
		ents = small[:0]
		for k, v := range m {
			ents = append(ents, entry[V]{k, v})
		}
		// Insertion sort: no interface or closure, nothing escapes.
		for i := 1; i < len(ents); i++ {
			for j := i; j > 0 && ents[j].k < ents[j-1].k; j-- {
				ents[j], ents[j-1] = ents[j-1], ents[j]
			}
		}
		return ents, nil
	}
	pooled = pool.Get().(*[]entry[V])
	big := (*pooled)[:0]
	for k, v := range m {
		big = append(big, entry[V]{k, v})
	}
	slices.SortFunc(big, func(a, b entry[V]) int { return strings.Compare(a.k, b.k) })
	*pooled = big
	return big, pooled
}

func releaseEntries[V any](pooled *[]entry[V], pool *sync.Pool) {
	if pooled == nil {
		return
	}
	clear(*pooled) // do not pin the map's keys and values from the pool
	if cap(*pooled) <= 1<<12 {
		*pooled = (*pooled)[:0]
		pool.Put(pooled)
	}
}

// escapeByte reports the bytes Python's ensure_ascii rewrites: everything
// outside printable ASCII (0x20–0x7e) plus the quote and the backslash.
var escapeByte = func() (t [256]bool) {
	for c := range t {
		t[c] = c < 0x20 || c >= 0x7f || c == '"' || c == '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendString writes s as a Python ensure_ascii JSON string. Runs of safe
// bytes are copied in one append.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if !escapeByte[c] {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				dst = append(dst, '\\', '"')
			case '\\':
				dst = append(dst, '\\', '\\')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default: // other control characters and DEL
				dst = appendU(dst, rune(c))
			}
			i++
		} else {
			// An invalid byte decodes as (RuneError, 1); RuneError is
			// U+FFFD, so it is written as \ufffd and we move on one byte.
			r, size := utf8.DecodeRuneInString(s[i:])
			if r >= 0x10000 {
				r -= 0x10000
				dst = appendU(dst, 0xd800+(r>>10))
				dst = appendU(dst, 0xdc00+(r&0x3ff))
			} else {
				dst = appendU(dst, r)
			}
			i += size
		}
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendU writes \uXXXX with lowercase hex, as Python does.
func appendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u',
		hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// appendNumber writes a json.Number verbatim, so a big integer decoded from
// Django goes back out unchanged. Like encoding/json, "" means 0.
func appendNumber(dst []byte, n json.Number) ([]byte, error) {
	if n == "" {
		return append(dst, '0'), nil
	}
	if !isNumber(string(n)) {
		return dst, fmt.Errorf("%w: invalid json.Number %q", ErrSyntax, string(n))
	}
	return append(dst, n...), nil
}

// isNumber reports whether s is exactly one JSON number literal.
func isNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		for i++; i < len(s) && isDigit(s[i]); i++ {
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for ; i < len(s) && isDigit(s[i]); i++ {
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for ; i < len(s) && isDigit(s[i]); i++ {
		}
	}
	return i == len(s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// appendRaw validates raw JSON and re-encodes it, because the raw text may
// hold non-ASCII bytes or Go-style floats that Django would read differently.
func appendRaw(dst []byte, raw json.RawMessage, depth int) ([]byte, error) {
	if raw == nil {
		return append(dst, "null"...), nil
	}
	v, err := unmarshalValue(raw, depth)
	if err != nil {
		return dst, err
	}
	return appendValue(dst, v, depth)
}

// appendFallback handles every type the switch does not know, by asking
// encoding/json (which understands struct tags, json.Marshaler, pointers and
// named types) and then normalising its output through our own decoder.
func appendFallback(dst []byte, v any, depth int) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		var typeErr *json.UnsupportedTypeError
		var valueErr *json.UnsupportedValueError
		if errors.As(err, &typeErr) || errors.As(err, &valueErr) {
			return dst, fmt.Errorf("%w: %T: %v", ErrUnsupportedType, v, err)
		}
		return dst, fmt.Errorf("pyjson: encoding %T: %w", v, err)
	}
	return appendRaw(dst, b, depth)
}
