package sessions

import (
	"cmp"
	"context"
	"crypto/subtle"
	"fmt"
	"slices"
	"time"
)

// UserSession is one live session of a user, as Manager.UserSessions
// lists it. It carries no key: nothing in it logs anyone in.
type UserSession struct {
	// ID names the session to RevokeSession; it equals Session.ID of that
	// session (and Event.ID), so a page can mark "this device".
	ID        string
	UserAgent string
	IP        string
	// Login is when SetUser ran; LastSeen when the session was last used,
	// to within Config.Users.SeenInterval.
	Login    time.Time
	LastSeen time.Time
	// Expiry is when the record expires, as the store's LoadKeys reports
	// it (every store here does); zero if a store does not.
	Expiry time.Time
}

// revokeRounds bounds how often a revocation lists the user's sessions
// again: a round that finds a session cycled away from a revoked key (a
// login or renewal racing the revocation) ends that one too.
const revokeRounds = 3

// userSession is a listed session with its store key.
type userSession struct {
	UserSession
	storeKey string
	prev     string // PrevKey: the ID it was cycled away from
}

// UserSessions lists user's live sessions, the most recently seen first,
// at a cost that grows with that user's sessions only. Entries whose
// records expired or are tied to someone else are dropped from the index
// on the way; those of records that are gone wait for their until (a
// logout and a cycle remove their own). It fails with ErrNoUserIndex when the store keeps no
// per-user index.
func (m *Manager) UserSessions(ctx context.Context, user string) ([]UserSession, error) {
	found, err := m.userSessions(ctx, user)
	if err != nil {
		return nil, err
	}
	out := make([]UserSession, len(found))
	for i, f := range found {
		out[i] = f.UserSession
	}
	return out, nil
}

func (m *Manager) userSessions(ctx context.Context, user string) ([]userSession, error) {
	if m.index == nil {
		return nil, ErrNoUserIndex
	}
	if user == "" {
		return nil, nil
	}
	keys, err := m.index.UserKeys(ctx, user)
	if err != nil {
		return nil, fmt.Errorf("sessions: list user sessions: %w", err)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	recs, err := m.index.LoadKeys(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("sessions: load user sessions: %w", err)
	}
	if len(recs) != len(keys) {
		return nil, fmt.Errorf("sessions: load user sessions: %d records for %d keys", len(recs), len(keys))
	}
	now := m.cfg.Clock()
	var out []userSession
	var dead []string
	for i, rec := range recs {
		if rec.Data == nil {
			// Gone, or not written yet: a save indexes a key before it
			// writes the record, so dropping the entry here could leave a
			// session being created unindexed. The entry's until ends it.
			continue
		}
		v, ok := m.liveRecord(rec, now)
		if u, _ := v[UserKey].(string); !ok || u != user {
			dead = append(dead, keys[i])
			continue
		}
		us := userSession{storeKey: keys[i], UserSession: UserSession{ID: m.ids.id(keys[i]), Expiry: rec.Expiry}}
		us.UserAgent, _ = v[UserAgentKey].(string)
		us.IP, _ = v[IPKey].(string)
		us.Login, _ = unixKey(v, LoginKey)
		us.LastSeen, _ = unixKey(v, ActiveKey)
		us.prev, _ = v[PrevKey].(string)
		out = append(out, us)
	}
	if len(dead) > 0 {
		// Best effort: a failure leaves entries the next listing drops.
		_ = m.index.UnindexUser(ctx, user, dead...)
	}
	slices.SortFunc(out, func(a, b userSession) int {
		return cmp.Or(b.LastSeen.Compare(a.LastSeen), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// liveRecord decodes a record LoadKeys returned, and reports whether it
// is a live session: not missing, expired, oversized, tampered, timed out
// or a renewal's forwarding record.
func (m *Manager) liveRecord(rec Record, now time.Time) (map[string]any, bool) {
	if rec.Data == nil || m.tooLarge(len(rec.Data)) || (!rec.Expiry.IsZero() && !rec.Expiry.After(now)) {
		return nil, false
	}
	v, err := m.decodeRecord(rec.Data, now)
	if err != nil || m.timedOut(v, now) {
		return nil, false
	}
	if _, fwd := v[ForwardKey]; fwd {
		return nil, false
	}
	return v, true
}

// RevokeSession ends the session of user named id (an ID from
// UserSessions): its record is deleted, so its next request, on any
// instance, gets a fresh session, and a request still running on it
// cannot save it back (ErrSessionDeleted). It fails with ErrNotFound when
// user has no live session with that ID.
func (m *Manager) RevokeSession(ctx context.Context, user, id string) error {
	found, err := m.userSessions(ctx, user)
	if err != nil {
		return err
	}
	var target []userSession
	for _, f := range found {
		if subtle.ConstantTimeCompare([]byte(f.ID), []byte(id)) == 1 {
			target = append(target, f)
		}
	}
	if len(target) == 0 {
		return fmt.Errorf("%w: no live session %q of that user", ErrNotFound, id)
	}
	if err := m.end(ctx, user, target); err != nil {
		return err
	}
	// A cycle that raced the deletion moved the session to a key whose
	// record names the revoked ID: end that one too.
	ended := map[string]bool{id: true}
	for range revokeRounds - 1 {
		found, err := m.userSessions(ctx, user)
		if err != nil {
			return err
		}
		var more []userSession
		for _, f := range found {
			if ended[f.prev] && !ended[f.ID] {
				more = append(more, f)
				ended[f.ID] = true
			}
		}
		if len(more) == 0 {
			return nil
		}
		if err := m.end(ctx, user, more); err != nil {
			return err
		}
	}
	return nil
}

// RevokeUser ends every live session of user except those whose IDs are
// in except ("log out everywhere"; with the current session's ID, "log
// out the other devices"), and returns how many it ended. With
// Config.Users.Generations it also advances the user's generation, which
// ends the user's cookie sessions, except included: for those, use
// Session.LogoutOtherDevices, which keeps the current one. It fails with
// ErrNoUserIndex when the store keeps neither an index nor generations.
func (m *Manager) RevokeUser(ctx context.Context, user string, except ...string) (int, error) {
	if m.index == nil && m.cfg.Users.Generations == nil {
		return 0, ErrNoUserIndex
	}
	n := 0
	if m.index != nil {
		var err error
		if n, err = m.revoke(ctx, user, except...); err != nil {
			return n, err
		}
	}
	if g := m.cfg.Users.Generations; g != nil {
		if _, err := g.NextGeneration(ctx, user); err != nil {
			return n, fmt.Errorf("sessions: user generation: %w", err)
		}
	}
	return n, nil
}

// revoke deletes user's sessions but except, listing again until a round
// finds none: a login or renewal that listed after the previous round's
// list is caught by the next.
func (m *Manager) revoke(ctx context.Context, user string, except ...string) (int, error) {
	n := 0
	for range revokeRounds {
		found, err := m.userSessions(ctx, user)
		if err != nil {
			return n, err
		}
		found = slices.DeleteFunc(found, func(f userSession) bool { return slices.Contains(except, f.ID) })
		if len(found) == 0 {
			break
		}
		if err := m.end(ctx, user, found); err != nil {
			return n, err
		}
		n += len(found)
	}
	return n, nil
}

// end deletes the records of sessions, then their index entries, and
// reports each as EventRevoked.
func (m *Manager) end(ctx context.Context, user string, sessions []userSession) error {
	keys := make([]string, len(sessions))
	for i, f := range sessions {
		keys[i] = f.storeKey
	}
	if err := m.index.DeleteKeys(ctx, keys); err != nil {
		return fmt.Errorf("sessions: revoke user sessions: %w", err)
	}
	// Best effort: the records are gone, and the next listing drops
	// entries whose records are.
	_ = m.index.UnindexUser(ctx, user, keys...)
	if m.cfg.OnEvent != nil {
		now := m.cfg.Clock()
		for _, f := range sessions {
			m.cfg.OnEvent(ctx, Event{Kind: EventRevoked, ID: f.ID, Time: now})
		}
	}
	return nil
}

// storeKey returns the key the store keeps for key: its hash with
// Config.HashKeys.
func (m *Manager) storeKey(key string) string {
	if m.hasher != nil {
		return m.hasher.hash(key)
	}
	return key
}

// publicID returns the ID of the session under key: the same whether it
// is computed from a request's key or from the store key a listing finds.
func (m *Manager) publicID(key string) string {
	return m.ids.id(m.storeKey(key))
}
