package sessions_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// OWASP's timeouts: the session ends after 30 idle minutes or 8 hours
// after login, and its key is renewed every 15 minutes; a user who ticks
// "remember me" gets a week with no idle timeout.
func ExampleConfig_timeouts() {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now } // a fake clock, for the example
	store := memstore.New(memstore.Options{Clock: clock})
	defer store.Close()
	m, err := sessions.New(sessions.Config{
		Store:           store,
		Secret:          "change me",
		IdleTimeout:     30 * time.Minute,
		AbsoluteTimeout: 8 * time.Hour,
		RenewInterval:   15 * time.Minute,
		RenewGrace:      30 * time.Second,
		Clock:           clock,
	})
	if err != nil {
		panic(err)
	}
	app := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		if r.URL.Path == "/login" {
			_ = s.CycleKey()
			s.Set("user", "alice")
			if r.URL.Query().Has("remember") {
				s.SetTimeouts(0, 7*24*time.Hour)
			}
		}
		fmt.Fprint(w, s.GetString("user"))
	}))
	var cookie string
	get := func(path string) string {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		if c := rec.Header().Get("Set-Cookie"); c != "" {
			cookie = strings.SplitN(c, ";", 2)[0]
		}
		return fmt.Sprintf("%q", rec.Body.String())
	}
	fmt.Println("login:", get("/login"))
	now = now.Add(20 * time.Minute)
	fmt.Println("20 minutes later:", get("/"))
	now = now.Add(31 * time.Minute)
	fmt.Println("31 idle minutes later:", get("/"))

	fmt.Println("remember me:", get("/login?remember"))
	now = now.Add(3 * time.Hour)
	fmt.Println("3 idle hours later:", get("/"))
	// Output:
	// login: "alice"
	// 20 minutes later: "alice"
	// 31 idle minutes later: ""
	// remember me: "alice"
	// 3 idle hours later: "alice"
}
