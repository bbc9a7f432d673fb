package sessions

// Update replaces the value under key with fn(old, ok), where ok reports
// whether key was set, and returns the new value. Unlike Set, it is a
// read-modify-write that survives concurrent requests: when another
// request saved the session meanwhile, fn is applied again, at the save,
// to the value that request stored, so no update is lost. fn must
// therefore be a pure function of old; it may run more than once.
//
// Plain Set stays last-writer-wins per key, as in Django: a Set after an
// Update of the same key replaces it, and a concurrent Set of the key is
// overwritten by this request's Update applied to it.
func (s *Session) Update(key string, fn func(old any, ok bool) any) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	old, ok := s.values[key]
	v := fn(old, ok)
	s.values[key] = v
	s.markChanged(key, "Update")
	if !s.cleared {
		if s.updates == nil {
			s.updates = make(map[string][]func(any, bool) any, 1)
		}
		s.updates[key] = append(s.updates[key], fn)
	}
	return v
}

// Incr adds delta to the integer under key (absent, or not an integer,
// counts as 0) and returns the result as this request sees it. Concurrent
// increments of one session add up exactly: see Update.
func (s *Session) Incr(key string, delta int64) int64 {
	v := s.Update(key, func(old any, _ bool) any {
		n, _ := intOf(old, 64)
		return n + delta
	})
	return v.(int64)
}
