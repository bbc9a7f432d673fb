package cookiestore_test

import (
	"errors"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// A signed cookie cannot be deleted by the server: "log out everywhere"
// reaches cookie sessions only through a per-user generation kept in a
// small server-side store.

func TestUsersWithoutGenerations(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sessions.Config{Secret: djangoSecret})
	if _, err := h.m.UserSessions(t.Context(), "u"); !errors.Is(err, sessions.ErrNoUserIndex) {
		t.Fatalf("UserSessions over cookies: %v, want ErrNoUserIndex", err)
	}
	if _, err := h.m.RevokeUser(t.Context(), "u"); !errors.Is(err, sessions.ErrNoUserIndex) {
		t.Fatalf("RevokeUser over cookies without generations: %v, want ErrNoUserIndex", err)
	}
}

func TestUsersGenerations(t *testing.T) {
	t.Parallel()
	gens := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = gens.Close() })
	h := newHarness(t, sessions.Config{Secret: djangoSecret, Users: sessions.UserConfig{Generations: gens}})
	login := func() string {
		_, c := h.do(t, "", func(s *sessions.Session) {
			if err := s.SetUser("alice", sessions.Device{UserAgent: "ua"}); err != nil {
				t.Fatal(err)
			}
			s.Set("foo", "bar")
		})
		if c == nil {
			t.Fatal("login set no cookie")
		}
		return c.Value
	}
	user := func(cookie string) string {
		var u string
		h.do(t, cookie, func(s *sessions.Session) { u = s.User() })
		return u
	}
	a, b, c := login(), login(), login()
	if user(a) != "alice" {
		t.Fatalf("cookie session not tied to alice")
	}
	// Log out everywhere but b, from b's own request.
	var kept string
	_, set := h.do(t, b, func(s *sessions.Session) {
		n, err := s.LogoutOtherDevices()
		if err != nil || n != 0 { // nothing to count: cookies are not listed
			t.Fatalf("LogoutOtherDevices = %d, %v", n, err)
		}
	})
	if set == nil {
		t.Fatal("LogoutOtherDevices did not re-sign the current cookie")
	}
	kept = set.Value
	if user(a) != "" || user(c) != "" {
		t.Fatalf("other cookie sessions survived: a %q, c %q", user(a), user(c))
	}
	if user(kept) != "alice" {
		t.Fatalf("the current session did not survive LogoutOtherDevices")
	}
	if got, _ := h.read(t, b); got != "" {
		t.Fatalf("b's old cookie value still reads %q", got)
	}
	// An administrator's RevokeUser ends the rest.
	if _, err := h.m.RevokeUser(t.Context(), "alice"); err != nil {
		t.Fatal(err)
	}
	if user(kept) != "" {
		t.Fatal("cookie session survived RevokeUser")
	}
	if user(login()) != "alice" {
		t.Fatal("a login after the revocation is not tied to alice")
	}
}
