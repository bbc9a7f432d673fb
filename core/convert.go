package sessions

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Values come back from the codec as JSON types (JSONCodec gives string,
// bool, nil, int64, float64, json.Number, []any and map[string]any), while
// handlers want their own types. convert bridges the two for Get: exact
// types and the scalar kinds are handled with type switches and reflect,
// without allocating; everything else round-trips through encoding/json.

var (
	jsonNumberType      = reflect.TypeFor[json.Number]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// wrongTypeError is ErrWrongType with the key and both types. It never
// holds the value, which may be secret; reason says why in general terms.
type wrongTypeError struct {
	key, have, want, reason string
}

func (e *wrongTypeError) Error() string {
	msg := "sessions: " + strconv.Quote(e.key) + " holds " + e.have + ", not " + e.want
	if e.reason != "" {
		msg += ": " + e.reason
	}
	return msg
}

func (e *wrongTypeError) Unwrap() error { return ErrWrongType }

func wrongType(key string, v any, want reflect.Type, reason string) error {
	have := "nil"
	if v != nil {
		have = reflect.TypeOf(v).String()
	}
	return &wrongTypeError{key: key, have: have, want: want.String(), reason: reason}
}

// convert returns v, the value under key, as a T.
func convert[T any](key string, v any) (T, error) {
	if t, ok := v.(T); ok {
		return t, nil
	}
	var out T
	// The types of the getters, without reflect.
	reason, fast := "", true
	switch p := any(&out).(type) {
	case *time.Time:
		reason = timeInto(p, v)
	case *int:
		i, why := intOf(v, strconv.IntSize)
		*p, reason = int(i), why
	case *int64:
		*p, reason = intOf(v, 64)
	case *float64:
		*p, reason = floatOf(v, 64)
	default:
		fast = false
	}
	if fast {
		if reason != "" {
			var zero T
			return zero, wrongType(key, v, reflect.TypeFor[T](), reason)
		}
		return out, nil
	}
	// out does not escape: reflect.ValueOf keeps it on the stack as long as
	// nothing below calls Interface on it.
	handled, reason := convertDirect(reflect.ValueOf(&out).Elem(), v)
	if !handled {
		return convertJSON[T](key, v)
	}
	if reason != "" {
		var zero T
		return zero, wrongType(key, v, reflect.TypeFor[T](), reason)
	}
	return out, nil
}

// convertDirect stores v into dst when dst's type is a scalar (a number,
// string, bool or time.Time) or v is nil. It reports whether it handled the
// case, and if so why it failed ("" on success). Values of other types are
// left to convertJSON.
func convertDirect(dst reflect.Value, v any) (handled bool, reason string) {
	t := dst.Type()
	if v == nil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			return true, "" // null is their zero value
		}
		return true, "null is not a value of this type"
	}
	if t == jsonNumberType {
		n, ok := numberOf(v)
		if !ok {
			return true, "not a number"
		}
		s, ok := n.text()
		if !ok {
			return true, "not a finite number"
		}
		dst.SetString(s)
		return true, ""
	}
	// A type of one's own that decodes itself (an enum read from its name,
	// a validated ID) must see the data: leave it to encoding/json.
	if t.PkgPath() != "" {
		pt := reflect.PointerTo(t)
		if pt.Implements(jsonUnmarshalerType) || pt.Implements(textUnmarshalerType) {
			return false, ""
		}
	}
	switch k := t.Kind(); k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, reason := intOf(v, t.Bits())
		if reason != "" {
			return true, reason
		}
		dst.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := numberOf(v)
		if !ok {
			return true, "not a number"
		}
		u, ok := n.toUint(t.Bits())
		if !ok {
			return true, "the number does not fit"
		}
		dst.SetUint(u)
	case reflect.Float32, reflect.Float64:
		f, reason := floatOf(v, t.Bits())
		if reason != "" {
			return true, reason
		}
		dst.SetFloat(f)
	case reflect.String:
		s, ok := stringOf(v)
		if !ok {
			return true, "not a string"
		}
		dst.SetString(s)
	case reflect.Bool:
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Bool {
			return true, "not a bool"
		}
		dst.SetBool(rv.Bool())
	default:
		return false, ""
	}
	return true, ""
}

// convertJSON converts v by marshalling it with encoding/json and decoding
// the result into a T, which is what reading the stored JSON into a T
// directly would give: a struct saved by one request, read back as
// map[string]any by the next, becomes that struct again. Numbers decode
// exactly (UseNumber: an interface field gets a json.Number, not a rounded
// float64). As with encoding/json, unknown fields are ignored and missing
// ones keep their zero value.
func convertJSON[T any](key string, v any) (T, error) {
	var zero T
	data, err := json.Marshal(v)
	if err != nil {
		return zero, wrongType(key, v, reflect.TypeFor[T](), "not encodable as JSON")
	}
	var out T
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return zero, wrongType(key, v, reflect.TypeFor[T](), jsonReason(err))
	}
	return out, nil
}

// jsonReason describes a decode failure without the value: encoding/json's
// own messages quote numbers ("number 300") and a custom UnmarshalJSON may
// quote anything.
func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Type != nil {
		what, _, _ := strings.Cut(te.Value, " ") // "number 300" -> "number"
		reason := "cannot decode a JSON " + what + " into " + te.Type.String()
		if te.Field != "" {
			reason += " at " + strconv.Quote(te.Field)
		}
		return reason
	}
	return "cannot decode it as this type"
}

// timeInto parses v, an ISO 8601 string, into *p.
func timeInto(p *time.Time, v any) (reason string) {
	s, ok := stringOf(v)
	if !ok {
		return "a time must be an ISO 8601 string"
	}
	t, ok := parseISOTime(s)
	if !ok {
		return "not an ISO 8601 date and time"
	}
	*p = t
	return ""
}

// stringOf returns v when it is a string or a string type of its own. A
// json.Number is a number, not a string.
func stringOf(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case json.Number:
		return "", false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.String {
		return "", false
	}
	return rv.String(), true
}

// number is a numeric session value, whatever Go type holds it.
type number struct {
	kind numKind
	i    int64
	u    uint64
	f    float64
	s    string // numText: a json.Number
}

type numKind uint8

const (
	numInt numKind = iota + 1
	numUint
	numFloat
	numText
)

// numberOf classifies v, which may be any int, uint or float type (named
// ones too) or a json.Number.
func numberOf(v any) (number, bool) {
	switch n := v.(type) {
	case int64:
		return number{kind: numInt, i: n}, true
	case float64:
		return number{kind: numFloat, f: n}, true
	case int:
		return number{kind: numInt, i: int64(n)}, true
	case json.Number:
		return number{kind: numText, s: string(n)}, true
	case int8:
		return number{kind: numInt, i: int64(n)}, true
	case int16:
		return number{kind: numInt, i: int64(n)}, true
	case int32:
		return number{kind: numInt, i: int64(n)}, true
	case uint:
		return number{kind: numUint, u: uint64(n)}, true
	case uint8:
		return number{kind: numUint, u: uint64(n)}, true
	case uint16:
		return number{kind: numUint, u: uint64(n)}, true
	case uint32:
		return number{kind: numUint, u: uint64(n)}, true
	case uint64:
		return number{kind: numUint, u: n}, true
	case uintptr:
		return number{kind: numUint, u: uint64(n)}, true
	case float32:
		return number{kind: numFloat, f: float64(n)}, true
	case nil, string, bool:
		return number{}, false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return number{kind: numInt, i: rv.Int()}, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return number{kind: numUint, u: rv.Uint()}, true
	case reflect.Float32, reflect.Float64:
		return number{kind: numFloat, f: rv.Float()}, true
	}
	return number{}, false
}

// asFloat64 returns v, any number, as a float64 (the nearest one).
func asFloat64(v any) (float64, bool) {
	n, ok := numberOf(v)
	if !ok {
		return 0, false
	}
	return n.toFloat(64)
}

// intOf returns v as a signed integer of the given size, or why not.
func intOf(v any, bits int) (int64, string) {
	n, ok := numberOf(v)
	if !ok {
		return 0, "not a number"
	}
	i, ok := n.toInt(bits)
	if !ok {
		return 0, "the number does not fit"
	}
	return i, ""
}

// floatOf returns v as a float of the given size, or why not.
func floatOf(v any, bits int) (float64, string) {
	n, ok := numberOf(v)
	if !ok {
		return 0, "not a number"
	}
	f, ok := n.toFloat(bits)
	if !ok {
		return 0, "the number does not fit"
	}
	return f, ""
}

// toInt returns n as a signed integer of the given size if it is one
// exactly: 3.0 is 3, 3.5 and 300 (for 8 bits) are not.
func (n number) toInt(bits int) (int64, bool) {
	switch n.kind {
	case numInt:
		return n.i, fitsInt(n.i, bits)
	case numUint:
		return int64(n.u), n.u <= math.MaxInt64 && fitsInt(int64(n.u), bits)
	case numFloat:
		return floatToInt(n.f, bits)
	case numText:
		i, err := strconv.ParseInt(n.s, 10, bits)
		if err == nil {
			return i, true
		}
		if errors.Is(err, strconv.ErrRange) {
			return 0, false
		}
		// "3.0", "1e3": a json.Number written by hand. Through float64,
		// which is exact for the integers that fit in 53 bits.
		f, err := strconv.ParseFloat(n.s, 64)
		if err != nil {
			return 0, false
		}
		return floatToInt(f, bits)
	}
	return 0, false
}

// toUint is toInt for unsigned integers: negative numbers do not fit.
func (n number) toUint(bits int) (uint64, bool) {
	switch n.kind {
	case numInt:
		return uint64(n.i), n.i >= 0 && fitsUint(uint64(n.i), bits)
	case numUint:
		return n.u, fitsUint(n.u, bits)
	case numFloat:
		return floatToUint(n.f, bits)
	case numText:
		u, err := strconv.ParseUint(n.s, 10, bits)
		if err == nil {
			return u, true
		}
		if errors.Is(err, strconv.ErrRange) {
			return 0, false
		}
		f, err := strconv.ParseFloat(n.s, 64)
		if err != nil {
			return 0, false
		}
		return floatToUint(f, bits)
	}
	return 0, false
}

// toFloat returns n as a float of the given size. Floats are approximate,
// so the nearest float is taken (float32(0.1), read back as the float64
// 0.1, is float32(0.1) again); only a finite number beyond the type's range
// does not fit.
func (n number) toFloat(bits int) (float64, bool) {
	switch n.kind {
	case numInt:
		return float64(n.i), true
	case numUint:
		return float64(n.u), true
	case numFloat:
		if bits == 32 && !math.IsInf(n.f, 0) && math.IsInf(float64(float32(n.f)), 0) {
			return 0, false
		}
		return n.f, true
	case numText:
		f, err := strconv.ParseFloat(n.s, bits)
		return f, err == nil
	}
	return 0, false
}

// text returns n as JSON number text, for a json.Number.
func (n number) text() (string, bool) {
	switch n.kind {
	case numInt:
		return strconv.FormatInt(n.i, 10), true
	case numUint:
		return strconv.FormatUint(n.u, 10), true
	case numFloat:
		if math.IsInf(n.f, 0) || math.IsNaN(n.f) {
			return "", false
		}
		return strconv.FormatFloat(n.f, 'g', -1, 64), true
	case numText:
		return n.s, true
	}
	return "", false
}

func fitsInt(i int64, bits int) bool {
	s := 64 - uint(bits)
	return i<<s>>s == i
}

func fitsUint(u uint64, bits int) bool {
	s := 64 - uint(bits)
	return u<<s>>s == u
}

func floatToInt(f float64, bits int) (int64, bool) {
	// NaN fails the first test, ±Inf the range.
	if f != math.Trunc(f) || f < -0x1p63 || f >= 0x1p63 {
		return 0, false
	}
	i := int64(f)
	return i, fitsInt(i, bits)
}

func floatToUint(f float64, bits int) (uint64, bool) {
	if f != math.Trunc(f) || f < 0 || f >= 0x1p64 {
		return 0, false
	}
	u := uint64(f)
	return u, fitsUint(u, bits)
}

// ISO 8601 layouts, as Python's datetime.isoformat writes them (with "T",
// or a space as str(datetime) does), Django's DjangoJSONEncoder
// (milliseconds and "Z") and Go's RFC 3339; each with "T" and with a space.
// Parsing accepts a fraction of a second after the seconds with any of them.
var (
	isoNaive    = [2]string{"2006-01-02T15:04:05", "2006-01-02 15:04:05"}
	isoZone     = [2]string{"2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05Z07:00"}
	isoZoneSecs = [2]string{"2006-01-02T15:04:05Z07:00:00", "2006-01-02 15:04:05Z07:00:00"} // Python: offsets with seconds
	isoZoneBare = [2]string{"2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05Z0700"}
)

// parseISOTime parses s as an ISO 8601 date and time: a naive one is taken
// as UTC, as is a zero offset; other offsets are kept. A date alone is
// midnight UTC.
func parseISOTime(s string) (time.Time, bool) {
	if len(s) == len(time.DateOnly) {
		t, err := time.Parse(time.DateOnly, s)
		return t, err == nil
	}
	const secs = len("2006-01-02T15:04:05")
	if len(s) < secs {
		return time.Time{}, false
	}
	sep := 0
	switch s[10] {
	case 'T':
	case ' ':
		sep = 1
	default:
		return time.Time{}, false
	}
	// The zone follows the seconds and their fraction. Picking the layout
	// from its length spares failed parses (each one allocates an error).
	i := secs
	if i < len(s) && (s[i] == '.' || s[i] == ',') {
		i++
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	}
	var layout string
	switch zone := s[i:]; {
	case zone == "":
		layout = isoNaive[sep]
	case zeroOffset(zone):
		// UTC, as Django writes it: parsed as naive, so that the result is
		// in UTC whatever the local zone (no FixedZone to allocate).
		s, layout = s[:i], isoNaive[sep]
	case zone == "Z" || len(zone) == len("+00:00"):
		layout = isoZone[sep]
	case len(zone) == len("+00:00:00"):
		layout = isoZoneSecs[sep]
	case len(zone) == len("+0000"):
		layout = isoZoneBare[sep]
	default:
		return time.Time{}, false
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, false
	}
	if _, off := t.Zone(); off == 0 {
		t = t.UTC()
	}
	return t, true
}

// zeroOffset reports whether zone is "Z" or a zero UTC offset ("+00:00",
// "-0000", "+00:00:00").
func zeroOffset(zone string) bool {
	switch zone {
	case "Z", "+00:00", "-00:00", "+0000", "-0000", "+00:00:00", "-00:00:00":
		return true
	}
	return false
}
