package pyjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"unicode/utf8"
)

// UnmarshalObject decodes a JSON document whose top level must be an object,
// accepting everything Python's json.loads accepts from json.dumps, including
// the NaN, Infinity and -Infinity tokens.
//
// Values decode to map[string]any, []any, string, bool, nil, float64 (any
// literal with a fraction or exponent, and the special tokens), int64
// (integer literals that fit) and json.Number (larger integer literals, text
// kept exactly). Duplicate keys keep the last value, as in Python.
//
// Malformed input, including anything but whitespace after the object, gives
// an error wrapping ErrSyntax; a well-formed non-object gives ErrNotObject;
// nesting beyond 1000 levels gives ErrTooDeep.
func UnmarshalObject(data []byte) (map[string]any, error) {
	d := newDecoder(string(data), 0)
	defer d.release()
	d.skipSpace()
	if d.pos < len(data) && data[d.pos] != '{' {
		if _, err := d.value(); err != nil {
			return nil, err
		}
		if err := d.end(); err != nil {
			return nil, err
		}
		return nil, ErrNotObject
	}
	if d.pos >= len(data) {
		return nil, d.errEOF()
	}
	m, err := d.object()
	if err != nil {
		return nil, err
	}
	if err := d.end(); err != nil {
		return nil, err
	}
	return m, nil
}

// unmarshalValue decodes a document with any top-level value; depth is the
// nesting the value will sit at, so limits hold across re-encoding.
func unmarshalValue(data []byte, depth int) (any, error) {
	d := newDecoder(string(data), depth)
	defer d.release()
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	if err := d.end(); err != nil {
		return nil, err
	}
	return v, nil
}

// decoder scans a string copy of the input: the one conversion is the only
// allocation for every string without escapes, which are then substrings of
// it. The cost is that any decoded string keeps the whole document alive,
// which suits session dicts (small, and used as a whole).
type decoder struct {
	data  string
	pos   int
	depth int
	*stacks
}

// stacks collect the members of every open object and array, so each
// container is built once at its exact size (no map rehashing, no slice
// regrowth). They are pooled because every request decodes a session.
type stacks struct {
	members []member
	elems   []any
}

type member struct {
	key string
	val any
}

var stackPool = sync.Pool{New: func() any { return new(stacks) }}

func newDecoder(data string, depth int) decoder {
	return decoder{data: data, depth: depth, stacks: stackPool.Get().(*stacks)}
}

func (d *decoder) release() {
	s := d.stacks
	// Drop references to decoded values; after an error the stacks may
	// still hold some.
	clear(s.members)
	clear(s.elems)
	s.members, s.elems = s.members[:0], s.elems[:0]
	if cap(s.members) <= 1<<12 && cap(s.elems) <= 1<<12 {
		stackPool.Put(s)
	}
}

func (d *decoder) errAt(pos int, format string, args ...any) error {
	return fmt.Errorf("%w: offset %d: %s", ErrSyntax, pos, fmt.Sprintf(format, args...))
}

func (d *decoder) errEOF() error {
	return d.errAt(d.pos, "unexpected end of input")
}

// errUnexpected reports the byte at d.pos (or end of input) as wrong.
func (d *decoder) errUnexpected(context string) error {
	if d.pos >= len(d.data) {
		return d.errEOF()
	}
	return d.errAt(d.pos, "unexpected %q %s", d.data[d.pos], context)
}

// end accepts only trailing whitespace, like json.loads ("Extra data").
func (d *decoder) end() error {
	d.skipSpace()
	if d.pos != len(d.data) {
		return d.errAt(d.pos, "unexpected %q after top-level value", d.data[d.pos])
	}
	return nil
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) value() (any, error) {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return nil, d.errEOF()
	}
	switch c := d.data[d.pos]; c {
	case '"':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return s, nil
	case '{':
		m, err := d.object()
		if err != nil {
			return nil, err
		}
		return m, nil
	case '[':
		a, err := d.array()
		if err != nil {
			return nil, err
		}
		return a, nil
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	case 'N':
		return math.NaN(), d.literal("NaN")
	case 'I':
		return math.Inf(1), d.literal("Infinity")
	case '-':
		if d.pos+1 < len(d.data) && d.data[d.pos+1] == 'I' {
			return math.Inf(-1), d.literal("-Infinity")
		}
		return d.number()
	default:
		if isDigit(c) {
			return d.number()
		}
		return nil, d.errUnexpected("looking for a value")
	}
}

func (d *decoder) literal(lit string) error {
	end := d.pos + len(lit)
	if end > len(d.data) || d.data[d.pos:end] != lit {
		return d.errAt(d.pos, "invalid literal, expected %s", lit)
	}
	d.pos = end
	return nil
}

func (d *decoder) object() (map[string]any, error) {
	if d.depth++; d.depth > maxDepth {
		return nil, fmt.Errorf("%w: offset %d: more than %d levels", ErrTooDeep, d.pos, maxDepth)
	}
	d.pos++ // '{'
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		d.depth--
		return map[string]any{}, nil
	}
	base := len(d.members)
	for {
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, d.errUnexpected("looking for an object key")
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, d.errUnexpected("after object key")
		}
		d.pos++
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.members = append(d.members, member{k, v})
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, d.errEOF()
		}
		if c := d.data[d.pos]; c == ',' {
			d.pos++
			continue
		} else if c == '}' {
			d.pos++
			break
		}
		return nil, d.errUnexpected("after object value")
	}
	ms := d.members[base:]
	m := make(map[string]any, len(ms))
	for _, kv := range ms {
		m[kv.key] = kv.val // later duplicates win, as in Python
	}
	clear(ms)
	d.members = d.members[:base]
	d.depth--
	return m, nil
}

func (d *decoder) array() ([]any, error) {
	if d.depth++; d.depth > maxDepth {
		return nil, fmt.Errorf("%w: offset %d: more than %d levels", ErrTooDeep, d.pos, maxDepth)
	}
	d.pos++ // '['
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		d.depth--
		return []any{}, nil
	}
	base := len(d.elems)
	for {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.elems = append(d.elems, v)
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, d.errEOF()
		}
		if c := d.data[d.pos]; c == ',' {
			d.pos++
			continue
		} else if c == ']' {
			d.pos++
			break
		}
		return nil, d.errUnexpected("after array element")
	}
	es := d.elems[base:]
	a := make([]any, len(es))
	copy(a, es)
	clear(es)
	d.elems = d.elems[:base]
	d.depth--
	return a, nil
}

// plainByte marks bytes that can stand for themselves inside a string with
// no further checks: printable ASCII except the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c < utf8.RuneSelf && c != '"' && c != '\\'
	}
	return t
}()

// str decodes the string starting at d.pos (the opening quote). The common
// case, no escapes and valid UTF-8, is one scan and no allocation.
func (d *decoder) str() (string, error) {
	start := d.pos + 1
	ascii := true
	for i := start; i < len(d.data); i++ {
		c := d.data[i]
		if plainByte[c] {
			continue
		}
		switch {
		case c == '"':
			raw := d.data[start:i]
			if !ascii && !utf8.ValidString(raw) {
				return d.strSlow(start)
			}
			d.pos = i + 1
			return raw, nil
		case c == '\\':
			return d.strSlow(start)
		case c < 0x20:
			return "", d.errAt(i, "control character %q in string", c)
		default:
			ascii = false
		}
	}
	return "", d.errAt(len(d.data), "unterminated string")
}

// strSlow decodes escapes and replaces invalid UTF-8 byte by byte with
// U+FFFD, building the result in a stack buffer when it fits.
func (d *decoder) strSlow(start int) (string, error) {
	var buf [256]byte
	out := buf[:0]
	data := d.data
	i := start
	for i < len(data) {
		c := data[i]
		switch {
		case plainByte[c]:
			j := i + 1
			for j < len(data) && plainByte[data[j]] {
				j++
			}
			out = append(out, data[i:j]...)
			i = j
		case c == '"':
			d.pos = i + 1
			return string(out), nil
		case c == '\\':
			if i+1 >= len(data) {
				return "", d.errAt(len(data), "unterminated string")
			}
			esc := data[i+1]
			i += 2
			switch esc {
			case '"', '\\', '/':
				out = append(out, esc)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(data, i)
				if !ok {
					return "", d.errAt(i-2, "invalid \\u escape")
				}
				i += 4
				switch {
				case 0xd800 <= r && r < 0xdc00:
					// A high surrogate pairs only with an immediately
					// following \u low surrogate; otherwise it is lone and
					// the next escape is decoded on its own.
					if i+1 < len(data) && data[i] == '\\' && data[i+1] == 'u' {
						if lo, ok := hex4(data, i+2); ok && 0xdc00 <= lo && lo < 0xe000 {
							r = 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00)
							i += 6
						} else {
							r = utf8.RuneError
						}
					} else {
						r = utf8.RuneError
					}
				case 0xdc00 <= r && r < 0xe000:
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", d.errAt(i-2, "invalid escape %q", "\\"+string(rune(esc)))
			}
		case c < 0x20:
			return "", d.errAt(i, "control character %q in string", c)
		default:
			r, size := utf8.DecodeRuneInString(data[i:])
			if r == utf8.RuneError && size == 1 {
				out = append(out, "\uFFFD"...)
			} else {
				out = append(out, data[i:i+size]...)
			}
			i += size
		}
	}
	return "", d.errAt(len(data), "unterminated string")
}

// hex4 parses the four hex digits at data[i:i+4].
func hex4(data string, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	var r rune
	for j := i; j < i+4; j++ {
		c := data[j]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number decodes the number at d.pos. Like Python: integer literals become
// integers (int64, or json.Number when they do not fit), anything with a
// fraction or exponent becomes float64, overflowing to ±Inf.
func (d *decoder) number() (any, error) {
	data := d.data
	start := d.pos
	i := start
	neg := false
	if data[i] == '-' {
		neg = true
		i++
	}
	digitsStart := i
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && '1' <= data[i] && data[i] <= '9':
		for i++; i < len(data) && isDigit(data[i]); i++ {
		}
	default:
		d.pos = i
		return nil, d.errUnexpected("in number")
	}
	intDigits := i - digitsStart
	isFloat := false
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || !isDigit(data[i]) {
			d.pos = i
			return nil, d.errUnexpected("after decimal point")
		}
		for ; i < len(data) && isDigit(data[i]); i++ {
		}
		isFloat = true
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			d.pos = i
			return nil, d.errUnexpected("in exponent")
		}
		for ; i < len(data) && isDigit(data[i]); i++ {
		}
		isFloat = true
	}
	d.pos = i
	lit := data[start:i]

	if isFloat {
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, d.errAt(start, "invalid number %q", lit)
		}
		return f, nil // on ErrRange f is ±Inf or 0, which is what Python gives
	}
	if intDigits <= 18 { // cannot overflow int64
		var n int64
		for j := digitsStart; j < i; j++ {
			n = n*10 + int64(data[j]-'0')
		}
		if neg {
			n = -n
		}
		return n, nil
	}
	if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
		return n, nil
	}
	return json.Number(lit), nil
}
