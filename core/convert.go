package sessions

import (
	"encoding/json"
	"math"
)

// convertNumber converts numeric session values between Go types: codecs
// decide how numbers come back (JSONCodec gives int64, float64 or
// json.Number), and handlers should not have to care.
func convertNumber[T any](v any) (T, bool) {
	var out T
	switch p := any(&out).(type) {
	case *int:
		n, ok := asInt64(v)
		if !ok || n < math.MinInt || n > math.MaxInt {
			return out, false
		}
		*p = int(n)
	case *int64:
		n, ok := asInt64(v)
		if !ok {
			return out, false
		}
		*p = n
	case *int32:
		n, ok := asInt64(v)
		if !ok || n < math.MinInt32 || n > math.MaxInt32 {
			return out, false
		}
		*p = int32(n)
	case *uint64:
		n, ok := asInt64(v)
		if !ok || n < 0 {
			return out, false
		}
		*p = uint64(n)
	case *float64:
		f, ok := asFloat64(v)
		if !ok {
			return out, false
		}
		*p = f
	default:
		return out, false
	}
	return out, true
}

func asInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		return int64(n), n <= math.MaxInt64
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(n), n <= math.MaxInt64
	case float64:
		if n != math.Trunc(n) || n < math.MinInt64 || n >= math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	case float32:
		return asInt64(float64(n))
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

func asFloat64(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	if i, ok := asInt64(v); ok {
		return float64(i), true
	}
	return 0, false
}
