package sessions

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

const (
	// createAttempts bounds key collisions on create; with 165-bit keys a
	// second attempt already means something is wrong with the store.
	createAttempts = 16
	// mergeAttempts bounds how often a save re-merges into a record that
	// concurrent requests keep changing. With the backoff below, 32
	// writers on one session all get through well within it.
	mergeAttempts = 64
	// mergeBackoff and mergeBackoffMax shape the wait before a re-merge:
	// full jitter over an exponentially growing window, so writers that
	// collided spread out instead of colliding again.
	mergeBackoff    = 500 * time.Microsecond
	mergeBackoffMax = 50 * time.Millisecond
)

// Save writes the session to its store now. Sessions from Manager.Open
// need it; in a request the middleware saves for you, and a Save there
// (a gorilla/sessions habit) writes now instead of at the commit, so the
// request still costs one write. A session that was deleted meanwhile is
// not brought back: Save returns ErrSessionDeleted. After the response
// was committed, Save returns ErrCommitted.
func (s *Session) Save() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.phase != pending {
		return ErrCommitted
	}
	s.ensureLoaded()
	now := s.m.cfg.Clock()
	if _, err := s.saveLocked(now, s.m.expiry(s.values[ExpiryKey], now)); err != nil {
		return err
	}
	if s.managed {
		s.savedEarly = true
		s.modified = false
	}
	return nil
}

// saveLocked writes the loaded session with expiry exp computed at now,
// and returns the expiry written: another request's, if a merge took it.
// s.mu must be held.
func (s *Session) saveLocked(now time.Time, exp expiry) (expiry, error) {
	if s.err != nil {
		return exp, s.err
	}
	s.stamp(now)
	newKey := s.key == "" || !s.fromStore
	plan, indexIt := s.planIndex(now, exp.at, newKey, s.staleKey)
	if s.m.client != nil {
		return exp, s.saveClient(now)
	}
	data, err := s.m.encodeRecord(s.values, now, len(s.loadedData))
	if err != nil {
		return exp, err
	}
	rec := Record{Data: data, Expiry: s.m.deadline(s.values, exp.at, now)}
	if indexIt && !newKey {
		// Before the record: a live record is always indexed.
		if err := s.index(plan, s.key); err != nil {
			return exp, err
		}
	}
	if newKey {
		err = s.create(rec, plan, indexIt)
	} else {
		exp, err = s.update(rec, now, exp)
	}
	if err == nil {
		s.saved()
	}
	return exp, err
}

// saved brings the index bookkeeping up to date after a successful
// write: the session is now tied to whoever its data names. s.mu must be
// held.
func (s *Session) saved() {
	if s.untie != "" {
		s.unindex(s.untie, s.key)
		s.untie = ""
	}
	s.user, _ = s.values[UserKey].(string)
	s.indexNow = false
}

func (s *Session) saveClient(now time.Time) error {
	m := s.m
	buf := m.getBuf()
	defer m.putBuf(buf)
	raw, err := m.codec.Append((*buf)[:0], s.values)
	*buf = raw
	if err != nil {
		return fmt.Errorf("sessions: encode: %w", err)
	}
	token, err := m.client.Encode(m.signer, raw, now)
	if err != nil {
		err = fmt.Errorf("sessions: %w", err)
		s.emit(Event{Kind: EventStoreError, Op: "encode", Err: err}, s.key, "")
		return err
	}
	// The one size check: a cookie browsers would drop is refused here.
	if n := len(m.cfg.Cookie.Name) + 1 + len(token); n > MaxCookieSize {
		return fmt.Errorf("%w: %d bytes for name and value (limit %d)", ErrCookieTooLarge, n, MaxCookieSize)
	}
	// staleKey holds, for a client store, the cookie value CycleKey left.
	switch prev := s.key; {
	case s.staleKey != "":
		s.emit(Event{Kind: EventCycled}, token, s.staleKey)
	case prev == "":
		s.emit(Event{Kind: EventCreated}, token, "")
	default:
		s.emit(Event{Kind: EventSaved}, token, prev)
	}
	s.staleKey = ""
	s.key = token
	return nil
}

// create stores rec under a fresh key (create-only, retried on collision),
// then removes the record the session was cycled away from.
func (s *Session) create(rec Record, plan indexPlan, indexIt bool) error {
	store := s.m.store
	for range createAttempts {
		key, err := NewKey()
		if err != nil {
			return err
		}
		if indexIt {
			if err := s.index(plan, key); err != nil {
				return err
			}
		}
		err = store.Save(s.ctx, key, rec, Condition{Mode: CreateOnly})
		if errors.Is(err, ErrKeyExists) {
			if indexIt {
				s.unindex(plan.user, key)
			}
			continue
		}
		if err != nil {
			err = fmt.Errorf("sessions: %w", err)
			s.emit(Event{Kind: EventStoreError, Op: "save", Err: err}, s.key, "")
			return err
		}
		s.key = key
		s.fromStore = true
		s.loadedData = rec.Data
		s.loadedExpiry = unixSeconds(rec.Expiry)
		s.cleared = false
		s.resetChanged()
		if old := s.staleKey; old != "" {
			if err := s.stillThere(old, key); err != nil {
				s.key, s.fromStore, s.loadedData, s.staleKey = "", false, nil, ""
				return err
			}
			s.emit(Event{Kind: EventCycled}, key, old)
			s.staleKey = ""
			if err := store.Delete(s.ctx, old); err != nil {
				err = fmt.Errorf("sessions: delete cycled key: %w", err)
				s.emit(Event{Kind: EventStoreError, Op: "delete", Err: err}, old, "")
				return err
			}
			s.unindex(s.user, old)
		} else {
			s.emit(Event{Kind: EventCreated}, key, "")
		}
		return nil
	}
	err := fmt.Errorf("%w after %d attempts", ErrKeyExists, createAttempts)
	s.emit(Event{Kind: EventStoreError, Op: "save", Err: err}, s.key, "")
	return err
}

// update writes rec over the record this request loaded. If another
// request changed the record meanwhile, the keys this request changed are
// merged into the newer data and the write is retried, so concurrent
// requests that touch different keys lose nothing.
func (s *Session) update(rec Record, now time.Time, exp expiry) (expiry, error) {
	held, err := s.m.saving.lock(s.ctx, s.key)
	if err != nil {
		return exp, fmt.Errorf("sessions: waiting for concurrent saves: %w", err)
	}
	defer s.m.saving.unlock(s.key, held)
	store := s.m.store
	loaded := s.loadedData
	for attempt := range mergeAttempts {
		// The first re-merge goes at once: under the key's lock, its
		// conflict was the write of a request that saved before this one
		// took the lock, not a writer still racing it. Only a conflict
		// after that (another instance) waits.
		if attempt > 1 {
			if err := backoff(s.ctx, attempt-1); err != nil {
				return exp, fmt.Errorf("sessions: %d concurrent writes merged, then %w", attempt, err)
			}
		}
		err := store.Save(s.ctx, s.key, rec, Condition{Mode: UpdateIfUnchanged, Loaded: loaded})
		switch {
		case err == nil:
			s.loadedData = rec.Data
			s.loadedExpiry = unixSeconds(rec.Expiry)
			// What is stored now is ours: a later save merges from here.
			s.cleared = false
			s.resetChanged()
			if attempt > 0 {
				s.emit(Event{Kind: EventConflictMerged, Merges: attempt}, s.key, "")
			}
			s.emit(Event{Kind: EventSaved}, s.key, "")
			return exp, nil
		case errors.Is(err, ErrNotFound):
			return exp, ErrSessionDeleted
		case !errors.Is(err, ErrConflict):
			err = fmt.Errorf("sessions: %w", err)
			s.emit(Event{Kind: EventStoreError, Op: "save", Err: err}, s.key, "")
			return exp, err
		}
		current, err := store.Load(s.ctx, s.key)
		if errors.Is(err, ErrNotFound) {
			return exp, ErrSessionDeleted
		}
		if err != nil {
			err = fmt.Errorf("sessions: reload after conflict: %w", err)
			s.emit(Event{Kind: EventStoreError, Op: "load", Err: err}, s.key, "")
			return exp, err
		}
		s.values = s.mergeInto(current.Data, now)
		s.stamp(now)
		data, err := s.m.encodeRecord(s.values, now, len(current.Data))
		if err != nil {
			return exp, err
		}
		// The merged data may carry another request's expiry.
		exp = s.m.expiry(s.values[ExpiryKey], now)
		rec = Record{Data: data, Expiry: s.m.deadline(s.values, exp.at, now)}
		loaded = current.Data
	}
	s.emit(Event{Kind: EventStoreError, Op: "save", Merges: mergeAttempts, Err: ErrTooManyConflicts}, s.key, "")
	return exp, ErrTooManyConflicts
}

// backoff waits a random time below a window that doubles with each
// attempt, up to mergeBackoffMax, or until ctx is done.
func backoff(ctx context.Context, attempt int) error {
	window := min(mergeBackoff<<min(attempt-1, 16), mergeBackoffMax)
	t := time.NewTimer(rand.N(window) + 1)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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
		if fns, ok := s.updates[k]; ok {
			// An atomic update: re-applied to the newer value.
			v, present := merged[k]
			for _, fn := range fns {
				v = fn(v, present)
				present = true
			}
			merged[k] = v
			return
		}
		if v, ok := s.values[k]; ok {
			merged[k] = v
		} else {
			delete(merged, k)
		}
	})
	return merged
}
