package chi_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
)

func Example() {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	m, err := sessions.New(sessions.Config{Store: store, Secret: "change me: a long random secret"})
	if err != nil {
		fmt.Println(err)
		return
	}

	r := chi.NewRouter()
	r.Use(middleware.Compress(5))
	r.Use(m.Middleware)
	r.Use(middleware.Timeout(30 * time.Second)) // inside the sessions: see the package doc
	r.Get("/visit", func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		n := s.GetInt("visits") + 1
		s.Set("visits", n)
		fmt.Fprintf(w, "visit %d", n)
	})

	// One browser, two visits: the second sends the cookie of the first.
	var cookie *http.Cookie
	for range 2 {
		req := httptest.NewRequest(http.MethodGet, "/visit", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		cookie = rec.Result().Cookies()[0]
		fmt.Println(rec.Body.String(), cookie.Name, cookie.HttpOnly)
	}
	// Output:
	// visit 1 sessionid true
	// visit 2 sessionid true
}

// Sessions for part of an app only: a Group, with sub-routers mounted in it.
func Example_group() {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	m, err := sessions.New(sessions.Config{Store: store, Secret: "change me: a long random secret"})
	if err != nil {
		fmt.Println(err)
		return
	}

	whoami := func(w http.ResponseWriter, r *http.Request) {
		sessions.FromContext(r.Context()).Set("user", "alice")
		io.WriteString(w, "hello alice")
	}
	admin := chi.NewRouter()
	admin.Get("/whoami", whoami)

	r := chi.NewRouter()
	r.Get("/static/about", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "no sessions here") // outside the group: no store access, no cookie
	})
	r.Group(func(r chi.Router) {
		r.Use(m.Middleware)
		r.Mount("/admin", admin)
	})

	for _, path := range []string{"/static/about", "/admin/whoami"} {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Printf("%s: %s (%d cookie)\n", path, rec.Body.String(), len(rec.Result().Cookies()))
	}
	// Output:
	// /static/about: no sessions here (0 cookie)
	// /admin/whoami: hello alice (1 cookie)
}
