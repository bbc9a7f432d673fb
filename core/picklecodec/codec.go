package picklecodec

import (
	"fmt"

	sessions "github.com/sessionkit/sessionkit/core"
)

// expiryKey is Django's _session_expiry (sessions.ExpiryKey).
const expiryKey = sessions.ExpiryKey

// Protocols Append writes.
const (
	// DefaultProtocol is Python's pickle.DEFAULT_PROTOCOL and
	// django-redis's default (its PICKLE_VERSION option): readable by
	// every Python 3 that Django runs on.
	DefaultProtocol = 4
	// HighestProtocol is Python 3.8+'s pickle.HIGHEST_PROTOCOL, which
	// Django 4.0+'s built-in RedisCache writes.
	HighestProtocol = 5
)

// Codec is a sessions.Codec that reads and writes the session dict as
// Django's Redis caches pickle it. The zero value writes protocol 4.
// Values come back as the JSON codec's types (see Loads).
type Codec struct {
	// Protocol is the pickle protocol Append writes: 4 (DefaultProtocol,
	// django-redis) or 5 (HighestProtocol, Django 4.0+'s RedisCache). The
	// two differ only in their first two bytes for the values a session
	// holds, and Django reads both; pick the one your Django writes to get
	// its bytes exactly. Zero means 4. Decode reads any protocol.
	Protocol int

	// DatetimeExpiry writes a _session_expiry that holds an ISO 8601 date
	// and time as a pickled datetime, as Django 3.2's set_expiry stores
	// it: 3.2's get_expiry_age computes only with a datetime, and returns
	// a str unchanged, which then fails its cache set and its middleware.
	// Leave it false for Django 4.0+, which stores the ISO str itself, and
	// for the cached_db engine, whose database row cannot hold a
	// datetime. Decode always reads a datetime as its ISO string.
	DatetimeExpiry bool
}

var _ sessions.Codec = Codec{}

func (c Codec) protocol() (int, error) {
	switch c.Protocol {
	case 0:
		return DefaultProtocol, nil
	case 4, 5:
		return c.Protocol, nil
	}
	return 0, fmt.Errorf("%w: %d (this package writes 4 or 5)", ErrProtocol, c.Protocol)
}

// Append implements sessions.Codec: pickle.dumps(values, protocol) with
// the keys in sorted order. A nil map is written as an empty dict.
func (c Codec) Append(dst []byte, values map[string]any) ([]byte, error) {
	p, err := c.protocol()
	if err != nil {
		return dst, err
	}
	if values == nil {
		values = map[string]any{}
	}
	e := newEncoder(dst, p)
	e.expiryKey = c.DatetimeExpiry
	if err := e.dict(values, 0); err != nil {
		return dst, err
	}
	return e.finish(), nil
}

// Decode implements sessions.Codec: what Django's Redis serializer loads,
// which must be a dict. A value the serializer stored as a raw int is
// ErrRawInt; any other top-level value is ErrNotDict.
func (c Codec) Decode(data []byte) (map[string]any, error) {
	if _, ok := rawInt(data); ok {
		return nil, ErrRawInt
	}
	v, err := Loads(data)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: it is %s", ErrNotDict, goTypeName(v))
	}
	return m, nil
}

// AppendValue appends pickle.dumps(v, protocol) for any value Append
// accepts in a session; DatetimeExpiry applies when v is the session dict.
func (c Codec) AppendValue(dst []byte, v any) ([]byte, error) {
	p, err := c.protocol()
	if err != nil {
		return dst, err
	}
	e := newEncoder(dst, p)
	e.expiryKey = c.DatetimeExpiry
	if err := e.value(v, 0); err != nil {
		return dst, err
	}
	return e.finish(), nil
}

func goTypeName(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case string:
		return "a str"
	case nil:
		return "None"
	case bool:
		return "a bool"
	case float64:
		return "a float"
	}
	return "an int"
}
