package sessions

import (
	"errors"
	"time"
)

// Errors of Get and Pop; test them with errors.Is.
var (
	// ErrNotSet reports that the session has no value under the key.
	ErrNotSet = errors.New("sessions: key not set")

	// ErrWrongType reports a value that does not convert to the type asked
	// for. The wrapping error names the key and both types, never the
	// value, which may be secret.
	ErrWrongType = errors.New("sessions: value has another type")
)

// Get returns the value under key converted to T.
//
// The error is ErrNotSet when the key is absent, an error wrapping
// ErrWrongType when the value does not convert, and the load error itself
// when the session could not be loaded from its store (a store outage must
// not look like a missing key). On error the value is T's zero value.
//
// Codecs decide what comes back from the store: JSONCodec, like Django,
// gives string, bool, nil, int64 (json.Number beyond int64), float64, []any
// and map[string]any, whatever was stored. Get converts:
//
//   - A value of type T (what this request stored) is returned as is. A map
//     or slice so returned is the session's own: Set it again after
//     changing it, or the change is not saved.
//   - To any integer or float type, named ones included, from any number
//     (json.Number too) that fits exactly: 3.0 gives 3, 3.5 and overflow are
//     ErrWrongType. A float type takes the nearest float; only a finite
//     number beyond its range fails. A string ("42") is not a number.
//   - To time.Time, from an ISO 8601 string as Python's isoformat and
//     Django write it ("2026-12-02T15:04:05.123456+00:00", "…Z", a space
//     for the "T", a date alone) or as Go writes RFC 3339. A time without
//     offset is taken as UTC, and so is a zero offset.
//   - To string and bool types, from strings and bools only.
//   - null (nil) gives the nil pointer, slice, map or interface; it is
//     ErrWrongType for other types.
//   - To anything else (structs, slices, maps, pointers, types with their own
//     UnmarshalJSON or UnmarshalText), through encoding/json: the value is
//     marshalled and decoded into a T, so a struct stored by one request is
//     read back as that struct by the next. As with encoding/json, unknown
//     fields are ignored and missing ones stay zero; numbers decode exactly
//     (an interface-typed field gets a json.Number). Values stored by
//     encoding/json (a time.Time field, a []byte) come back that way too.
func Get[T any](s *Session, key string) (T, error) {
	var zero T
	if err := s.Load(); err != nil {
		return zero, err
	}
	v, ok := s.Get(key)
	if !ok {
		return zero, ErrNotSet
	}
	return convert[T](key, v)
}

// Pop is Get that also removes the key, when and only when it returns the
// value without error: a value of another type stays in the session.
func Pop[T any](s *Session, key string) (T, error) {
	v, err := Get[T](s, key)
	if err == nil {
		s.Delete(key)
	}
	return v, err
}

// The getters below are Get for the common types, for when a missing value
// and a value of another type both mean "use the zero value". Use Get to
// tell them apart, or to see a store outage.

// GetString returns the string under key, or "" when it is absent or not
// a string.
func (s *Session) GetString(key string) string { return orZero(Get[string](s, key)) }

// GetInt returns the integer under key, or 0 when it is absent or not an
// integer that fits an int. Integral floats (3.0) convert.
func (s *Session) GetInt(key string) int { return orZero(Get[int](s, key)) }

// GetInt64 returns the integer under key, or 0 when it is absent or not an
// integer that fits an int64. Integral floats (3.0) convert.
func (s *Session) GetInt64(key string) int64 { return orZero(Get[int64](s, key)) }

// GetBool returns the bool under key, or false when it is absent or not a
// bool.
func (s *Session) GetBool(key string) bool { return orZero(Get[bool](s, key)) }

// GetFloat returns the number under key as a float64, or 0 when it is
// absent or not a number.
func (s *Session) GetFloat(key string) float64 { return orZero(Get[float64](s, key)) }

// GetTime returns the time under key, stored as a time.Time or as an ISO
// 8601 string (see Get), or the zero time when it is absent or not a time.
func (s *Session) GetTime(key string) time.Time { return orZero(Get[time.Time](s, key)) }

// orZero drops the error of Get, which returns the zero value with it.
func orZero[T any](v T, _ error) T { return v }
