package sessions

import "github.com/sessionkit/sessionkit/core/internal/pyjson"

// Codec turns the session dict into bytes and back. Decode errors are not
// request errors: core treats undecodable data as an empty session.
type Codec interface {
	// Append appends the encoding of values to dst.
	Append(dst []byte, values map[string]any) ([]byte, error)
	// Decode parses data produced by Append (or by Django).
	Decode(data []byte) (map[string]any, error)
}

// JSONCodec is Django's JSONSerializer: compact, ASCII-only JSON that Django
// reads back unchanged. Keys are written in sorted order. Numbers decode to
// int64 when they are integers that fit, to json.Number when they are larger
// integers (kept digit for digit), and to float64 otherwise; NaN and
// ±Infinity use Python's tokens, which Django both writes and reads.
type JSONCodec struct{}

// Append implements Codec.
func (JSONCodec) Append(dst []byte, values map[string]any) ([]byte, error) {
	return pyjson.AppendObject(dst, values)
}

// Decode implements Codec.
func (JSONCodec) Decode(data []byte) (map[string]any, error) {
	return pyjson.UnmarshalObject(data)
}
