package sessions

import (
	"errors"
	"fmt"
	"time"
)

// The reserved keys of the per-user index, kept in the session dict like
// the timeouts' (Django ignores them). Times are Unix seconds.
const (
	// UserKey holds the user the session is tied to (Session.SetUser).
	UserKey = "_sk_user"
	// UserAgentKey and IPKey hold the Device given to SetUser.
	UserAgentKey = "_sk_ua"
	IPKey        = "_sk_ip"
	// LoginKey holds when SetUser ran; ActiveKey when the session was last
	// used, to within Config.Users.SeenInterval.
	LoginKey  = "_sk_login"
	ActiveKey = "_sk_active"
	// IndexedKey holds the until of the session's index entry: once the
	// record may outlive it, the next save indexes the key again.
	IndexedKey = "_sk_indexed"
	// PrevKey holds the ID of the key the session was cycled away from, so
	// that revoking that ID also finds a cycle that raced the revocation.
	PrevKey = "_sk_prev"
	// GenerationKey holds the user's generation (Config.Users.Generations)
	// when SetUser ran.
	GenerationKey = "_sk_gen"
)

// DefaultSeenInterval is the default Config.Users.SeenInterval.
const DefaultSeenInterval = 5 * time.Minute

// maxUser bounds a user id: it is a column of the SQL index.
const maxUser = 255

// UserConfig configures the per-user session index.
type UserConfig struct {
	// SeenInterval is how stale a session's last-seen time may get: a
	// request that writes nothing else rewrites the session to move it at
	// most once per interval. Default: DefaultSeenInterval (5 minutes).
	SeenInterval time.Duration
	// Generations, if set, lets RevokeUser end sessions that no store can
	// delete: those of a ClientStore. SetUser records the user's
	// generation in the session; a load that finds it moved on ends the
	// session. Each load of a session tied to a user then costs a call of
	// it. Default: nil.
	Generations GenerationStore
}

func (c *UserConfig) setDefaults() error {
	if c.SeenInterval < 0 {
		return fmt.Errorf("%w: Users.SeenInterval must not be negative", ErrInvalidConfig)
	}
	if c.SeenInterval == 0 {
		c.SeenInterval = DefaultSeenInterval
	}
	return nil
}

// SetUser ties the session to user, recording d and the login time, so
// that Manager.UserSessions lists it and RevokeUser ends it. Call it on
// login, right after CycleKey. With a store that keeps a UserIndex, the
// save that follows indexes the key (one more store call). An empty user
// unties the session. user is at most 255 bytes; the application decides
// what it is (an id, never a password or token: it is stored in clear).
func (s *Session) SetUser(user string, d Device) error {
	if len(user) > maxUser {
		return fmt.Errorf("%w: user id of %d bytes, at most %d", ErrInvalidUser, len(user), maxUser)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.phase != pending {
		return ErrCommitted
	}
	s.ensureLoaded()
	if s.err != nil {
		return s.err
	}
	if prev, _ := s.values[UserKey].(string); prev != "" && prev != user && s.user == prev {
		s.untie = prev
	}
	if user == "" {
		for _, k := range userKeys {
			if _, ok := s.values[k]; ok {
				delete(s.values, k)
				s.markChanged(k, "SetUser")
			}
		}
		return nil
	}
	now := s.m.cfg.Clock().Unix()
	set := map[string]any{
		UserKey: user, UserAgentKey: clip(d.UserAgent, maxUserAgent), IPKey: clip(d.IP, maxIP),
		LoginKey: now, ActiveKey: now,
	}
	if g := s.m.cfg.Users.Generations; g != nil {
		gen, err := g.Generation(s.ctx, user)
		if err != nil {
			return fmt.Errorf("sessions: user generation: %w", err)
		}
		set[GenerationKey] = int64(gen)
	}
	for k, v := range set {
		s.values[k] = v
		s.markChanged(k, "SetUser")
	}
	delete(s.values, IndexedKey)
	s.indexNow = true
	return nil
}

// userKeys are the reserved keys SetUser writes, removed by SetUser("").
var userKeys = [...]string{UserKey, UserAgentKey, IPKey, LoginKey, ActiveKey, IndexedKey, PrevKey, GenerationKey}

// User returns the user the session is tied to, "" for none.
func (s *Session) User() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	u, _ := s.values[UserKey].(string)
	return u
}

// LogoutOtherDevices revokes every other session of the session's user
// ("log out of all other devices", after a password change) and returns
// how many it ended. With Config.Users.Generations it also advances the
// user's generation, ending cookie sessions, and keeps this one by
// recording the new generation in it. It fails with ErrNoUser for a
// session not tied to a user.
func (s *Session) LogoutOtherDevices() (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.phase != pending {
		return 0, ErrCommitted
	}
	s.ensureLoaded()
	if s.err != nil {
		return 0, s.err
	}
	user, _ := s.values[UserKey].(string)
	if user == "" {
		return 0, ErrNoUser
	}
	m := s.m
	if m.index == nil && m.cfg.Users.Generations == nil {
		return 0, ErrNoUserIndex
	}
	n := 0
	if m.index != nil {
		var err error
		if n, err = m.revoke(s.ctx, user, m.publicID(s.key)); err != nil {
			return n, err
		}
	}
	if g := m.cfg.Users.Generations; g != nil {
		gen, err := g.NextGeneration(s.ctx, user)
		if err != nil {
			return n, fmt.Errorf("sessions: user generation: %w", err)
		}
		s.values[GenerationKey] = int64(gen)
		s.markChanged(GenerationKey, "LogoutOtherDevices")
	}
	return n, nil
}

// activeDue reports whether a request that wrote nothing must still save
// to move the session's last-seen time. s.mu must be held.
func (s *Session) activeDue() bool {
	if !s.loaded || s.key == "" || s.user == "" {
		return false
	}
	seen, ok := unixKey(s.values, ActiveKey)
	return !ok || s.m.cfg.Clock().Sub(seen) >= s.m.cfg.Users.SeenInterval
}

// indexPlan is what a save must tell the user index: the user and the
// until of the entry, when it needs one.
type indexPlan struct {
	user  string
	until time.Time
}

// planIndex prepares the dict for a write at now whose Django expiry is
// at, and returns the index entry the write needs: when SetUser ran, when
// the key changes (from the key from, if any), or when the record may
// outlive the entry. The entry's
// until runs an eighth of the session's age past at, so that a session in
// use is re-indexed about once per eighth of its age, not on every save.
// It also moves the last-seen time. s.mu must be held.
func (s *Session) planIndex(now, at time.Time, newKey bool, from string) (indexPlan, bool) {
	user, _ := s.values[UserKey].(string)
	if user == "" {
		return indexPlan{}, false
	}
	if seen, ok := unixKey(s.values, ActiveKey); !ok || now.Sub(seen) >= time.Second {
		s.values[ActiveKey] = now.Unix()
		s.track(ActiveKey)
	}
	if s.m.index == nil {
		return indexPlan{}, false
	}
	if newKey && from != "" && s.user != "" {
		s.values[PrevKey] = s.m.publicID(from)
		s.track(PrevKey)
	}
	indexed, ok := unixKey(s.values, IndexedKey)
	if !s.indexNow && !newKey && ok && !at.After(indexed) {
		return indexPlan{}, false
	}
	until := at.Add(max(at.Sub(now), 0) / 8).Add(time.Second)
	s.values[IndexedKey] = until.Unix()
	s.track(IndexedKey)
	return indexPlan{user: user, until: until}, true
}

// index writes the entry of key before its record is written, so that a
// live record is always indexed; a failed write is the save's error.
func (s *Session) index(p indexPlan, key string) error {
	if err := s.m.index.IndexUser(s.ctx, p.user, s.m.storeKey(key), p.until); err != nil {
		err = fmt.Errorf("sessions: index user session: %w", err)
		s.emit(Event{Kind: EventStoreError, Op: "index", Err: err}, key, "")
		return err
	}
	return nil
}

// unindex removes keys from user's entries after their records are gone.
// A failure only leaves entries that the next listing drops.
func (s *Session) unindex(user string, keys ...string) {
	if s.m.index == nil || user == "" {
		return
	}
	sk := make([]string, 0, len(keys))
	for _, k := range keys {
		if k != "" {
			sk = append(sk, s.m.storeKey(k))
		}
	}
	if len(sk) == 0 {
		return
	}
	if err := s.m.index.UnindexUser(s.ctx, user, sk...); err != nil {
		s.emit(Event{Kind: EventStoreError, Op: "unindex", Err: fmt.Errorf("sessions: %w", err)}, keys[0], "")
	}
}

// stillThere checks, before a session tied to a user leaves old for a new
// key, that old was not revoked meanwhile: a revocation that listed the
// user's sessions before the new key was indexed would miss it. If old is
// gone, the new record is deleted and the save fails as any save of a
// deleted session does. s.mu must be held.
func (s *Session) stillThere(old, key string) error {
	if s.user == "" || s.m.index == nil {
		return nil
	}
	ok, err := s.m.store.Exists(s.ctx, old)
	if err == nil && ok {
		return nil
	}
	_ = s.m.store.Delete(s.ctx, key)
	s.unindex(s.user, key)
	if err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	return ErrSessionDeleted
}

// checkGeneration ends a session tied to a user whose generation moved on
// (RevokeUser with Config.Users.Generations). It reports whether the
// session v may be used; a failing GenerationStore is the request's error.
// s.mu must be held.
func (s *Session) checkGeneration(v map[string]any) bool {
	g := s.m.cfg.Users.Generations
	if g == nil {
		return true
	}
	user, _ := v[UserKey].(string)
	if user == "" {
		return true
	}
	cur, err := g.Generation(s.ctx, user)
	if err != nil {
		s.err = fmt.Errorf("sessions: user generation: %w", err)
		s.emit(Event{Kind: EventStoreError, Op: "generation", Err: s.err}, s.key, "")
		return false
	}
	// A session from before Generations was set has none: generation 0,
	// valid until the user's first revocation.
	have, _ := asFloat64(v[GenerationKey])
	if uint64(max(have, 0)) == cur {
		return true
	}
	s.emit(Event{Kind: EventRevoked}, s.key, "")
	return false
}

// errors of the per-user index.
var (
	// ErrNoUserIndex reports a per-user operation on a store that keeps no
	// per-user index: a ClientStore (without Config.Users.Generations), or
	// a Store that does not implement UserIndex.
	ErrNoUserIndex = errors.New("sessions: the store keeps no per-user session index")
	// ErrNoUser reports a per-user operation on a session not tied to a
	// user.
	ErrNoUser = errors.New("sessions: the session is not tied to a user")
	// ErrInvalidUser reports a user id SetUser cannot keep.
	ErrInvalidUser = errors.New("sessions: invalid user id")
)
