package storetest

import (
	"errors"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
)

// The per-user sections through a Manager: what an application sees of
// the store's UserIndex, with the store's real round trips.

const usersSecret = "storetest-users-secret-0123456789"

func usersManager(t *testing.T, s sessions.Store, hashKeys bool) *sessions.Manager {
	t.Helper()
	userIndex(t, s)
	m, err := sessions.New(sessions.Config{Store: s, Secret: usersSecret, HashKeys: hashKeys})
	if hashKeys && errors.Is(err, sessions.ErrInvalidConfig) {
		t.Skipf("store refuses HashKeys: %v", err)
	}
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

// login stores a new session tied to user and returns its key and ID.
func login(t *testing.T, m *sessions.Manager, user, ua string) (key, id string) {
	t.Helper()
	s := m.Open(t.Context(), "")
	if err := s.SetUser(user, sessions.Device{UserAgent: ua, IP: "198.51.100.7"}); err != nil {
		t.Fatalf("SetUser: %v", err)
	}
	s.Set("cart", ua)
	if err := s.Save(); err != nil {
		t.Fatalf("Save: %v", err)
	}
	return s.Key(), s.ID()
}

func userOf(t *testing.T, m *sessions.Manager, key string) string {
	t.Helper()
	s := m.Open(t.Context(), key)
	if err := s.Load(); err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s.User()
}

func listIDs(t *testing.T, m *sessions.Manager, user string) map[string]sessions.UserSession {
	t.Helper()
	got, err := m.UserSessions(t.Context(), user)
	if err != nil {
		t.Fatalf("UserSessions: %v", err)
	}
	out := make(map[string]sessions.UserSession, len(got))
	for _, us := range got {
		out[us.ID] = us
	}
	if len(out) != len(got) {
		t.Fatalf("UserSessions listed an ID twice: %+v", got)
	}
	return out
}

func testUsersListRevoke(t *testing.T, s sessions.Store) { usersListRevoke(t, s, false) }
func testUsersHashedKeys(t *testing.T, s sessions.Store) { usersListRevoke(t, s, true) }

// usersListRevoke: a user's sessions are listed with their devices under
// the IDs Session.ID gives, and end when revoked one at a time, all but
// one, and all; another user's sessions are untouched.
func usersListRevoke(t *testing.T, s sessions.Store, hashKeys bool) {
	m := usersManager(t, s, hashKeys)
	user, other := newUser(t, "list"), newUser(t, "other")
	keys := map[string]string{}
	for _, ua := range []string{"phone", "laptop", "tablet"} {
		k, id := login(t, m, user, ua)
		keys[id] = k
	}
	otherKey, _ := login(t, m, other, "theirs")
	got := listIDs(t, m, user)
	if len(got) != 3 {
		t.Fatalf("listed %d sessions, want 3", len(got))
	}
	var phone, tablet string
	for id, us := range got {
		if keys[id] == "" {
			t.Fatalf("listed ID %s is no session's Session.ID", id)
		}
		if us.IP != "198.51.100.7" || us.Login.IsZero() || us.LastSeen.IsZero() {
			t.Fatalf("listed %+v", us)
		}
		switch us.UserAgent {
		case "phone":
			phone = id
		case "tablet":
			tablet = id
		}
	}
	if err := m.RevokeSession(t.Context(), user, phone); err != nil {
		t.Fatalf("RevokeSession: %v", err)
	}
	if u := userOf(t, m, keys[phone]); u != "" {
		t.Fatalf("revoked session still tied to %q", u)
	}
	if err := m.RevokeSession(t.Context(), user, phone); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("second RevokeSession: %v, want ErrNotFound", err)
	}
	if n, err := m.RevokeUser(t.Context(), user, tablet); err != nil || n != 1 {
		t.Fatalf("RevokeUser except one = %d, %v; want 1", n, err)
	}
	if got := listIDs(t, m, user); len(got) != 1 || got[tablet].ID == "" {
		t.Fatalf("after revoking all but the tablet: %+v", got)
	}
	if n, err := m.RevokeUser(t.Context(), user); err != nil || n != 1 {
		t.Fatalf("RevokeUser = %d, %v; want 1", n, err)
	}
	for id, k := range keys {
		if u := userOf(t, m, k); u != "" {
			t.Fatalf("session %s still tied to %q after RevokeUser", id, u)
		}
	}
	if u := userOf(t, m, otherKey); u != other {
		t.Fatalf("another user's session after the revocations: %q", u)
	}
}

// testUsersRunningRequest: a session revoked while a request holds it
// loaded cannot be saved back by that request.
func testUsersRunningRequest(t *testing.T, s sessions.Store) {
	m := usersManager(t, s, false)
	user := newUser(t, "running")
	key, _ := login(t, m, user, "ua")
	running := m.Open(t.Context(), key)
	if running.User() != user {
		t.Fatalf("loaded session tied to %q", running.User())
	}
	if n, err := m.RevokeUser(t.Context(), user); err != nil || n != 1 {
		t.Fatalf("RevokeUser = %d, %v", n, err)
	}
	running.Set("late", true)
	if err := running.Save(); !errors.Is(err, sessions.ErrSessionDeleted) {
		t.Fatalf("save of the revoked session: %v, want ErrSessionDeleted", err)
	}
	if got := listIDs(t, m, user); len(got) != 0 {
		t.Fatalf("%d sessions listed after the late save", len(got))
	}
	if u := userOf(t, m, key); u != "" {
		t.Fatalf("revoked session back, tied to %q", u)
	}
}

// testUsersCycle: a login that cycles the key keeps one listed session,
// under the new ID.
func testUsersCycle(t *testing.T, s sessions.Store) {
	m := usersManager(t, s, false)
	user := newUser(t, "cycle")
	key, oldID := login(t, m, user, "ua")
	sess := m.Open(t.Context(), key)
	if err := sess.CycleKey(); err != nil {
		t.Fatal(err)
	}
	if err := sess.SetUser(user, sessions.Device{UserAgent: "ua2"}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Save(); err != nil {
		t.Fatalf("Save after CycleKey: %v", err)
	}
	got := listIDs(t, m, user)
	if len(got) != 1 || got[sess.ID()].UserAgent != "ua2" || got[oldID].ID != "" {
		t.Fatalf("after a cycle: %+v, want only %s", got, sess.ID())
	}
}
