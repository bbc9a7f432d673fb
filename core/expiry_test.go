package sessions_test

import (
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

func TestExpiry(t *testing.T) {
	tests := []struct {
		name         string
		browserClose bool // Config.ExpireAtBrowserClose
		set          func(s *sessions.Session)
		wantAge      time.Duration
		wantAt       time.Time
		wantBC       bool
	}{
		{"default", false, func(*sessions.Session) {}, sessions.DefaultCookieAge, t0.Add(sessions.DefaultCookieAge), false},
		{"seconds", false, func(s *sessions.Session) { s.SetMaxAge(10 * time.Second) }, 10 * time.Second, t0.Add(10 * time.Second), false},
		{"seconds floored", false, func(s *sessions.Session) { s.SetMaxAge(10900 * time.Millisecond) }, 10 * time.Second, t0.Add(10 * time.Second), false},
		{"negative", false, func(s *sessions.Session) { s.SetMaxAge(-10 * time.Second) }, -10 * time.Second, t0.Add(-10 * time.Second), false},
		{"absolute", false, func(s *sessions.Session) { s.SetExpiresAt(t0.Add(time.Hour)) }, time.Hour, t0.Add(time.Hour), false},
		{"absolute floors like Django", false, func(s *sessions.Session) { s.SetExpiresAt(t0.Add(-10500 * time.Millisecond)) }, -11 * time.Second, t0.Add(-10500 * time.Millisecond), false},
		{"browser close", false, func(s *sessions.Session) { s.SetExpireAtBrowserClose() }, sessions.DefaultCookieAge, t0.Add(sessions.DefaultCookieAge), true},
		{"reset", false, func(s *sessions.Session) { s.SetMaxAge(10 * time.Second); s.ResetExpiry() }, sessions.DefaultCookieAge, t0.Add(sessions.DefaultCookieAge), false},
		// Django's test_get_expire_at_browser_close with the setting on.
		{"setting on, default", true, func(*sessions.Session) {}, sessions.DefaultCookieAge, t0.Add(sessions.DefaultCookieAge), true},
		{"setting on, seconds", true, func(s *sessions.Session) { s.SetMaxAge(10 * time.Second) }, 10 * time.Second, t0.Add(10 * time.Second), false},
		{"setting on, zero", true, func(s *sessions.Session) { s.SetExpireAtBrowserClose() }, sessions.DefaultCookieAge, t0.Add(sessions.DefaultCookieAge), true},
		// What newer Django writes, and what Go reads back from it.
		{"iso string", false, func(s *sessions.Session) { s.Set(sessions.ExpiryKey, "2023-11-14T23:13:20.500000+00:00") }, time.Hour, t0.Add(time.Hour + 500*time.Millisecond), false},
		{"iso with offset", false, func(s *sessions.Session) { s.Set(sessions.ExpiryKey, "2023-11-15T00:13:20+01:00") }, time.Hour, t0.Add(time.Hour), false},
		{"naive iso is UTC", false, func(s *sessions.Session) { s.Set(sessions.ExpiryKey, "2023-11-14T23:13:20") }, time.Hour, t0.Add(time.Hour), false},
		{"garbage falls back", false, func(s *sessions.Session) { s.Set(sessions.ExpiryKey, "soon") }, sessions.DefaultCookieAge, t0.Add(sessions.DefaultCookieAge), false},
		{"float seconds", false, func(s *sessions.Session) { s.Set(sessions.ExpiryKey, 2.5) }, 2 * time.Second, t0.Add(2500 * time.Millisecond), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *sessions.Config) { c.ExpireAtBrowserClose = tt.browserClose })
			s := f.m.Open(t.Context(), "")
			tt.set(s)
			if got := s.ExpiryAge(); got != tt.wantAge {
				t.Errorf("ExpiryAge = %v, want %v", got, tt.wantAge)
			}
			if got := s.ExpiryTime(); !got.Equal(tt.wantAt) {
				t.Errorf("ExpiryTime = %v, want %v", got, tt.wantAt)
			}
			if got := s.ExpiresAtBrowserClose(); got != tt.wantBC {
				t.Errorf("ExpiresAtBrowserClose = %v, want %v", got, tt.wantBC)
			}
		})
	}
}

func TestExpiryFormats(t *testing.T) {
	f := newFixture(t, nil)
	s := f.m.Open(t.Context(), "")
	s.SetMaxAge(300 * time.Second)
	if v, _ := s.Get(sessions.ExpiryKey); v != int64(300) {
		t.Fatalf("SetMaxAge stored %#v, want Django's int seconds", v)
	}
	s.SetExpiresAt(time.Date(2023, 11, 14, 22, 13, 30, 123456789, time.UTC))
	if v, _ := s.Get(sessions.ExpiryKey); v != "2023-11-14T22:13:30.123456+00:00" {
		t.Fatalf("SetExpiresAt stored %#v", v)
	}
}

// TestActualExpiry is Django's test_actual_expiry: a session saved with an
// expiry in the past is gone for the next request.
func TestActualExpiry(t *testing.T) {
	f := newFixture(t, nil)
	s := f.m.Open(t.Context(), "")
	s.Set("foo", "bar")
	s.SetMaxAge(-10 * time.Second)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if got := f.m.Open(t.Context(), s.Key()); got.Has("foo") {
		t.Fatal("expired session still loads")
	}
}

func TestSessionExpiresWithTheClock(t *testing.T) {
	f := newFixture(t, nil)
	key := f.seed(t, map[string]any{"user": "alice"})
	f.clock.Add(sessions.DefaultCookieAge - time.Second)
	if !f.m.Open(t.Context(), key).Has("user") {
		t.Fatal("expired a second early")
	}
	f.clock.Add(time.Second)
	if f.m.Open(t.Context(), key).Has("user") {
		t.Fatal("still loads at its expiry instant")
	}
}
