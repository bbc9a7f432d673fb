package picklecodec

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"unicode/utf8"
)

// maxLongBytes bounds LONG1/LONG4 integers: 2048 bytes is about 4900
// decimal digits, past the 4300 that Python 3.11+ converts to text at all,
// so no session Django could also store as JSON holds a larger int. It
// keeps a hostile LONG4 from costing seconds of big-number formatting.
const maxLongBytes = 2048

// Loads reads one pickle and returns its value as session types: dict as
// map[string]any, list and tuple as []any, str as string, int as int64 or
// (when it does not fit) json.Number, float as float64, bool, None as nil,
// and a datetime as its isoformat() string. It reads what Python 3's
// pickler writes with protocols 2 to 5; it never calls or constructs
// anything (see the package documentation for the opcodes and globals it
// accepts). Errors wrap ErrMalformed, ErrForbidden, ErrUnsupported or
// ErrTooLarge.
func Loads(data []byte) (any, error) {
	// One copy of the input: every str is a substring of it, so strings
	// cost no allocation each (and keep the small input alive).
	d := decoder{data: data, text: string(data), stack: make([]any, 0, 16), memo: make([]any, 0, 16)}
	v, err := d.run()
	if err != nil {
		return nil, err
	}
	z := materializer{budget: 4*len(data) + 1<<16}
	return z.value(v, 0)
}

// decoder is the pickle machine: a stack, a stack of marks, and the memo.
// Every push consumes at least one input byte, so the stack, the marks and
// the memo are bounded by the input's length; every declared length is
// checked against what is left of the input before anything is allocated.
type decoder struct {
	data  []byte
	text  string // data, as a string
	pos   int
	stack []any
	marks []int
	memo  []any
	// sparse holds memo entries put at indices other than the next one,
	// which Python's pickler never writes; it keeps a hostile
	// LONG_BINPUT 4000000000 from allocating a huge slice.
	sparse map[uint32]any
}

func (d *decoder) errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s at offset %d", sentinel, fmt.Sprintf(format, args...), d.pos)
}

// take returns the next n bytes, or an error when fewer are left.
func (d *decoder) take(n uint64) ([]byte, error) {
	if n > uint64(len(d.data)-d.pos) {
		return nil, d.errorf(ErrMalformed, "%d bytes declared, %d left", n, len(d.data)-d.pos)
	}
	b := d.data[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return b, nil
}

func (d *decoder) u8() (uint64, error) {
	b, err := d.take(1)
	if err != nil {
		return 0, err
	}
	return uint64(b[0]), nil
}

func (d *decoder) u16() (uint64, error) {
	b, err := d.take(2)
	if err != nil {
		return 0, err
	}
	return uint64(binary.LittleEndian.Uint16(b)), nil
}

func (d *decoder) u32() (uint64, error) {
	b, err := d.take(4)
	if err != nil {
		return 0, err
	}
	return uint64(binary.LittleEndian.Uint32(b)), nil
}

func (d *decoder) u64() (uint64, error) {
	b, err := d.take(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

func (d *decoder) push(v any) { d.stack = append(d.stack, v) }

func (d *decoder) pop() (any, error) {
	if len(d.stack) == 0 || (len(d.marks) > 0 && len(d.stack) == d.marks[len(d.marks)-1]) {
		return nil, d.errorf(ErrMalformed, "stack underflow")
	}
	v := d.stack[len(d.stack)-1]
	d.stack[len(d.stack)-1] = nil
	d.stack = d.stack[:len(d.stack)-1]
	return v, nil
}

func (d *decoder) top() (any, error) {
	if len(d.stack) == 0 || (len(d.marks) > 0 && len(d.stack) == d.marks[len(d.marks)-1]) {
		return nil, d.errorf(ErrMalformed, "stack underflow")
	}
	return d.stack[len(d.stack)-1], nil
}

// popMark removes the items above the topmost mark, and the mark, and
// returns them in order (a fresh slice: the stack's array is reused).
func (d *decoder) popMark() ([]any, error) {
	if len(d.marks) == 0 {
		return nil, d.errorf(ErrMalformed, "no mark")
	}
	m := d.marks[len(d.marks)-1]
	d.marks = d.marks[:len(d.marks)-1]
	items := append([]any(nil), d.stack[m:]...)
	clear(d.stack[m:])
	d.stack = d.stack[:m]
	return items, nil
}

// batch applies APPENDS or SETITEMS: f gets the items above the topmost
// mark, in place, with the mark gone, so the container below them is the
// stack's top once they are removed.
func (d *decoder) batch(f func(items []any) error) error {
	if len(d.marks) == 0 {
		return d.errorf(ErrMalformed, "no mark")
	}
	m := d.marks[len(d.marks)-1]
	d.marks = d.marks[:len(d.marks)-1]
	items := d.stack[m:]
	d.stack = d.stack[:m]
	err := f(items)
	clear(items)
	return err
}

func (d *decoder) put(idx uint64) error {
	v, err := d.top()
	if err != nil {
		return err
	}
	switch {
	case idx < uint64(len(d.memo)):
		d.memo[idx] = v
	case idx == uint64(len(d.memo)):
		d.memo = append(d.memo, v)
	case idx > math.MaxUint32:
		return d.errorf(ErrMalformed, "memo index out of range")
	default:
		if d.sparse == nil {
			d.sparse = make(map[uint32]any)
		}
		d.sparse[uint32(idx)] = v
	}
	return nil
}

func (d *decoder) get(idx uint64) error {
	if idx < uint64(len(d.memo)) {
		d.push(d.memo[idx])
		return nil
	}
	if v, ok := d.sparse[uint32(idx)]; ok && idx <= math.MaxUint32 {
		d.push(v)
		return nil
	}
	return d.errorf(ErrMalformed, "memo entry %d not defined", idx)
}

func (d *decoder) run() (any, error) {
	for d.pos < len(d.data) {
		op := d.data[d.pos]
		d.pos++
		if op == opStop {
			v, err := d.pop()
			if err != nil {
				return nil, err
			}
			// pickle.loads refuses trailing data too.
			if d.pos != len(d.data) {
				return nil, d.errorf(ErrMalformed, "data after STOP")
			}
			return v, nil
		}
		if err := d.step(op); err != nil {
			return nil, err
		}
	}
	return nil, d.errorf(ErrMalformed, "no STOP")
}

func (d *decoder) step(op byte) error {
	switch op {
	case opProto:
		p, err := d.u8()
		if err != nil {
			return err
		}
		if p > 5 {
			return d.errorf(ErrMalformed, "unsupported pickle protocol %d", p)
		}
	case opFrame:
		// Frames only group opcodes for buffered reads; like CPython's
		// unpickler, check that the frame is all there and read on.
		n, err := d.u64()
		if err != nil {
			return err
		}
		if n > uint64(len(d.data)-d.pos) {
			return d.errorf(ErrMalformed, "frame of %d bytes, %d left", n, len(d.data)-d.pos)
		}
	case opMark:
		d.marks = append(d.marks, len(d.stack))
	case opPop:
		if len(d.stack) > 0 && (len(d.marks) == 0 || d.marks[len(d.marks)-1] < len(d.stack)) {
			_, err := d.pop()
			return err
		}
		// POP with nothing above the mark pops the mark (as CPython).
		if len(d.marks) == 0 {
			return d.errorf(ErrMalformed, "stack underflow")
		}
		d.marks = d.marks[:len(d.marks)-1]
	case opPopMark:
		_, err := d.popMark()
		return err
	case opDup:
		v, err := d.top()
		if err != nil {
			return err
		}
		d.push(v)
	case opNone:
		d.push(nil)
	case opNewTrue:
		d.push(true)
	case opNewFalse:
		d.push(false)
	case opBinInt1:
		n, err := d.u8()
		if err != nil {
			return err
		}
		d.push(int64(n))
	case opBinInt2:
		n, err := d.u16()
		if err != nil {
			return err
		}
		d.push(int64(n))
	case opBinInt:
		n, err := d.u32()
		if err != nil {
			return err
		}
		d.push(int64(int32(uint32(n))))
	case opLong1, opLong4:
		var n uint64
		var err error
		if op == opLong1 {
			n, err = d.u8()
		} else {
			n, err = d.u32()
			// LONG4's length is signed; CPython refuses a negative one.
			if err == nil && n > math.MaxInt32 {
				return d.errorf(ErrMalformed, "negative LONG4 length")
			}
		}
		if err != nil {
			return err
		}
		if n > maxLongBytes {
			return d.errorf(ErrUnsupported, "int of %d bytes (limit %d)", n, maxLongBytes)
		}
		b, err := d.take(n)
		if err != nil {
			return err
		}
		d.push(decodeLong(b))
	case opBinFloat:
		b, err := d.take(8)
		if err != nil {
			return err
		}
		d.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
	case opShortBinUnicode, opBinUnicode, opBinUnicode8:
		return d.str(op)
	case opShortBinBytes, opBinBytes, opBinBytes8:
		b, err := d.counted(op, opShortBinBytes, opBinBytes)
		if err != nil {
			return err
		}
		d.push(pyBytes(b))
	case opEmptyDict:
		d.push(&pyDict{m: map[string]any{}})
	case opEmptyList:
		d.push(&pyList{})
	case opEmptyTuple:
		d.push(&pyTuple{})
	case opDict:
		items, err := d.popMark()
		if err != nil {
			return err
		}
		dict := &pyDict{m: make(map[string]any, len(items)/2)}
		if err := d.setItems(dict, items); err != nil {
			return err
		}
		d.push(dict)
	case opList:
		items, err := d.popMark()
		if err != nil {
			return err
		}
		d.push(&pyList{seq{items: items}})
	case opTuple:
		items, err := d.popMark()
		if err != nil {
			return err
		}
		d.push(&pyTuple{seq{items: items}})
	case opTuple1, opTuple2, opTuple3:
		n := int(op-opTuple1) + 1
		floor := 0
		if len(d.marks) > 0 {
			floor = d.marks[len(d.marks)-1]
		}
		if len(d.stack)-floor < n {
			return d.errorf(ErrMalformed, "stack underflow")
		}
		items := append([]any(nil), d.stack[len(d.stack)-n:]...)
		clear(d.stack[len(d.stack)-n:])
		d.stack = d.stack[:len(d.stack)-n]
		d.push(&pyTuple{seq{items: items}})
	case opAppend:
		v, err := d.pop()
		if err != nil {
			return err
		}
		return d.appendTo([]any{v})
	case opAppends:
		return d.batch(d.appendTo)
	case opSetItem:
		v, err := d.pop()
		if err != nil {
			return err
		}
		k, err := d.pop()
		if err != nil {
			return err
		}
		return d.setItemsOnTop([]any{k, v})
	case opSetItems:
		return d.batch(d.setItemsOnTop)
	case opBinPut:
		n, err := d.u8()
		if err != nil {
			return err
		}
		return d.put(n)
	case opLongBinPut:
		n, err := d.u32()
		if err != nil {
			return err
		}
		return d.put(n)
	case opMemoize:
		return d.put(uint64(len(d.memo)))
	case opBinGet:
		n, err := d.u8()
		if err != nil {
			return err
		}
		return d.get(n)
	case opLongBinGet:
		n, err := d.u32()
		if err != nil {
			return err
		}
		return d.get(n)
	case opGlobal:
		module, err := d.line()
		if err != nil {
			return err
		}
		name, err := d.line()
		if err != nil {
			return err
		}
		g, err := lookupGlobal(module, name)
		if err != nil {
			return err
		}
		d.push(g)
	case opStackGlobal:
		name, err := d.pop()
		if err != nil {
			return err
		}
		module, err := d.pop()
		if err != nil {
			return err
		}
		m, ok1 := module.(string)
		n, ok2 := name.(string)
		if !ok1 || !ok2 {
			return d.errorf(ErrMalformed, "STACK_GLOBAL needs two strs")
		}
		g, err := lookupGlobal(m, n)
		if err != nil {
			return err
		}
		d.push(g)
	case opReduce:
		args, err := d.pop()
		if err != nil {
			return err
		}
		fn, err := d.pop()
		if err != nil {
			return err
		}
		g, ok := fn.(pyGlobal)
		if !ok {
			return d.errorf(ErrForbidden, "REDUCE on %s", pyTypeName(fn))
		}
		t, ok := args.(*pyTuple)
		if !ok || t.state != fresh {
			return d.errorf(ErrMalformed, "REDUCE arguments are %s, not a tuple", pyTypeName(args))
		}
		v, err := reduce(g, t.items)
		if err != nil {
			return fmt.Errorf("%w (at offset %d)", err, d.pos)
		}
		d.push(v)
	default:
		if name, ok := opName[op]; ok {
			return d.errorf(ErrForbidden, "opcode %s", name)
		}
		return d.errorf(ErrForbidden, "unknown opcode 0x%02x", op)
	}
	return nil
}

// str reads a str: UTF-8 as CPython writes it with "surrogatepass". A Go
// string cannot hold a lone surrogate, so each becomes U+FFFD, as in the
// JSON codec; other invalid bytes (which CPython refuses) do too.
func (d *decoder) str(op byte) error {
	b, err := d.counted(op, opShortBinUnicode, opBinUnicode)
	if err != nil {
		return err
	}
	if utf8.Valid(b) {
		d.push(d.text[d.pos-len(b) : d.pos])
	} else {
		d.push(validUTF8(b))
	}
	return nil
}

// line reads a GLOBAL operand: ASCII up to a newline.
func (d *decoder) line() (string, error) {
	for i := d.pos; i < len(d.data) && i-d.pos < 256; i++ {
		if d.data[i] == '\n' {
			s := string(d.data[d.pos:i])
			d.pos = i + 1
			return s, nil
		}
	}
	return "", d.errorf(ErrMalformed, "GLOBAL operand without a newline")
}

func (d *decoder) appendTo(items []any) error {
	v, err := d.top()
	if err != nil {
		return err
	}
	l, ok := v.(*pyList)
	if !ok || l.state != fresh {
		return d.errorf(ErrUnsupported, "APPEND to %s", pyTypeName(v))
	}
	l.items = append(l.items, items...)
	return nil
}

func (d *decoder) setItemsOnTop(items []any) error {
	v, err := d.top()
	if err != nil {
		return err
	}
	dict, ok := v.(*pyDict)
	if !ok || dict.state != fresh {
		return d.errorf(ErrUnsupported, "SETITEM on %s", pyTypeName(v))
	}
	return d.setItems(dict, items)
}

func (d *decoder) setItems(dict *pyDict, items []any) error {
	if len(items)%2 != 0 {
		return d.errorf(ErrMalformed, "odd number of items for a dict")
	}
	for i := 0; i < len(items); i += 2 {
		k, ok := items[i].(string)
		if !ok {
			return d.errorf(ErrUnsupported, "dict key of type %s", pyTypeName(items[i]))
		}
		dict.m[k] = items[i+1]
	}
	return nil
}

// decodeLong reads LONG1/LONG4's little-endian two's complement.
func decodeLong(b []byte) any {
	if len(b) == 0 {
		return int64(0)
	}
	if len(b) <= 8 {
		var u uint64
		for i := len(b) - 1; i >= 0; i-- {
			u = u<<8 | uint64(b[i])
		}
		// Sign-extend from the top byte.
		shift := 64 - 8*uint(len(b))
		return int64(u<<shift) >> shift
	}
	be := make([]byte, len(b))
	for i, c := range b {
		be[len(b)-1-i] = c
	}
	n := new(big.Int).SetBytes(be)
	if b[len(b)-1]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), 8*uint(len(b))))
	}
	if n.IsInt64() {
		return n.Int64()
	}
	return json.Number(n.String())
}

// validUTF8 returns b as a string, each lone surrogate (ED A0..BF xx) and
// each other invalid byte replaced by U+FFFD.
func validUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+8)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			if i+2 < len(b) && b[i] == 0xed && b[i+1]&0xe0 == 0xa0 && b[i+2]&0xc0 == 0x80 {
				size = 3 // a surrogate code point: one character
			} else {
				size = 1
			}
			out = utf8.AppendRune(out, utf8.RuneError)
			i += size
			continue
		}
		out = append(out, b[i:i+size]...)
		i += size
	}
	return string(out)
}

// counted reads the bytes of a length-prefixed opcode: a 1-byte length
// for short, 4 bytes for mid, 8 bytes otherwise.
func (d *decoder) counted(op, short, mid byte) ([]byte, error) {
	var n uint64
	var err error
	switch op {
	case short:
		n, err = d.u8()
	case mid:
		n, err = d.u32()
	default:
		n, err = d.u64()
	}
	if err != nil {
		return nil, err
	}
	return d.take(n)
}
