package picklecodec

import (
	"encoding/json"
	"math/big"
	"strconv"
)

// Django's Redis serializers do not pickle ints: Django 4.0+'s
// RedisSerializer stores type(v) is int as its decimal text, django-redis
// any int but a bool; both read a value back with int(data) first and
// unpickle only when that fails. A session is always a dict, so a session
// key never holds a raw int, but a key written by other code may.

// DecodeCacheValue reads a value as Django's Redis serializers do: int64
// or json.Number for a raw int, otherwise Loads.
func DecodeCacheValue(data []byte) (any, error) {
	if n, ok := rawInt(data); ok {
		return n, nil
	}
	return Loads(data)
}

// AppendCacheValue appends v as Django's Redis serializers store it: a Go
// integer (or an integral json.Number) as its decimal text, anything else
// pickled.
func (c Codec) AppendCacheValue(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int8:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case uint:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint8:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint16:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case json.Number:
		if isIntLiteral(string(x)) {
			if n, ok := new(big.Int).SetString(string(x), 10); ok {
				return n.Append(dst, 10), nil
			}
		}
	}
	return c.AppendValue(dst, v)
}

// rawInt parses data as Python's int(bytes) does in base 10: ASCII
// whitespace around, an optional sign, digits with single underscores
// between them. A pickle never parses: it starts with 0x80 (protocol 2+)
// or an opcode that is not a digit.
func rawInt(data []byte) (any, bool) {
	i, j := 0, len(data)
	for i < j && isSpace(data[i]) {
		i++
	}
	for j > i && isSpace(data[j-1]) {
		j--
	}
	s := data[i:j]
	neg := len(s) > 0 && s[0] == '-'
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 4300 { // Python 3.11+'s int_max_str_digits
		return nil, false
	}
	underscores := 0
	for k, c := range s {
		switch {
		case c >= '0' && c <= '9':
		case c == '_' && k > 0 && k < len(s)-1 && s[k-1] != '_':
			underscores++ // Python allows one between digits
		default:
			return nil, false
		}
	}
	digits := make([]byte, 0, len(s)+1-underscores)
	if neg {
		digits = append(digits, '-')
	}
	for _, c := range s {
		if c != '_' {
			digits = append(digits, c)
		}
	}
	if n, err := strconv.ParseInt(string(digits), 10, 64); err == nil {
		return n, true
	}
	n, ok := new(big.Int).SetString(string(digits), 10)
	if !ok {
		return nil, false
	}
	return json.Number(n.String()), true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}
