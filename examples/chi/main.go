// Command chi is the sessionkit demo on Chi: the routes of package demo,
// wired into a chi.Router with core's net/http middleware (chi needs no adapter).
//
//	go run ./examples/chi [-addr 127.0.0.1:8080] [-store sqlite|postgres|redis|cookie|cached|memory]
package main

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/examples/internal/demo"
)

func main() { demo.Main("Chi", routes) }

// routes wires the demo into Chi.
func routes(app *demo.App) http.Handler {
	r := chi.NewRouter()
	// Outside the session middleware: health checks never touch sessions.
	r.Get("/healthz", demo.Healthz)

	r.Group(func(r chi.Router) {
		r.Use(app.Manager.Middleware)
		r.Get("/", withSession(app.Page))
		r.Get("/api/session", withSession(app.SessionJSON))
		// Cross-origin form posts are refused before the session is touched.
		r.With(app.CSRF.Handler).Post("/api/login", withSession(app.Login))
		r.With(app.CSRF.Handler).Post("/api/logout", withSession(app.Logout))
		r.Get("/sessions", withSession(app.Sessions))
		r.With(app.CSRF.Handler).Post("/api/sessions/revoke", withSession(app.RevokeSession))
		r.With(app.CSRF.Handler).Post("/api/sessions/revoke-others", withSession(app.RevokeOthers))
	})
	return r
}

// withSession hands a demo route the request's session.
func withSession(h func(http.ResponseWriter, *http.Request, *sessions.Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h(w, r, sessions.FromContext(r.Context()))
	}
}
