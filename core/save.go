package sessions

import (
	"errors"
	"fmt"
	"time"
)

const (
	// createAttempts bounds key collisions on create; with 165-bit keys a
	// second attempt already means something is wrong with the store.
	createAttempts = 16
	// mergeAttempts bounds how often a save re-merges into a record that
	// concurrent requests keep changing.
	mergeAttempts = 8
)

// Save writes the session to its store now. The middleware saves for you;
// call Save only for sessions from Manager.Open. A session that was deleted
// meanwhile is not brought back: Save returns ErrSessionDeleted.
func (s *Session) Save() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saveLocked(s.m.now())
}

func (s *Session) saveLocked(now time.Time) error {
	s.ensureLoaded()
	if s.err != nil {
		return s.err
	}
	m := s.m
	_, expiresAt, _ := m.expiry(s.values[ExpiryKey], now)
	if m.client != nil {
		return s.saveClient(now)
	}
	data, err := m.encodeRecord(s.values, now, len(s.loadedData))
	if err != nil {
		return err
	}
	rec := Record{Data: data, Expiry: expiresAt}
	if s.key == "" || !s.fromStore {
		return s.create(rec)
	}
	return s.update(rec, now)
}

func (s *Session) saveClient(now time.Time) error {
	buf := s.m.getBuf()
	defer s.m.putBuf(buf)
	raw, err := s.m.codec.Append((*buf)[:0], s.values)
	*buf = raw
	if err != nil {
		return fmt.Errorf("sessions: encode: %w", err)
	}
	token, err := s.m.client.Encode(raw, now)
	if err != nil {
		return fmt.Errorf("sessions: save: %w", err)
	}
	if err := s.m.checkCookieSize(token); err != nil {
		return err
	}
	s.key = token
	return nil
}

// create stores rec under a fresh key (create-only, retried on collision),
// then removes the record the session was cycled away from.
func (s *Session) create(rec Record) error {
	store := s.m.store
	for range createAttempts {
		key, err := NewKey()
		if err != nil {
			return err
		}
		err = store.Save(s.ctx, key, rec, Condition{Mode: CreateOnly})
		if errors.Is(err, ErrKeyExists) {
			continue
		}
		if err != nil {
			return fmt.Errorf("sessions: save: %w", err)
		}
		s.key = key
		s.fromStore = true
		s.loadedData = rec.Data
		s.cleared = false
		s.resetChanged()
		if old := s.staleKey; old != "" {
			s.staleKey = ""
			if err := store.Delete(s.ctx, old); err != nil {
				return fmt.Errorf("sessions: delete cycled key: %w", err)
			}
		}
		return nil
	}
	return fmt.Errorf("sessions: save: %w after %d attempts", ErrKeyExists, createAttempts)
}

// update writes rec over the record this request loaded. If another
// request changed the record meanwhile, the keys this request changed are
// merged into the newer data and the write is retried, so concurrent
// requests that touch different keys lose nothing.
func (s *Session) update(rec Record, now time.Time) error {
	store := s.m.store
	loaded := s.loadedData
	for range mergeAttempts {
		err := store.Save(s.ctx, s.key, rec, Condition{Mode: UpdateIfUnchanged, Loaded: loaded})
		switch {
		case err == nil:
			s.loadedData = rec.Data
			return nil
		case errors.Is(err, ErrNotFound):
			return ErrSessionDeleted
		case !errors.Is(err, ErrConflict):
			return fmt.Errorf("sessions: save: %w", err)
		}
		current, err := store.Load(s.ctx, s.key)
		if errors.Is(err, ErrNotFound) {
			return ErrSessionDeleted
		}
		if err != nil {
			return fmt.Errorf("sessions: save: reload after conflict: %w", err)
		}
		s.values = s.mergeInto(current.Data, now)
		data, err := s.m.encodeRecord(s.values, now, len(current.Data))
		if err != nil {
			return err
		}
		_, expiresAt, _ := s.m.expiry(s.values[ExpiryKey], now)
		rec = Record{Data: data, Expiry: expiresAt}
		loaded = current.Data
	}
	return ErrTooManyConflicts
}

// mergeInto applies this request's changes to the data another request
// stored: keys this request wrote win, keys it deleted are deleted, the
// rest is theirs. After Clear or CycleKey this request's data wins whole.
func (s *Session) mergeInto(theirs []byte, now time.Time) map[string]any {
	if s.cleared {
		return s.values
	}
	merged, err := s.m.decodeRecord(theirs, now)
	if err != nil {
		return s.values
	}
	s.changedKeys(func(k string) {
		if v, ok := s.values[k]; ok {
			merged[k] = v
		} else {
			delete(merged, k)
		}
	})
	return merged
}
