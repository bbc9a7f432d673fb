package sessions_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// indexStore is a memory store that counts writes and index calls.
type indexStore struct {
	*memstore.Store
	saves, indexes, unindexes atomic.Int32
	beforeSave, afterExists   atomic.Pointer[func()]
}

func (s *indexStore) Exists(ctx context.Context, key string) (bool, error) {
	ok, err := s.Store.Exists(ctx, key)
	if f := s.afterExists.Load(); f != nil {
		(*f)()
	}
	return ok, err
}

func (s *indexStore) Save(ctx context.Context, key string, r sessions.Record, c sessions.Condition) error {
	s.saves.Add(1)
	if f := s.beforeSave.Load(); f != nil {
		(*f)()
	}
	return s.Store.Save(ctx, key, r, c)
}

func (s *indexStore) IndexUser(ctx context.Context, user, key string, until time.Time) error {
	s.indexes.Add(1)
	return s.Store.IndexUser(ctx, user, key, until)
}

func (s *indexStore) UnindexUser(ctx context.Context, user string, keys ...string) error {
	s.unindexes.Add(1)
	return s.Store.UnindexUser(ctx, user, keys...)
}

type userRig struct {
	m     *sessions.Manager
	store *indexStore
	clock *clock
}

func newUserRig(t *testing.T, edit func(*sessions.Config)) *userRig {
	t.Helper()
	ck := &clock{now: t0}
	ms := memstore.New(memstore.Options{Clock: ck.Now})
	t.Cleanup(func() { _ = ms.Close() })
	st := &indexStore{Store: ms}
	cfg := sessions.Config{Store: st, Secret: testSecret, Clock: ck.Now}
	if edit != nil {
		edit(&cfg)
	}
	m, err := sessions.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &userRig{m: m, store: st, clock: ck}
}

// do runs one request carrying cookie through the middleware and returns
// the cookie the client holds afterwards.
func (r *userRig) do(t *testing.T, cookie, ua string, h func(s *sessions.Session, r *http.Request)) (string, int) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("User-Agent", ua)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	rec := httptest.NewRecorder()
	r.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h(sessions.FromContext(req.Context()), req)
	})).ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessions.DefaultCookieName {
			if c.MaxAge < 0 {
				return "", rec.Code
			}
			return c.Name + "=" + c.Value, rec.Code
		}
	}
	return cookie, rec.Code
}

func (r *userRig) login(t *testing.T, user, ua string) (cookie, id string) {
	t.Helper()
	cookie, code := r.do(t, "", ua, func(s *sessions.Session, req *http.Request) {
		if err := s.CycleKey(); err != nil {
			t.Fatal(err)
		}
		if err := s.SetUser(user, sessions.DeviceOf(req)); err != nil {
			t.Fatal(err)
		}
	})
	if code != http.StatusOK || cookie == "" {
		t.Fatalf("login: status %d, cookie %q", code, cookie)
	}
	r.do(t, cookie, ua, func(s *sessions.Session, _ *http.Request) { id = s.ID() })
	return cookie, id
}

// whoami returns the user the session behind cookie is tied to.
func (r *userRig) whoami(t *testing.T, cookie string) string {
	t.Helper()
	var u string
	r.do(t, cookie, "", func(s *sessions.Session, _ *http.Request) { u = s.User() })
	return u
}

func (r *userRig) list(t *testing.T, user string) []sessions.UserSession {
	t.Helper()
	got, err := r.m.UserSessions(t.Context(), user)
	if err != nil {
		t.Fatalf("UserSessions(%q): %v", user, err)
	}
	return got
}

func TestUserSessions(t *testing.T) {
	for _, hashed := range []bool{false, true} {
		t.Run(map[bool]string{false: "raw keys", true: "hashed keys"}[hashed], func(t *testing.T) {
			r := newUserRig(t, func(c *sessions.Config) { c.HashKeys = hashed })
			phone, phoneID := r.login(t, "alice", "Phone/1.0")
			r.clock.Add(time.Minute)
			laptop, laptopID := r.login(t, "alice", "Laptop/2.0")
			bob, _ := r.login(t, "bob", "Other/1.0")

			got := r.list(t, "alice")
			if len(got) != 2 {
				t.Fatalf("alice has %d sessions listed, want 2: %+v", len(got), got)
			}
			// Newest first, with the device and times SetUser recorded.
			if got[0].ID != laptopID || got[1].ID != phoneID {
				t.Fatalf("listed IDs %s, %s; want laptop %s then phone %s", got[0].ID, got[1].ID, laptopID, phoneID)
			}
			if got[0].UserAgent != "Laptop/2.0" || got[0].IP != "192.0.2.1" || !got[0].Login.Equal(t0.Add(time.Minute)) {
				t.Fatalf("laptop listed as %+v", got[0])
			}
			for _, us := range got {
				if strings.Contains(phone+laptop, us.ID) {
					t.Fatalf("a listed ID is part of a cookie: IDs must not be keys")
				}
			}

			if err := r.m.RevokeSession(t.Context(), "alice", phoneID); err != nil {
				t.Fatalf("RevokeSession: %v", err)
			}
			if u := r.whoami(t, phone); u != "" {
				t.Fatalf("revoked phone session still logged in as %q", u)
			}
			if u := r.whoami(t, laptop); u != "alice" {
				t.Fatalf("laptop session after revoking the phone: %q", u)
			}
			if err := r.m.RevokeSession(t.Context(), "alice", phoneID); !errors.Is(err, sessions.ErrNotFound) {
				t.Fatalf("revoking it again: %v, want ErrNotFound", err)
			}
			// Another user's ID is not found under alice, and stays.
			bobID := r.list(t, "bob")[0].ID
			if err := r.m.RevokeSession(t.Context(), "alice", bobID); !errors.Is(err, sessions.ErrNotFound) {
				t.Fatalf("revoking bob's session as alice: %v, want ErrNotFound", err)
			}
			if u := r.whoami(t, bob); u != "bob" {
				t.Fatalf("bob after alice's revocations: %q", u)
			}

			tablet, tabletID := r.login(t, "alice", "Tablet/3")
			n, err := r.m.RevokeUser(t.Context(), "alice", tabletID)
			if err != nil || n != 1 {
				t.Fatalf("RevokeUser except the tablet = %d, %v; want 1", n, err)
			}
			if r.whoami(t, laptop) != "" || r.whoami(t, tablet) != "alice" {
				t.Fatalf("after revoking all but the tablet: laptop %q, tablet %q", r.whoami(t, laptop), r.whoami(t, tablet))
			}
			if n, err := r.m.RevokeUser(t.Context(), "alice"); err != nil || n != 1 {
				t.Fatalf("RevokeUser = %d, %v; want 1", n, err)
			}
			if got := r.list(t, "alice"); len(got) != 0 {
				t.Fatalf("after RevokeUser: %d listed", len(got))
			}
			if u := r.whoami(t, tablet); u != "" {
				t.Fatalf("tablet after RevokeUser: %q", u)
			}
		})
	}
}

func TestLogoutOtherDevices(t *testing.T) {
	r := newUserRig(t, nil)
	a, _ := r.login(t, "carol", "A")
	b, _ := r.login(t, "carol", "B")
	c, _ := r.login(t, "carol", "C")
	var n int
	_, code := r.do(t, b, "B", func(s *sessions.Session, _ *http.Request) {
		var err error
		if n, err = s.LogoutOtherDevices(); err != nil {
			t.Fatal(err)
		}
	})
	if code != http.StatusOK || n != 2 {
		t.Fatalf("LogoutOtherDevices: status %d, %d ended; want 200, 2", code, n)
	}
	if r.whoami(t, a) != "" || r.whoami(t, c) != "" || r.whoami(t, b) != "carol" {
		t.Fatalf("after LogoutOtherDevices from B: A %q, B %q, C %q", r.whoami(t, a), r.whoami(t, b), r.whoami(t, c))
	}
	_, _ = r.do(t, "", "", func(s *sessions.Session, _ *http.Request) {
		if _, err := s.LogoutOtherDevices(); !errors.Is(err, sessions.ErrNoUser) {
			t.Errorf("LogoutOtherDevices without a user: %v, want ErrNoUser", err)
		}
	})
}

// TestUserIndexCosts: the index costs store calls only where it must: a
// login indexes once, reads and writes of a logged-in session do not
// index again, and the last-seen time is written at most once per
// SeenInterval by requests that write nothing else.
func TestUserIndexCosts(t *testing.T) {
	r := newUserRig(t, func(c *sessions.Config) { c.Users.SeenInterval = 10 * time.Minute })
	cookie, _ := r.login(t, "dave", "UA")
	if n := r.store.indexes.Load(); n != 1 {
		t.Fatalf("a login indexed %d times, want 1", n)
	}
	saves := r.store.saves.Load()
	for range 5 {
		r.clock.Add(time.Minute)
		r.do(t, cookie, "UA", func(s *sessions.Session, _ *http.Request) { s.Get("x") })
	}
	if d := r.store.saves.Load() - saves; d != 0 {
		t.Fatalf("5 read-only requests within SeenInterval wrote %d times, want 0", d)
	}
	r.clock.Add(5 * time.Minute) // 10 minutes since login
	r.do(t, cookie, "UA", func(s *sessions.Session, _ *http.Request) { s.Get("x") })
	if d := r.store.saves.Load() - saves; d != 1 {
		t.Fatalf("the read-only request past SeenInterval wrote %d times, want 1", d)
	}
	if seen := r.list(t, "dave")[0].LastSeen; !seen.Equal(r.clock.Now()) {
		t.Fatalf("LastSeen %v, want %v", seen, r.clock.Now())
	}
	for range 5 {
		r.clock.Add(time.Second)
		r.do(t, cookie, "UA", func(s *sessions.Session, _ *http.Request) { s.Set("n", 1) })
	}
	if n := r.store.indexes.Load(); n != 1 {
		t.Fatalf("writes of a logged-in session indexed it %d times in all, want 1 (the login)", n)
	}
	// Past an eighth of the age the record could outlive its entry: one
	// more index write, then none again.
	r.clock.Add(sessions.DefaultCookieAge/8 + time.Hour)
	for range 3 {
		r.do(t, cookie, "UA", func(s *sessions.Session, _ *http.Request) { s.Set("n", 2) })
	}
	if n := r.store.indexes.Load(); n != 2 {
		t.Fatalf("after an eighth of the age, index writes in all = %d, want 2", n)
	}
}

// TestUserListSkipsDead: expired, deleted, flushed and re-tied sessions
// are never listed, and their entries are dropped.
func TestUserListSkipsDead(t *testing.T) {
	r := newUserRig(t, nil)
	expiring, _ := r.login(t, "erin", "soon")
	r.do(t, expiring, "soon", func(s *sessions.Session, _ *http.Request) { s.SetMaxAge(time.Hour) })
	flushed, _ := r.login(t, "erin", "flushed")
	retied, _ := r.login(t, "erin", "retied")
	_, keepID := r.login(t, "erin", "kept")
	r.do(t, flushed, "", func(s *sessions.Session, _ *http.Request) {
		if s.User() == "erin" { // a logout reads who it logs out
			_ = s.Flush()
		}
	})
	r.do(t, retied, "", func(s *sessions.Session, req *http.Request) { _ = s.SetUser("frank", sessions.DeviceOf(req)) })
	r.clock.Add(2 * time.Hour)
	got := r.list(t, "erin")
	if len(got) != 1 || got[0].ID != keepID {
		t.Fatalf("erin lists %+v, want only the kept session %s", got, keepID)
	}
	// The logout and the re-tie removed their entries; the expired
	// record's entry waits for its until (the store purged the record, so
	// it cannot be told from one being created).
	if keys, _ := r.store.UserKeys(t.Context(), "erin"); len(keys) != 2 {
		t.Fatalf("erin's index holds %d entries after listing, want 2", len(keys))
	}
	if got := r.list(t, "frank"); len(got) != 1 {
		t.Fatalf("frank lists %d sessions, want the re-tied one", len(got))
	}
}

// TestRevokeRunningRequest: a request already running on a session when
// it is revoked cannot bring it back, whether it writes, cycles its key
// (a login) or renews it.
func TestRevokeRunningRequest(t *testing.T) {
	cases := []struct {
		name string
		cfg  func(*sessions.Config)
		do   func(s *sessions.Session)
	}{
		{"write", nil, func(s *sessions.Session) { s.Set("late", true) }},
		{"cycle", nil, func(s *sessions.Session) { _ = s.CycleKey() }},
		{"renew", func(c *sessions.Config) { c.RenewInterval = time.Minute }, func(s *sessions.Session) {}},
		{"renew with grace", func(c *sessions.Config) { c.RenewInterval, c.RenewGrace = time.Minute, 10*time.Second }, func(s *sessions.Session) {}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newUserRig(t, tc.cfg)
			cookie, _ := r.login(t, "gina", "UA")
			r.clock.Add(2 * time.Minute)
			after, code := r.do(t, cookie, "UA", func(s *sessions.Session, _ *http.Request) {
				s.Get("x") // loaded before the revocation
				if n, err := r.m.RevokeUser(context.Background(), "gina"); err != nil || n != 1 {
					t.Errorf("RevokeUser = %d, %v", n, err)
				}
				tc.do(s)
			})
			if code >= 500 {
				t.Fatalf("the running request answered %d", code)
			}
			if got := r.list(t, "gina"); len(got) != 0 {
				t.Fatalf("after the running request: %d sessions listed, want 0", len(got))
			}
			for _, c := range []string{cookie, after} {
				if c != "" && r.whoami(t, c) != "" {
					t.Fatalf("cookie %.20q still logged in after the revocation", c)
				}
			}
		})
	}
}

// TestRevokeRacesCycle: a login that cycles the key while a revocation of
// that session runs cannot keep the session alive under the new key,
// whichever side of the cycle's check the revocation lands on.
func TestRevokeRacesCycle(t *testing.T) {
	for _, at := range []string{"before the new record", "after the check of the old"} {
		t.Run(at, func(t *testing.T) {
			r := newUserRig(t, nil)
			cookie, id := r.login(t, "hana", "UA")
			var revoked atomic.Bool
			hook := func() {
				if revoked.CompareAndSwap(false, true) {
					if err := r.m.RevokeSession(context.Background(), "hana", id); err != nil {
						t.Errorf("RevokeSession: %v", err)
					}
				}
			}
			slot := &r.store.beforeSave
			if at != "before the new record" {
				slot = &r.store.afterExists
			}
			after, _ := r.do(t, cookie, "UA", func(s *sessions.Session, _ *http.Request) {
				s.Get("x")
				_ = s.CycleKey()
				slot.Store(&hook)
			})
			slot.Store(nil)
			if !revoked.Load() {
				t.Fatal("the revocation did not run")
			}
			if u := r.whoami(t, after); u != "" {
				t.Fatalf("the cycled session survived the revocation of its old key: %q", u)
			}
			if got := r.list(t, "hana"); len(got) != 0 {
				t.Fatalf("%d sessions listed after the race, want 0", len(got))
			}
		})
	}
}

func TestUserErrors(t *testing.T) {
	r := newUserRig(t, nil)
	r.do(t, "", "", func(s *sessions.Session, _ *http.Request) {
		if err := s.SetUser(strings.Repeat("u", 256), sessions.Device{}); !errors.Is(err, sessions.ErrInvalidUser) {
			t.Errorf("SetUser of 256 bytes: %v, want ErrInvalidUser", err)
		}
		long := strings.Repeat("é", 400) // 800 bytes
		if err := s.SetUser("ivan", sessions.Device{UserAgent: long, IP: "\xff1.2.3.4"}); err != nil {
			t.Errorf("SetUser: %v", err)
		}
	})
	got := r.list(t, "ivan")
	if len(got) != 1 || len(got[0].UserAgent) > 512 || got[0].IP != "1.2.3.4" || !strings.HasPrefix(long(), got[0].UserAgent) {
		t.Fatalf("clipped device %+v", got)
	}
	ms := memstore.New(memstore.Options{})
	defer ms.Close()
	m, err := sessions.New(sessions.Config{Store: plainStore{ms}, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.UserSessions(t.Context(), "x"); !errors.Is(err, sessions.ErrNoUserIndex) {
		t.Fatalf("UserSessions without an index: %v", err)
	}
	if _, err := m.RevokeUser(t.Context(), "x"); !errors.Is(err, sessions.ErrNoUserIndex) {
		t.Fatalf("RevokeUser without an index: %v", err)
	}
}

func long() string { return strings.Repeat("é", 400) }

// plainStore hides every capability of the store it wraps.
type plainStore struct{ sessions.Store }
