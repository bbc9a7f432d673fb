package sessions

// GetString returns the string under key, or "".
func (s *Session) GetString(key string) string {
	v, _ := Get[string](s, key)
	return v
}

// GetInt returns the integer under key, or 0. Integers stored as JSON
// numbers (and integral floats) convert.
func (s *Session) GetInt(key string) int {
	v, _ := Get[int](s, key)
	return v
}

// Get returns the value under key converted to T. Numbers convert between
// Go's numeric types when the value fits (a JSON integer read back as int64
// is returned as an int; 3.0 as 3); anything else must have type T.
func Get[T any](s *Session, key string) (T, bool) {
	var zero T
	v, ok := s.Get(key)
	if !ok {
		return zero, false
	}
	if t, ok := v.(T); ok {
		return t, true
	}
	return convertNumber[T](v)
}
