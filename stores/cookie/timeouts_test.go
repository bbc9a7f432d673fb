package cookiestore_test

import (
	"bytes"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	cookiestore "github.com/sessionkit/sessionkit/stores/cookie"
)

// The idle timeout and absolute lifetime travel inside the signed (and
// perhaps sealed) cookie value: no server state, yet an idle or too old
// cookie is a fresh session, and a session in use is re-signed once per
// quarter of its idle timeout.
func TestTimeoutsInsideTheCookie(t *testing.T) {
	t.Parallel()
	const m = time.Minute
	start := time.Unix(djangoTime, 0)
	type step struct {
		at      time.Duration
		want    string // "foo" as the request found it
		reissue bool   // the response carries a new cookie value
	}
	tests := []struct {
		name  string
		cfg   sessions.Config
		steps []step
	}{
		{"idle", sessions.Config{IdleTimeout: 40 * m}, []step{
			{at: 5 * m, want: "bar"},
			{at: 15 * m, want: "bar", reissue: true},
			{at: 20 * m, want: "bar"},
			{at: 54 * m, want: "bar", reissue: true},
			{at: 94 * m, want: ""},
		}},
		{"absolute", sessions.Config{AbsoluteTimeout: time.Hour}, []step{
			{at: 30 * m, want: "bar"},
			{at: 60 * m, want: ""},
		}},
	}
	for _, enc := range []bool{false, true} {
		for _, tt := range tests {
			o := cookiestore.Options{}
			if enc {
				o.EncryptionKeys = [][]byte{bytes.Repeat([]byte{7}, 32)}
			}
			cfg := tt.cfg
			cfg.ClientStore, cfg.Secret = mustNew(t, o), djangoSecret
			h := newHarness(t, cfg)
			h.setNow(start)
			_, c := h.do(t, "", func(s *sessions.Session) { s.Set("foo", "bar") })
			if c == nil {
				t.Fatal("no cookie for a new session")
			}
			cookie := c.Value
			for i, st := range tt.steps {
				h.setNow(start.Add(st.at))
				got, c := h.read(t, cookie)
				if got != st.want {
					t.Fatalf("%s enc=%v step %d (+%v): foo = %q, want %q", tt.name, enc, i, st.at, got, st.want)
				}
				reissued := c != nil && c.MaxAge >= 0 && c.Value != cookie
				if st.want != "" && reissued != st.reissue {
					t.Fatalf("%s enc=%v step %d (+%v): reissued = %v, want %v", tt.name, enc, i, st.at, reissued, st.reissue)
				}
				if st.want == "" && (c == nil || c.MaxAge >= 0) {
					t.Fatalf("%s enc=%v step %d: expired session's cookie not deleted: %+v", tt.name, enc, i, c)
				}
				if reissued {
					cookie = c.Value
				}
			}
		}
	}
}
