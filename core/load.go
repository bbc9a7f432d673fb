package sessions

import (
	"context"
	"errors"
	"fmt"

	"github.com/sessionkit/sessionkit/core/signing"
)

// ensureLoaded runs the lazy load once. s.mu must be held.
func (s *Session) ensureLoaded() {
	s.accessed = true
	if s.loaded {
		return
	}
	s.loaded = true
	s.values = s.load()
	s.user, _ = s.values[UserKey].(string)
}

// load reads the session's record. Anything invalid, expired or missing
// is an empty session without a key, so a key the client chose is never
// adopted. A store failure is kept in s.err.
func (s *Session) load() map[string]any {
	if s.key == "" {
		if s.hadCookie {
			s.emit(Event{Kind: EventRejected}, "", "") // not a key at all
		}
		return make(map[string]any)
	}
	m := s.m
	now := m.cfg.Clock()
	if m.client != nil {
		data, err := m.client.Decode(m.signer, s.key, m.cfg.Cookie.MaxAge, now)
		if err == nil {
			if v, err := m.codec.Decode(data); err == nil {
				if !m.timedOut(v, now) {
					if !s.checkGeneration(v) {
						if s.err == nil {
							s.key = "" // revoked: a fresh cookie replaces it
						}
						return make(map[string]any)
					}
					s.emit(Event{Kind: EventLoaded}, s.key, "")
					return v
				}
				s.emit(Event{Kind: EventExpired}, s.key, "")
				s.key = ""
				return make(map[string]any)
			}
		}
		kind := EventRejected
		if errors.Is(err, signing.ErrExpired) {
			kind = EventExpired
		}
		s.emit(Event{Kind: kind}, s.key, "")
		s.key = ""
		return make(map[string]any)
	}
	rec, err := m.loadRecord(s.ctx, s.key)
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			// The key stays: the record may well be there, and the commit
			// answers with this error instead of saving over it.
			s.err = fmt.Errorf("sessions: %w", err) // the store names its operation
			s.emit(Event{Kind: EventStoreError, Op: "load", Err: s.err}, s.key, "")
			return make(map[string]any)
		}
		s.emit(Event{Kind: EventRejected}, s.key, "")
		s.key = ""
		return make(map[string]any)
	}
	// An oversized record is not even verified: it could not have been
	// written under this limit, and checking it would cost the request.
	// A zero Expiry: the store enforces expiry and returned a live record.
	if m.tooLarge(len(rec.Data)) || (!rec.Expiry.IsZero() && !rec.Expiry.After(now)) {
		kind := EventRejected
		if !m.tooLarge(len(rec.Data)) {
			kind = EventExpired
		}
		s.emit(Event{Kind: kind}, s.key, "")
		s.key = ""
		return make(map[string]any)
	}
	v, err := m.decodeRecord(rec.Data, now)
	if err != nil {
		// Tampered or foreign data in the store: Django logs it and starts
		// over under a new key.
		s.emit(Event{Kind: EventRejected}, s.key, "")
		s.key = ""
		return make(map[string]any)
	}
	if _, ok := v[ForwardKey]; ok {
		// A renewed key within its grace: the session it moved to.
		if v, ok := s.follow(v, now, false); ok {
			s.emit(Event{Kind: EventLoaded}, s.key, "")
			return v
		}
		s.emit(Event{Kind: EventExpired}, s.key, "")
		s.key = ""
		return make(map[string]any)
	}
	if m.timedOut(v, now) {
		// Like Django's expired record: gone for good, not just unused.
		s.emit(Event{Kind: EventExpired}, s.key, "")
		if err := m.store.Delete(s.ctx, s.key); err != nil {
			s.emit(Event{Kind: EventStoreError, Op: "delete", Err: fmt.Errorf("sessions: %w", err)}, s.key, "")
		}
		s.key = ""
		return make(map[string]any)
	}
	if !s.checkGeneration(v) {
		if s.err == nil {
			// Revoked by generation: gone for good, like a timed-out one.
			_ = m.store.Delete(s.ctx, s.key)
			s.key = ""
		}
		return make(map[string]any)
	}
	s.fromStore = true
	s.loadedData = rec.Data
	s.loadedExpiry = unixSeconds(rec.Expiry)
	s.emit(Event{Kind: EventLoaded}, s.key, "")
	return v
}

// loadRecord loads key's record, with its expiry when m.withExpiry is set.
func (m *Manager) loadRecord(ctx context.Context, key string) (Record, error) {
	if m.withExpiry != nil {
		return m.withExpiry.LoadWithExpiry(ctx, key)
	}
	return m.store.Load(ctx, key)
}
