package django_test

import (
	"net/http"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
)

// Signed-cookie sessions, both ways, with the same secret and Django's
// default settings: a cookie Django's signed_cookies SessionStore set is
// read by a real Manager request, and a cookie from a Manager's Set-Cookie
// header is read by SessionStore(value).load(); both are valid at exactly
// the cookie age and rejected one second later.
func TestSignedCookies(t *testing.T) {
	t.Parallel()
	want := map[string]any{"foo": "bar", "n": int64(42), "name": "Zoë", "cart": []any{int64(1), int64(2)}}
	wantJSON := encodeJSON(t, want)

	// Go sets a cookie at T0.
	c := newClock(T0)
	m := cookieManager(t, c, sessions.Config{})
	_, goCookie := serve(t, m, "", func(s *sessions.Session) {
		for k, v := range want {
			s.Set(k, v)
		}
	})
	if goCookie == nil {
		t.Fatal("Go set no cookie")
	}

	cfg := defaults()
	cfg.Engine = "signed_cookies"
	res := django(t, cfg,
		op{"op": "cookie_save", "session_json": wantJSON, "now": T0},
		op{"op": "cookie_load", "value": goCookie.Value, "expect_json": wantJSON, "now": T0 + 60},
		op{"op": "cookie_load", "value": goCookie.Value, "expect_json": wantJSON, "now": T0 + cookieAge},
		op{"op": "cookie_load", "value": goCookie.Value, "now": T0 + cookieAge + 1},
	)
	djCookie := res[0].Value

	t.Run("Django reads Go's cookie", func(t *testing.T) {
		for i, r := range res[1:3] {
			if !r.OK || r.Same == nil || !*r.Same {
				t.Errorf("load %d: ok=%v same=%v session=%s", i, r.OK, r.Same, r.SessionJSON)
			}
		}
		if r := res[3]; r.OK || r.SessionJSON != "{}" {
			t.Errorf("one second past the cookie age Django still accepts Go's cookie: %s", r.SessionJSON)
		}
	})

	t.Run("Go reads Django's cookie", func(t *testing.T) {
		for _, tt := range []struct {
			now    int64
			accept bool
		}{{T0 + 60, true}, {T0 + cookieAge, true}, {T0 + cookieAge + 1, false}} {
			c.Set(tt.now)
			var got map[string]any
			res, set := serve(t, m, djCookie, func(s *sessions.Session) { got = s.Values() })
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			if tt.accept {
				if d := diff("session", want, got); d != "" {
					t.Errorf("at T0%+d: %s", tt.now-T0, d)
				}
				if set != nil {
					t.Errorf("at T0%+d: reading set a cookie: %v", tt.now-T0, set)
				}
			} else {
				if len(got) != 0 {
					t.Errorf("one second past the cookie age Go still accepts Django's cookie: %v", got)
				}
				// Go deletes the expired cookie (Django would re-send a signed {}).
				if set == nil || set.MaxAge >= 0 {
					t.Errorf("expired cookie: Set-Cookie %v, want a deletion", set)
				}
			}
		}
	})
}
