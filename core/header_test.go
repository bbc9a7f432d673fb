package sessions_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// New validates Header and fills in the response header's name.
func TestHeaderConfig(t *testing.T) {
	cases := []struct {
		name     string
		in       sessions.HeaderConfig
		wantResp string // "" : refused
	}{
		{"off", sessions.HeaderConfig{}, "-"},
		{"bearer", sessions.HeaderConfig{Bearer: true}, "Session-Token"},
		{"bearer custom response", sessions.HeaderConfig{Bearer: true, ResponseName: "x-new-token"}, "X-New-Token"},
		{"named", sessions.HeaderConfig{Name: "x-session"}, "X-Session"},
		{"both", sessions.HeaderConfig{Bearer: true, Name: "X-Session"}, ""},
		{"response without request", sessions.HeaderConfig{ResponseName: "X-Session"}, ""},
		{"bad name", sessions.HeaderConfig{Name: "X Session"}, ""},
		{"cookie", sessions.HeaderConfig{Name: "cookie"}, ""},
		{"authorization by name", sessions.HeaderConfig{Name: "Authorization"}, ""},
		{"set-cookie response", sessions.HeaderConfig{Bearer: true, ResponseName: "Set-Cookie"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := sessions.New(sessions.Config{Store: memstore.New(memstore.Options{}), Header: c.in})
			if c.wantResp == "" {
				if !errors.Is(err, sessions.ErrInvalidConfig) {
					t.Fatalf("err %v, want ErrInvalidConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := m.Config().Header.ResponseName
			if c.wantResp == "-" {
				c.wantResp = ""
			}
			if got != c.wantResp {
				t.Errorf("ResponseName = %q, want %q", got, c.wantResp)
			}
		})
	}
}

// The Bearer scheme is case-insensitive; other schemes, and managers
// without a header configured, leave the cookie in charge.
func TestHeaderSelection(t *testing.T) {
	store := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = store.Close() })
	bearer, err := sessions.New(sessions.Config{Store: store, Header: sessions.HeaderConfig{Bearer: true}})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := sessions.New(sessions.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	s := bearer.Open(t.Context(), "")
	s.Set("user", "alice")
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	key := s.Key()
	cases := []struct {
		name     string
		m        *sessions.Manager
		auth     string
		wantUser string
		wantResp bool // the key travels back in Session-Token, not a cookie
	}{
		{"bearer", bearer, "Bearer " + key, "alice", true},
		{"lowercase scheme", bearer, "bearer  " + key, "alice", true},
		{"basic", bearer, "Basic " + key, "", false},
		{"not configured", plain, "Bearer " + key, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := c.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := sessions.FromContext(r.Context())
				user := s.GetString("user")
				s.Set("seen", true) // a write: the key goes back
				_, _ = w.Write([]byte(user))
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Authorization", c.auth)
			rr := httptest.NewRecorder()
			h.ServeHTTP(rr, req)
			if got := rr.Body.String(); got != c.wantUser {
				t.Errorf("user %q, want %q", got, c.wantUser)
			}
			_, gotResp := rr.Header()["Session-Token"]
			gotCookie := len(rr.Header().Values("Set-Cookie")) > 0
			if gotResp != c.wantResp || gotCookie == c.wantResp {
				t.Errorf("Session-Token sent %v, Set-Cookie sent %v; want token %v", gotResp, gotCookie, c.wantResp)
			}
		})
	}
}

// Renewal rotates a header client's key like a cookie's: the new key
// comes back in the response header, with no cookie, and the old key
// leads to the session for the grace only.
func TestHeaderRenewal(t *testing.T) {
	clk := &clock{now: t0}
	store := memstore.New(memstore.Options{Clock: clk.Now})
	t.Cleanup(func() { _ = store.Close() })
	m, err := sessions.New(sessions.Config{
		Store: store, Clock: clk.Now, Header: sessions.HeaderConfig{Name: "X-Session"},
		RenewInterval: 10 * time.Minute, RenewGrace: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(sessions.FromContext(r.Context()).GetString("user")))
	}))
	s := m.Open(t.Context(), "")
	s.Set("user", "alice")
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	k1 := s.Key()
	get := func(key string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("X-Session", key)
		rr := httptest.NewRecorder()
		h.ServeHTTP(rr, req)
		if c := rr.Header().Values("Set-Cookie"); len(c) != 0 {
			t.Errorf("header request got Set-Cookie %q", c)
		}
		return rr
	}
	steps := []struct {
		after    time.Duration
		key      string // "" : the newest
		wantUser string
		wantResp string // "new", "same" (the newest), "empty", "none"
	}{
		{5 * time.Minute, "", "alice", "none"},
		{5 * time.Minute, "", "alice", "new"},
		{30 * time.Second, k1, "alice", "same"},
		{time.Minute, k1, "", "empty"},
		{0, "", "alice", "none"},
	}
	newest := k1
	for i, st := range steps {
		clk.Add(st.after)
		key := newest
		if st.key != "" {
			key = st.key
		}
		rr := get(key)
		if rr.Body.String() != st.wantUser {
			t.Fatalf("step %d: user %q, want %q", i, rr.Body.String(), st.wantUser)
		}
		vs, sent := rr.Header()["X-Session"]
		switch st.wantResp {
		case "none":
			if sent {
				t.Errorf("step %d: X-Session %q, want none", i, vs)
			}
		case "empty":
			if !sent || vs[0] != "" {
				t.Errorf("step %d: X-Session %q, want empty", i, vs)
			}
		case "new":
			if !sent || vs[0] == newest || !sessions.ValidKey(vs[0]) {
				t.Fatalf("step %d: X-Session %q, want a new key", i, vs)
			}
			newest = vs[0]
		case "same":
			if !sent || vs[0] != newest {
				t.Errorf("step %d: X-Session %q, want %q", i, vs, newest)
			}
		}
	}
}
