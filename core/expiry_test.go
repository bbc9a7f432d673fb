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

// With Config.Django's NaiveTime (Django's USE_TZ = False), absolute
// expiries are naive wall-clock times in TIME_ZONE both ways, east and
// west of UTC; the USE_TZ = True form stays UTC with an offset.
func TestExpiryDjangoTimeZone(t *testing.T) {
	paris, newYork := mustZone(t, "Europe/Paris"), mustZone(t, "America/New_York")
	in3h := t0.Add(3 * time.Hour)
	tests := []struct {
		name    string
		dj      sessions.Django
		set     func(s *sessions.Session)
		stored  any // nil: not checked
		wantAge time.Duration
		wantAt  time.Time
	}{
		{"Paris: SetExpiresAt writes Paris wall time", sessions.Django{NaiveTime: true, TimeZone: paris},
			func(s *sessions.Session) { s.SetExpiresAt(in3h) }, "2023-11-15T02:13:20", 3 * time.Hour, in3h},
		{"New York: SetExpiresAt writes New York wall time", sessions.Django{NaiveTime: true, TimeZone: newYork},
			func(s *sessions.Session) { s.SetExpiresAt(in3h.Add(1500 * time.Microsecond)) }, "2023-11-14T20:13:20.001500", 3 * time.Hour, in3h.Add(1500 * time.Microsecond)},
		{"Paris: Django's naive expiry read in Paris", sessions.Django{NaiveTime: true, TimeZone: paris},
			func(s *sessions.Session) { s.Set(sessions.ExpiryKey, "2023-11-15T02:13:20") }, nil, 3 * time.Hour, in3h},
		{"New York: Django's naive expiry read in New York", sessions.Django{NaiveTime: true, TimeZone: newYork},
			func(s *sessions.Session) { s.Set(sessions.ExpiryKey, "2023-11-14T20:13:20") }, nil, 3 * time.Hour, in3h},
		{"New York: an offset is still an instant", sessions.Django{NaiveTime: true, TimeZone: newYork},
			func(s *sessions.Session) { s.Set(sessions.ExpiryKey, "2023-11-15T01:13:20+00:00") }, nil, 3 * time.Hour, in3h},
		{"New York: seconds", sessions.Django{NaiveTime: true, TimeZone: newYork},
			func(s *sessions.Session) { s.SetMaxAge(3 * time.Hour) }, int64(10800), 3 * time.Hour, in3h},
		{"USE_TZ=True: UTC with an offset whatever TIME_ZONE", sessions.Django{TimeZone: paris},
			func(s *sessions.Session) { s.SetExpiresAt(in3h.In(paris)) }, "2023-11-15T01:13:20+00:00", 3 * time.Hour, in3h},
		{"USE_TZ=True: a naive expiry is read in TIME_ZONE", sessions.Django{TimeZone: paris},
			func(s *sessions.Session) { s.Set(sessions.ExpiryKey, "2023-11-15T02:13:20") }, nil, 3 * time.Hour, in3h},
		{"a date alone is midnight", sessions.Django{NaiveTime: true, TimeZone: paris},
			func(s *sessions.Session) { s.Set(sessions.ExpiryKey, "2023-11-15") }, nil, 46*time.Minute + 40*time.Second, t0.Add(46*time.Minute + 40*time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *sessions.Config) { c.Django = tt.dj })
			s := f.m.Open(t.Context(), "")
			tt.set(s)
			if v, _ := s.Get(sessions.ExpiryKey); tt.stored != nil && v != tt.stored {
				t.Errorf("stored %#v, want %#v", v, tt.stored)
			}
			if got := s.ExpiryAge(); got != tt.wantAge {
				t.Errorf("ExpiryAge = %v, want %v", got, tt.wantAge)
			}
			if got := s.ExpiryTime(); !got.Equal(tt.wantAt) {
				t.Errorf("ExpiryTime = %v, want %v", got.UTC(), tt.wantAt)
			}
		})
	}
}

// The west-of-UTC case: Django (USE_TZ = False, New York) set a
// session to expire in 3 hours; Go's next save must keep it 3 hours, not
// write it as already expired.
func TestNaiveExpirySurvivesGoSave(t *testing.T) {
	f := newFixture(t, func(c *sessions.Config) {
		c.Django = sessions.Django{NaiveTime: true, TimeZone: mustZone(t, "America/New_York")}
	})
	key := f.seed(t, map[string]any{"user": "alice", sessions.ExpiryKey: "2023-11-14T20:13:20"})
	s := f.m.Open(t.Context(), key)
	s.Set("seen", true)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(3*time.Hour - time.Second)
	if !f.m.Open(t.Context(), key).Has("user") {
		t.Fatal("logged out before the 3 hours Django set")
	}
	f.clock.Add(time.Second)
	if f.m.Open(t.Context(), key).Has("user") {
		t.Fatal("still logged in after the 3 hours Django set")
	}
}
