package sessions_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// A "where you're logged in" page: login ties the session to a user,
// /sessions lists that user's sessions with "this device" marked, and a
// POST to /sessions/others logs out every other device. memstore,
// gormstore and redisstore keep the per-user index this needs.
func ExampleManager_UserSessions() {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	m, err := sessions.New(sessions.Config{Store: store, Secret: "change me"})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		// ...check the password, then:
		if err := s.CycleKey(); err != nil {
			http.Error(w, "login failed", http.StatusInternalServerError)
			return
		}
		if err := s.SetUser(r.FormValue("user"), sessions.DeviceOf(r)); err != nil {
			http.Error(w, "login failed", http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /sessions", func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		list, err := m.UserSessions(r.Context(), s.User())
		if err != nil {
			http.Error(w, "cannot list sessions", http.StatusInternalServerError)
			return
		}
		for _, us := range list {
			this := ""
			if us.ID == s.ID() {
				this = " (this device)"
			}
			fmt.Fprintf(w, "%s from %s%s\n", us.UserAgent, us.IP, this)
		}
	})
	mux.HandleFunc("POST /sessions/others", func(w http.ResponseWriter, r *http.Request) {
		n, err := sessions.FromContext(r.Context()).LogoutOtherDevices()
		if err != nil {
			http.Error(w, "cannot log out the other devices", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "logged out %d other sessions\n", n)
	})
	srv := httptest.NewServer(m.Middleware(mux))
	defer srv.Close()

	// Two browsers log in as alice.
	do := func(method, path, cookie, agent string) (string, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader("user=alice"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("User-Agent", agent)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		for _, c := range res.Cookies() {
			cookie = c.Name + "=" + c.Value
		}
		return cookie, string(body)
	}
	phone, _ := do("POST", "/login", "", "Phone")
	laptop, _ := do("POST", "/login", "", "Laptop")
	_, page := do("GET", "/sessions", laptop, "Laptop")
	fmt.Print(strings.ReplaceAll(page, "127.0.0.1", "<ip>"))
	_, done := do("POST", "/sessions/others", laptop, "Laptop")
	fmt.Print(done)
	_, page = do("GET", "/sessions", phone, "Phone")
	fmt.Printf("the phone now sees %d sessions: it is logged out\n", strings.Count(page, "\n"))
	// Unordered output:
	// Laptop from <ip> (this device)
	// Phone from <ip>
	// logged out 1 other sessions
	// the phone now sees 0 sessions: it is logged out
}
