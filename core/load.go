package sessions

import (
	"errors"
	"fmt"
)

// ensureLoaded runs the lazy load once. s.mu must be held.
func (s *Session) ensureLoaded() {
	s.accessed = true
	if s.loaded {
		return
	}
	s.loaded = true
	s.values = s.load()
}

// load reads the session's record. Anything invalid, expired or missing
// is an empty session without a key, so a key the client chose is never
// adopted. A store failure is kept in s.err.
func (s *Session) load() map[string]any {
	if s.key == "" {
		return make(map[string]any)
	}
	m := s.m
	now := m.cfg.Clock()
	if m.client != nil {
		data, err := m.client.Decode(m.signer, s.key, m.cfg.Cookie.MaxAge, now)
		if err == nil {
			if v, err := m.codec.Decode(data); err == nil {
				return v
			}
		}
		s.key = ""
		return make(map[string]any)
	}
	rec, err := m.store.Load(s.ctx, s.key)
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			// The key stays: the record may well be there, and the commit
			// answers with this error instead of saving over it.
			s.err = fmt.Errorf("sessions: %w", err) // the store names its operation
			return make(map[string]any)
		}
		s.key = ""
		return make(map[string]any)
	}
	// An oversized record is not even verified: it could not have been
	// written under this limit, and checking it would cost the request.
	// A zero Expiry: the store enforces expiry and returned a live record.
	if m.tooLarge(len(rec.Data)) || (!rec.Expiry.IsZero() && !rec.Expiry.After(now)) {
		s.key = ""
		return make(map[string]any)
	}
	v, err := m.decodeRecord(rec.Data, now)
	if err != nil {
		// Tampered or foreign data in the store: Django logs it and starts
		// over under a new key.
		s.key = ""
		return make(map[string]any)
	}
	s.fromStore = true
	s.loadedData = rec.Data
	return v
}
