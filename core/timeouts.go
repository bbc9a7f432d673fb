package sessions

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// The reserved keys of the OWASP timeouts, kept in the session dict beside
// Django's own _session_expiry so that they travel through every store,
// the signed cookie included. Django ignores them: a session shared with
// Django is not ended by Django when they run out, only by this package
// (and by the record expiry they shorten). Times are Unix seconds.
const (
	// CreatedKey holds when the session was created or last logged in
	// (CycleKey): the start of its absolute lifetime.
	CreatedKey = "_sk_created"
	// SeenKey holds when the session data was last written. With a
	// client store it is the last activity; server-side, a Touch extends
	// the record without rewriting it, so the record expiry is the idle
	// deadline and SeenKey only dates the data.
	SeenKey = "_sk_seen"
	// IdleKey and AbsoluteKey hold a session's own timeouts, in seconds,
	// set by SetTimeouts (remember-me); 0 turns one off for the session.
	IdleKey     = "_sk_idle"
	AbsoluteKey = "_sk_absolute"
)

// touchFraction: a read-only request extends the idle deadline only once
// it would move it by at least IdleTimeout/touchFraction, so a busy
// session costs one Touch per quarter of its idle timeout, not one per
// request.
const touchFraction = 4

// SetTimeouts gives this session its own idle timeout and absolute
// lifetime in place of Config's (remember-me); zero turns one off for
// this session. They are kept in the session and take effect from the
// next save. The absolute lifetime still counts from creation or the last
// CycleKey.
func (s *Session) SetTimeouts(idle, absolute time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	s.values[IdleKey] = int64(max(idle, 0) / time.Second)
	s.values[AbsoluteKey] = int64(max(absolute, 0) / time.Second)
	s.markChanged(IdleKey, "SetTimeouts")
	s.markChanged(AbsoluteKey, "SetTimeouts")
}

// ResetTimeouts returns the session to Config's timeouts.
func (s *Session) ResetTimeouts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	for _, k := range []string{IdleKey, AbsoluteKey} {
		if _, ok := s.values[k]; ok {
			delete(s.values, k)
			s.markChanged(k, "ResetTimeouts")
		}
	}
}

// checkTimeouts refuses negative timeouts.
func (c *Config) checkTimeouts() error {
	if c.IdleTimeout < 0 || c.AbsoluteTimeout < 0 || c.RenewInterval < 0 || c.RenewGrace < 0 {
		return fmt.Errorf("%w: IdleTimeout, AbsoluteTimeout, RenewInterval and RenewGrace must not be negative", ErrInvalidConfig)
	}
	return nil
}

// timeouts returns the idle timeout and absolute lifetime in force for
// the session dict v: its own, else Config's. Zero is off.
func (m *Manager) timeouts(v map[string]any) (idle, absolute time.Duration) {
	idle, absolute = m.cfg.IdleTimeout, m.cfg.AbsoluteTimeout
	if d, ok := secondsKey(v, IdleKey); ok {
		idle = d
	}
	if d, ok := secondsKey(v, AbsoluteKey); ok {
		absolute = d
	}
	return max(idle, 0), max(absolute, 0)
}

// timedOut reports whether the loaded dict v has outlived its absolute
// lifetime or, with a client store (where SeenKey is the last activity),
// its idle timeout. Server-side the store enforces the idle deadline: it
// is the record expiry.
func (m *Manager) timedOut(v map[string]any, now time.Time) bool {
	idle, absolute := m.timeouts(v)
	if absolute > 0 {
		if c, ok := unixKey(v, CreatedKey); ok && !c.Add(absolute).After(now) {
			return true
		}
	}
	if idle > 0 && m.client != nil {
		if seen, ok := unixKey(v, SeenKey); ok && !seen.Add(idle).After(now) {
			return true
		}
	}
	return false
}

// stamp records, before a write at now, the start of the absolute
// lifetime (once) and the time of this write. Without timeouts it adds
// nothing, so a session shared with Django keeps its exact dict.
func (s *Session) stamp(now time.Time) {
	idle, absolute := s.m.timeouts(s.values)
	if idle == 0 && absolute == 0 && s.m.cfg.RenewInterval <= 0 {
		return
	}
	if _, ok := s.values[CreatedKey]; !ok {
		s.values[CreatedKey] = now.Unix()
	}
	if idle > 0 {
		s.values[SeenKey] = now.Unix()
	}
	if _, ok := s.values[KeyedKey]; !ok && s.m.cfg.RenewInterval > 0 {
		s.values[KeyedKey] = now.Unix()
	}
}

// deadline caps the record expiry at (Django's) by the absolute lifetime
// and the idle timeout counted from now.
func (m *Manager) deadline(v map[string]any, at, now time.Time) time.Time {
	idle, absolute := m.timeouts(v)
	if absolute > 0 {
		if c, ok := unixKey(v, CreatedKey); ok {
			at = minTime(at, c.Add(absolute))
		}
	}
	if idle > 0 {
		at = minTime(at, now.Add(idle))
	}
	return at
}

// refresh keeps an idle timeout from ending a session that is in use but
// not written, on a request that writes nothing. It extends the record
// with a Touch when the store can (its data untouched), at most once per
// IdleTimeout/touchFraction, and reports whether the data must be
// rewritten instead: with a client store (the new SeenKey must be signed
// into the cookie), a store without Toucher, or one that does not report
// the expiry it loaded (neither in Load nor through ExpiryLoader), which
// then costs one data write per fraction. s.mu must be held.
func (s *Session) refresh() bool {
	if !s.loaded || s.key == "" {
		return false // not used by this request: not activity either
	}
	m := s.m
	idle, absolute := m.timeouts(s.values)
	if _, ok := s.values[CreatedKey]; absolute > 0 && !ok {
		return true // written before the absolute lifetime was on
	}
	if idle == 0 {
		return false
	}
	seen, ok := unixKey(s.values, SeenKey)
	if !ok {
		return true // written before the idle timeout was on
	}
	now := m.cfg.Clock()
	stale := now.Sub(seen) >= idle/touchFraction
	if m.client != nil || !s.fromStore {
		return m.client != nil && stale
	}
	t, ok := m.store.(Toucher)
	if !ok || s.loadedExpiry == 0 {
		return stale
	}
	// Never beyond the expiry Django gave the data when it was written.
	target := m.deadline(s.values, m.expiry(s.values[ExpiryKey], seen).at, now)
	if target.Sub(time.Unix(int64(s.loadedExpiry), 0)) < idle/touchFraction {
		return false
	}
	if err := t.Touch(s.ctx, s.key, target); err != nil && !errors.Is(err, ErrNotFound) {
		// The request is served: a missed extension only ends the session
		// earlier, which an idle timeout may.
		s.emit(Event{Kind: EventStoreError, Op: "touch", Err: fmt.Errorf("sessions: %w", err)}, s.key, "")
		return false
	}
	s.loadedExpiry = unixSeconds(target)
	return false
}

// maxSeconds bounds the stored times and durations, so that seconds
// still fit a time.Duration: anything larger is not one of ours.
const maxSeconds = 1 << 33

// secondsKey reads a duration stored as whole seconds.
func secondsKey(v map[string]any, key string) (time.Duration, bool) {
	x, ok := v[key]
	if !ok {
		return 0, false
	}
	f, ok := asFloat64(x)
	if !ok || math.IsNaN(f) || math.Abs(f) > maxSeconds {
		return 0, false
	}
	return time.Duration(f) * time.Second, true
}

// unixKey reads a time stored as Unix seconds.
func unixKey(v map[string]any, key string) (time.Time, bool) {
	x, ok := v[key]
	if !ok {
		return time.Time{}, false
	}
	f, ok := asFloat64(x)
	if !ok || math.IsNaN(f) || math.Abs(f) > maxSeconds {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}

// unixSeconds is t in Unix seconds, 0 (unknown) for the zero Time or one
// outside uint32.
func unixSeconds(t time.Time) uint32 {
	if u := t.Unix(); u > 0 && u <= math.MaxUint32 {
		return uint32(u)
	}
	return 0
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// The reserved keys of key renewal. KeyedKey holds when the current key
// was issued (Unix seconds). A renewed key's old record becomes a
// forwarding record: ForwardKey names the new key, sealed under the old
// one (forward.go), and ForwardUntilKey ends the grace (Unix seconds).
// Only the server writes them, and server-side records are signed, so a
// client cannot point a key anywhere.
const (
	KeyedKey        = "_sk_keyed"
	ForwardKey      = "_sk_forward"
	ForwardUntilKey = "_sk_forward_until"
)

// renewAttempts bounds the rotations a request tries when other instances
// keep changing the record; past it the request keeps the old key and a
// later request renews.
const renewAttempts = 3

// renewDue reports whether the loaded server-side session's key is older
// than the renewal interval. s.mu must be held.
func (s *Session) renewDue() bool {
	if s.m.cfg.RenewInterval <= 0 || !s.fromStore || s.key == "" || s.staleKey != "" || s.rekeyed {
		return false
	}
	keyed, ok := unixKey(s.values, KeyedKey)
	return ok && s.m.cfg.Clock().Sub(keyed) >= s.m.cfg.RenewInterval
}

// renew moves the session to a new key, with its data and this request's
// changes merged into the current record, and turns the old record into a
// forwarding record for RenewGrace (or deletes it without a grace). The
// per-key lock keeps the requests of this process from forking the
// session: the second one finds the forwarding record and follows it.
// Across instances the forwarding write is conditional on the record
// being unchanged: the loser drops its new record and follows the
// winner's. s.mu must be held.
func (s *Session) renew(now time.Time) error {
	m := s.m
	old := s.key
	held, err := m.saving.lock(s.ctx, old)
	if err != nil {
		return fmt.Errorf("sessions: waiting for concurrent saves: %w", err)
	}
	defer m.saving.unlock(old, held)
	for range renewAttempts {
		cur, err := m.store.Load(s.ctx, old)
		if errors.Is(err, ErrNotFound) {
			return s.gone()
		}
		if err != nil {
			return fmt.Errorf("sessions: renew: %w", err)
		}
		theirs, err := m.decodeRecord(cur.Data, now)
		if err != nil {
			return fmt.Errorf("sessions: renew: %w", err)
		}
		if _, ok := theirs[ForwardKey]; ok {
			// Renewed by another request meanwhile: join it.
			v, ok := s.follow(theirs, now, true)
			if !ok {
				return s.gone()
			}
			s.values = v
			return nil
		}
		s.values = s.mergeInto(cur.Data, now)
		s.values[KeyedKey] = now.Unix()
		s.stamp(now)
		exp := m.expiry(s.values[ExpiryKey], now)
		plan, indexIt := s.planIndex(now, exp.at, true, old)
		data, err := m.encodeRecord(s.values, now, len(cur.Data))
		if err != nil {
			return err
		}
		rec := Record{Data: data, Expiry: m.deadline(s.values, exp.at, now)}
		key, err := s.createRecord(rec, plan, indexIt)
		if err != nil {
			return err
		}
		switch err := s.retire(old, key, cur.Data, now); {
		case errors.Is(err, ErrConflict):
			// Changed elsewhere since we read it: undo and look again.
			_ = m.store.Delete(s.ctx, key)
			s.unindex(plan.user, key)
			continue
		case errors.Is(err, ErrNotFound), errors.Is(err, ErrSessionDeleted):
			// Deleted meanwhile (a logout, a revocation): so is the copy.
			_ = m.store.Delete(s.ctx, key)
			s.unindex(plan.user, key)
			return s.gone()
		case err != nil:
			return err
		}
		s.unindex(s.user, old)
		s.key = key
		s.fromStore = true
		s.loadedData = rec.Data
		s.loadedExpiry = unixSeconds(rec.Expiry)
		s.cleared = false
		s.resetChanged()
		s.modified = false // this request's changes are in the new record
		s.rekeyed = true
		s.saved()
		s.emit(Event{Kind: EventCycled}, key, old)
		return nil
	}
	return nil // keep the old key; a later request renews
}

// gone handles a session deleted (logout elsewhere) before its renewal:
// a request that changed it fails as any save would; one that only read
// it just ends it. s.mu must be held.
func (s *Session) gone() error {
	if s.modified {
		return ErrSessionDeleted
	}
	s.key, s.fromStore, s.loadedData = "", false, nil
	return nil
}

// createRecord stores rec under a fresh key, create-only, and returns the
// key, leaving the session as it is.
func (s *Session) createRecord(rec Record, plan indexPlan, indexIt bool) (string, error) {
	for range createAttempts {
		key, err := NewKey()
		if err != nil {
			return "", err
		}
		if indexIt {
			if err := s.index(plan, key); err != nil {
				return "", err
			}
		}
		err = s.m.store.Save(s.ctx, key, rec, Condition{Mode: CreateOnly})
		if errors.Is(err, ErrKeyExists) {
			if indexIt {
				s.unindex(plan.user, key)
			}
			continue
		}
		if err != nil {
			return "", fmt.Errorf("sessions: renew: %w", err)
		}
		return key, nil
	}
	return "", fmt.Errorf("%w after %d attempts", ErrKeyExists, createAttempts)
}

// retire replaces the old record, if it is still what was read, with a
// forwarding record to key for RenewGrace, or deletes it.
func (s *Session) retire(old, key string, loaded []byte, now time.Time) error {
	m := s.m
	grace := m.cfg.RenewGrace
	if grace <= 0 {
		// A session tied to a user checks first that it was not revoked:
		// a conditional write (below) would tell, a delete cannot.
		if s.user != "" && m.index != nil {
			if ok, err := m.store.Exists(s.ctx, old); err != nil {
				return fmt.Errorf("sessions: renew: %w", err)
			} else if !ok {
				return ErrSessionDeleted
			}
		}
		if err := m.store.Delete(s.ctx, old); err != nil {
			return fmt.Errorf("sessions: renew: %w", err)
		}
		return nil
	}
	until := now.Add(grace)
	fwd, err := m.encodeRecord(map[string]any{ForwardKey: sealForward(old, key), ForwardUntilKey: until.Unix()}, now, 128)
	if err != nil {
		return err
	}
	err = m.store.Save(s.ctx, old, Record{Data: fwd, Expiry: until}, Condition{Mode: UpdateIfUnchanged, Loaded: loaded})
	if err != nil && !errors.Is(err, ErrConflict) && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("sessions: renew: %w", err)
	}
	return err
}

// follow adopts the session a forwarding record fwd names, within its
// grace: s.key becomes the new key, and the commit sends the new cookie.
// It returns the session's data: with merge, this request's changes
// merged into the target's. A forwarding record is followed once, never
// to another one. ok reports whether the target was live. s.mu must be
// held.
func (s *Session) follow(fwd map[string]any, now time.Time, merge bool) (values map[string]any, ok bool) {
	m := s.m
	sealed, _ := fwd[ForwardKey].(string)
	target, valid := openForward(s.key, sealed)
	until, ok := unixKey(fwd, ForwardUntilKey)
	if !ok || !until.After(now) || !valid {
		return nil, false
	}
	rec, err := m.store.Load(s.ctx, target)
	if err != nil || m.tooLarge(len(rec.Data)) || (!rec.Expiry.IsZero() && !rec.Expiry.After(now)) {
		return nil, false
	}
	v, err := m.decodeRecord(rec.Data, now)
	if err != nil || m.timedOut(v, now) {
		return nil, false
	}
	if _, chained := v[ForwardKey]; chained {
		return nil, false
	}
	if merge {
		v = s.mergeInto(rec.Data, now)
	}
	s.key = target
	s.fromStore = true
	s.loadedData = rec.Data
	s.loadedExpiry = unixSeconds(rec.Expiry)
	s.rekeyed = true
	return v, true
}
