package django_test

import (
	"strings"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/signing"
)

// _session_expiry written by Go (SetMaxAge stores int seconds, as Django's
// set_expiry(int)) is understood by Django 3.2's get_expiry_age; Go reads
// Django's integer form and the ISO-8601 string newer Django writes (made
// by hand here: 3.2 cannot write it). Go's absolute expiry (SetExpiresAt,
// an ISO string) is the one form Django 3.2 cannot read.
func TestExpiry(t *testing.T) {
	t.Parallel()
	c := newClock(T0)
	m := cookieManager(t, c, sessions.Config{})
	goCookie := func(f func(s *sessions.Session)) string {
		_, set := serve(t, m, "", func(s *sessions.Session) { s.Set("x", int64(1)); f(s) })
		if set == nil {
			t.Fatal("no cookie")
		}
		return set.Value
	}
	maxAge300 := goCookie(func(s *sessions.Session) { s.SetMaxAge(300 * time.Second) })
	browserClose := goCookie(func(s *sessions.Session) { s.SetExpireAtBrowserClose() })
	absolute := goCookie(func(s *sessions.Session) { s.SetExpiresAt(at(T0 + 600)) })

	// Django-made values: set_expiry(300), and newer Django's ISO strings
	// (with and without microseconds) signed by Django's signing.dumps.
	isoWhole := map[string]any{"x": int64(1), sessions.ExpiryKey: "2023-11-14T22:18:20+00:00"}
	isoMicro := map[string]any{"x": int64(1), sessions.ExpiryKey: "2023-11-14T22:18:20.750000+00:00"}
	isoOffset := map[string]any{"x": int64(1), sessions.ExpiryKey: "2023-11-14T23:18:20+01:00"}

	cfg := defaults()
	cfg.Engine = "signed_cookies"
	res := django(t, cfg,
		op{"op": "cookie_load", "value": maxAge300, "now": T0},
		op{"op": "cookie_load", "value": browserClose, "now": T0},
		op{"op": "cookie_load", "value": absolute, "now": T0},
		op{"op": "cookie_save", "session_json": `{"x":1}`, "expiry": 300, "now": T0},
		op{"op": "dumps", "session_json": encodeJSON(t, isoWhole), "now": T0},
		op{"op": "dumps", "session_json": encodeJSON(t, isoMicro), "now": T0},
		op{"op": "dumps", "session_json": encodeJSON(t, isoOffset), "now": T0},
	)

	t.Run("Django reads Go's expiry", func(t *testing.T) {
		if r := res[0]; !r.OK || r.ExpiryAge != 300 || r.ExpireAtBrowserClose {
			t.Errorf("SetMaxAge(300s): Django age %d, browser close %v (ok=%v, %s)", r.ExpiryAge, r.ExpireAtBrowserClose, r.OK, r.ExpiryError)
		}
		if r := res[1]; !r.OK || r.ExpiryAge != cookieAge || !r.ExpireAtBrowserClose {
			t.Errorf("ExpireAtBrowserClose: Django age %d, browser close %v", r.ExpiryAge, r.ExpireAtBrowserClose)
		}
		// Documented difference: Django 3.2 stores absolute expiries only as
		// datetime objects (not JSON-serializable) and cannot compute an age
		// from the ISO string 4.x/5.x write; its middleware would fail.
		if r := res[2]; !r.OK || !strings.HasPrefix(r.ExpiryError, "TypeError") {
			t.Errorf("SetExpiresAt: Django 3.2 was expected to fail on the ISO string, got age %d, error %q", r.ExpiryAge, r.ExpiryError)
		}
	})

	t.Run("Go reads Django's expiry", func(t *testing.T) {
		tests := []struct {
			name  string
			value string
			age   time.Duration
			when  time.Time
		}{
			{"set_expiry(300)", res[3].Value, 300 * time.Second, at(T0 + 300)},
			{"ISO", res[4].Value, 300 * time.Second, at(T0 + 300)},
			{"ISO with microseconds (age floors)", res[5].Value, 300 * time.Second, at(T0 + 300).Add(750 * time.Millisecond)},
			{"ISO with offset", res[6].Value, 300 * time.Second, at(T0 + 300)},
		}
		for _, tt := range tests {
			var age time.Duration
			var when time.Time
			var bc bool
			_, _ = serve(t, m, tt.value, func(s *sessions.Session) {
				age, when, bc = s.ExpiryAge(), s.ExpiryTime(), s.ExpiresAtBrowserClose()
			})
			if age != tt.age || !when.Equal(tt.when) || bc {
				t.Errorf("%s: ExpiryAge %v, ExpiryTime %v, browser close %v; want %v, %v", tt.name, age, when, bc, tt.age, tt.when)
			}
		}
	})

	t.Run("Go's cookie carries the age", func(t *testing.T) {
		c.Set(T0)
		_, set := serve(t, m, res[3].Value, func(s *sessions.Session) { s.Set("y", int64(2)) })
		if set == nil || set.MaxAge != 300 {
			t.Fatalf("re-saving Django's set_expiry(300) session: cookie %v, want Max-Age=300", set)
		}
	})

	// Like Django, the cookie store enforces only the signature age, not
	// _session_expiry: Django's set_expiry(300) cookie still reads an hour
	// later (CookieSessionTests.test_actual_expiry is an expected failure).
	t.Run("signed cookies ignore _session_expiry on read, as Django does", func(t *testing.T) {
		c.Set(T0 + 3600)
		var got map[string]any
		serve(t, m, res[3].Value, func(s *sessions.Session) { got = s.Values() })
		if got["x"] != int64(1) {
			t.Fatalf("an hour after set_expiry(300) the cookie reads %v; Django reads it too", got)
		}
		sg, _ := signing.New(signing.Options{Secret: secret, Salt: signing.CookieSalt})
		if _, err := sg.Loads(res[3].Value, time.Duration(cookieAge)*time.Second, at(T0+3600)); err != nil {
			t.Fatal(err)
		}
	})
}
