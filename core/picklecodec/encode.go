package picklecodec

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sessionkit/sessionkit/core/internal/pyjson"
)

// Framing, as CPython's pickler does it for protocol 4 and up: opcodes are
// grouped in frames of about frameTarget bytes, a frame shorter than
// frameMin is written without its header, and a str of frameTarget bytes
// or more is written outside any frame.
const (
	frameTarget = 64 << 10
	frameMin    = 4
	frameHeader = 9
	batchSize   = 1000 // items per APPENDS/SETITEMS, as CPython
)

// encoder writes one pickle in the form CPython's pickler gives the same
// value: MEMOIZE after every str, list and dict, frames, batches of 1000.
// CPython writes a memo reference (BINGET) for an object it has pickled
// before; Go values have no identity, so the encoder does that only where
// CPython's identity is certain: the empty str and one-character strs
// below U+0100, which CPython keeps as singletons, and module names.
type encoder struct {
	buf        []byte
	frameStart int // offset of the current frame's reserved header; -1 none
	expiryKey  bool
	memoLen    int
	// singletons[c] is 1 + the memo index of the str of code point c
	// (256: the empty str), 0 when not pickled yet.
	singletons [257]int32
	modules    map[string]int
}

func newEncoder(dst []byte, protocol int) *encoder {
	e := &encoder{buf: append(dst, opProto, byte(protocol))}
	e.startFrame()
	return e
}

func (e *encoder) startFrame() {
	e.frameStart = len(e.buf)
	e.buf = append(e.buf, make([]byte, frameHeader)...)
}

// commitFrame fills in the current frame's header, or removes it when the
// frame is too short to be worth one.
func (e *encoder) commitFrame() {
	n := len(e.buf) - e.frameStart - frameHeader
	if n >= frameMin {
		e.buf[e.frameStart] = opFrame
		binary.LittleEndian.PutUint64(e.buf[e.frameStart+1:], uint64(n))
	} else {
		copy(e.buf[e.frameStart:], e.buf[e.frameStart+frameHeader:])
		e.buf = e.buf[:len(e.buf)-frameHeader]
	}
	e.frameStart = -1
}

// boundary is where CPython's pickler may end a frame: before each value.
func (e *encoder) boundary() {
	if len(e.buf)-e.frameStart-frameHeader >= frameTarget {
		e.commitFrame()
		e.startFrame()
	}
}

func (e *encoder) finish() []byte {
	e.buf = append(e.buf, opStop)
	e.commitFrame()
	return e.buf
}

func (e *encoder) memoize() {
	e.buf = append(e.buf, opMemoize)
	e.memoLen++
}

// get writes a memo reference, as CPython's pickler does.
func (e *encoder) get(idx int) {
	if idx < 256 {
		e.buf = append(e.buf, opBinGet, byte(idx))
		return
	}
	e.buf = binary.LittleEndian.AppendUint32(append(e.buf, opLongBinGet), uint32(idx))
}

func (e *encoder) value(v any, depth int) error {
	e.boundary()
	if depth > maxDepth {
		return fmt.Errorf("%w: nesting deeper than %d (or a cycle)", ErrTooLarge, maxDepth)
	}
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, opNone)
	case bool:
		e.bool(x)
	case string:
		e.str(x)
	case int:
		e.int(int64(x))
	case int64:
		e.int(x)
	case int32:
		e.int(int64(x))
	case int16:
		e.int(int64(x))
	case int8:
		e.int(int64(x))
	case uint:
		e.uint(uint64(x))
	case uint64:
		e.uint(x)
	case uint32:
		e.int(int64(x))
	case uint16:
		e.int(int64(x))
	case uint8:
		e.int(int64(x))
	case uintptr:
		e.uint(uint64(x))
	case float64:
		e.float(x)
	case float32:
		// The shortest digits that round-trip as float32, as the JSON
		// codec writes it: float32(0.1) is Python's 0.1.
		f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
		e.float(f)
	case json.Number:
		return e.number(x)
	case map[string]any:
		if x == nil {
			e.buf = append(e.buf, opNone)
			return nil
		}
		return e.dict(x, depth)
	case []any:
		if x == nil {
			e.buf = append(e.buf, opNone)
			return nil
		}
		return e.list(len(x), func(i int) error { return e.value(x[i], depth+1) })
	case []string:
		if x == nil {
			e.buf = append(e.buf, opNone)
			return nil
		}
		return e.list(len(x), func(i int) error { e.boundary(); e.str(x[i]); return nil })
	case []int:
		if x == nil {
			e.buf = append(e.buf, opNone)
			return nil
		}
		return e.list(len(x), func(i int) error { e.boundary(); e.int(int64(x[i])); return nil })
	case []int64:
		if x == nil {
			e.buf = append(e.buf, opNone)
			return nil
		}
		return e.list(len(x), func(i int) error { e.boundary(); e.int(x[i]); return nil })
	case []float64:
		if x == nil {
			e.buf = append(e.buf, opNone)
			return nil
		}
		return e.list(len(x), func(i int) error { e.boundary(); e.float(x[i]); return nil })
	case []bool:
		if x == nil {
			e.buf = append(e.buf, opNone)
			return nil
		}
		return e.list(len(x), func(i int) error { e.boundary(); e.bool(x[i]); return nil })
	case map[string]string:
		return typedDict(e, x, depth)
	case map[string]int:
		return typedDict(e, x, depth)
	case map[string]int64:
		return typedDict(e, x, depth)
	default:
		return e.fallback(v, depth)
	}
	return nil
}

func (e *encoder) bool(b bool) {
	if b {
		e.buf = append(e.buf, opNewTrue)
	} else {
		e.buf = append(e.buf, opNewFalse)
	}
}

// int writes n as CPython does: BININT1, BININT2, BININT, then LONG1.
func (e *encoder) int(n int64) {
	switch {
	case n >= 0 && n <= 0xff:
		e.buf = append(e.buf, opBinInt1, byte(n))
	case n >= 0 && n <= 0xffff:
		e.buf = append(e.buf, opBinInt2, byte(n), byte(n>>8))
	case n >= math.MinInt32 && n <= math.MaxInt32:
		e.buf = binary.LittleEndian.AppendUint32(append(e.buf, opBinInt), uint32(int32(n)))
	default:
		// Minimal little-endian two's complement: drop sign-only bytes.
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(n))
		l := 8
		for l > 1 && ((b[l-1] == 0 && b[l-2]&0x80 == 0) || (b[l-1] == 0xff && b[l-2]&0x80 != 0)) {
			l--
		}
		e.buf = append(append(e.buf, opLong1, byte(l)), b[:l]...)
	}
}

func (e *encoder) uint(u uint64) {
	if u <= math.MaxInt64 {
		e.int(int64(u))
		return
	}
	var b [9]byte // a ninth, zero byte keeps it positive
	binary.LittleEndian.PutUint64(b[:], u)
	e.buf = append(append(e.buf, opLong1, 9), b[:]...)
}

// bigInt writes an int of any size (LONG1, or LONG4 from 256 bytes).
func (e *encoder) bigInt(n *big.Int) {
	if n.IsInt64() {
		e.int(n.Int64())
		return
	}
	// Python's encode_long: (bit_length >> 3) + 1 bytes of two's
	// complement, minus a redundant 0xff for some negatives.
	nbytes := n.BitLen()>>3 + 1
	v := new(big.Int).Set(n)
	if n.Sign() < 0 {
		v.Add(v, new(big.Int).Lsh(big.NewInt(1), uint(8*nbytes)))
	}
	be := v.FillBytes(make([]byte, nbytes))
	le := make([]byte, nbytes)
	for i, c := range be {
		le[nbytes-1-i] = c
	}
	if n.Sign() < 0 && nbytes > 1 && le[nbytes-1] == 0xff && le[nbytes-2]&0x80 != 0 {
		le = le[:nbytes-1]
	}
	if len(le) < 256 {
		e.buf = append(e.buf, opLong1, byte(len(le)))
	} else {
		e.buf = binary.LittleEndian.AppendUint32(append(e.buf, opLong4), uint32(len(le)))
	}
	e.buf = append(e.buf, le...)
}

func (e *encoder) float(f float64) {
	bits := math.Float64bits(f)
	if f != f {
		// Go's math.NaN() sets a payload bit; write Python's float("nan")
		// (keeping the sign), which is what Python would pickle.
		bits = bits&(1<<63) | 0x7ff8000000000000
	}
	e.buf = binary.BigEndian.AppendUint64(append(e.buf, opBinFloat), bits)
}

// number writes a json.Number: an integer literal as an int of any size,
// anything else as a float, which is how Python's json reads it.
func (e *encoder) number(n json.Number) error {
	s := string(n)
	if isIntLiteral(s) {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			e.int(i)
			return nil
		}
		if len(s) > 2*maxLongBytes+8 {
			return fmt.Errorf("%w: an int of %d digits", ErrUnsupported, len(s))
		}
		b, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return fmt.Errorf("%w: json.Number %q", ErrUnsupported, clip(s))
		}
		e.bigInt(b)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRangeErr(err) {
		return fmt.Errorf("%w: json.Number %q", ErrUnsupported, clip(s))
	}
	e.float(f) // out of range: ±Inf, which is what Python's json gives
	return nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func isIntLiteral(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// str writes s as UTF-8, each invalid byte replaced by U+FFFD as in the
// JSON codec (Python could not read it otherwise).
func (e *encoder) str(s string) {
	if !utf8.ValidString(s) {
		s = replaceInvalid(s)
	}
	if c := singleton(s); c >= 0 {
		if i := e.singletons[c]; i > 0 {
			e.get(int(i) - 1)
			return
		}
		e.singletons[c] = int32(e.memoLen) + 1
	}
	e.writeStr(s)
}

// singleton returns the index in encoder.singletons of a str CPython
// keeps as a singleton, or -1.
func singleton(s string) int {
	switch len(s) {
	case 0:
		return 256
	case 1:
		return int(s[0])
	case 2:
		if r, _ := utf8.DecodeRuneInString(s); r < 0x100 && r >= 0x80 {
			return int(r)
		}
	}
	return -1
}

// module writes a module name of a global: CPython's are interned, so a
// second global of the same module refers to the first one's str.
func (e *encoder) module(name string) {
	if i, ok := e.modules[name]; ok {
		e.get(i)
		return
	}
	if e.modules == nil {
		e.modules = make(map[string]int, 2)
	}
	e.modules[name] = e.memoLen
	e.writeStr(name)
}

func (e *encoder) writeStr(s string) {
	n := len(s)
	switch {
	case n <= 0xff:
		e.buf = append(append(e.buf, opShortBinUnicode, byte(n)), s...)
	case n >= frameTarget:
		e.commitFrame()
		if uint64(n) > math.MaxUint32 {
			e.buf = binary.LittleEndian.AppendUint64(append(e.buf, opBinUnicode8), uint64(n))
		} else {
			e.buf = binary.LittleEndian.AppendUint32(append(e.buf, opBinUnicode), uint32(n))
		}
		e.buf = append(e.buf, s...)
		e.startFrame()
	default:
		e.buf = binary.LittleEndian.AppendUint32(append(e.buf, opBinUnicode), uint32(n))
		e.buf = append(e.buf, s...)
	}
	e.memoize()
}

func replaceInvalid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			b.WriteRune(utf8.RuneError)
			i++
			continue
		}
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}

// list writes EMPTY_LIST and n items as CPython's batch_list_exact: one
// item with APPEND, more in MARK...APPENDS batches of up to 1000.
func (e *encoder) list(n int, item func(i int) error) error {
	e.buf = append(e.buf, opEmptyList)
	e.memoize()
	if n == 1 {
		if err := item(0); err != nil {
			return err
		}
		e.buf = append(e.buf, opAppend)
		return nil
	}
	for start := 0; start < n; start += batchSize {
		end := min(start+batchSize, n)
		e.buf = append(e.buf, opMark)
		for i := start; i < end; i++ {
			if err := item(i); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, opAppends)
	}
	return nil
}

// dict writes a map with sorted keys (Go maps have no insertion order).
func (e *encoder) dict(m map[string]any, depth int) error {
	keys := sortedKeys(m)
	return e.items(len(keys), func(i int) error {
		k := keys[i]
		e.boundary()
		e.str(k)
		if depth == 0 && k == expiryKey && e.expiryKey {
			if s, ok := m[k].(string); ok {
				if c, ok := parseISO(s); ok {
					e.boundary()
					e.datetime(c)
					return nil
				}
			}
		}
		return e.value(m[k], depth+1)
	})
}

// typedDict writes a map of scalars, as dict does.
func typedDict[V any](e *encoder, m map[string]V, depth int) error {
	if m == nil {
		e.buf = append(e.buf, opNone)
		return nil
	}
	keys := sortedKeys(m)
	return e.items(len(keys), func(i int) error {
		e.boundary()
		e.str(keys[i])
		return e.value(any(m[keys[i]]), depth+1)
	})
}

// items writes EMPTY_DICT and n key-value pairs as CPython's
// batch_dict_exact: one pair with SETITEM, more in MARK...SETITEMS batches
// of up to 1000, and after a full batch always one more (so 1000 pairs
// end with an empty MARK SETITEMS).
func (e *encoder) items(n int, pair func(i int) error) error {
	e.buf = append(e.buf, opEmptyDict)
	e.memoize()
	if n == 0 {
		return nil
	}
	if n == 1 {
		if err := pair(0); err != nil {
			return err
		}
		e.buf = append(e.buf, opSetItem)
		return nil
	}
	for start := 0; ; start += batchSize {
		end := min(start+batchSize, n)
		e.buf = append(e.buf, opMark)
		for i := start; i < end; i++ {
			if err := pair(i); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, opSetItems)
		if end-start < batchSize {
			return nil
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// fallback writes any other value the way the JSON codec stores it:
// encoded by the JSON codec, then read back as the JSON codec reads it, so
// a struct is a dict here exactly as it is a JSON object there.
func (e *encoder) fallback(v any, depth int) error {
	var raw []byte
	if r, ok := v.(json.RawMessage); ok {
		raw = r
	} else {
		var err error
		raw, err = pyjson.AppendValue(nil, v)
		if err != nil {
			return fmt.Errorf("%w: %T: %w", ErrUnsupported, v, err)
		}
	}
	wrapped := make([]byte, 0, len(raw)+6)
	wrapped = append(append(append(wrapped, `{"v":`...), raw...), '}')
	m, err := pyjson.UnmarshalObject(wrapped)
	if err != nil {
		return fmt.Errorf("%w: %T: %w", ErrUnsupported, v, err)
	}
	return e.value(m["v"], depth)
}
