package chisession

import (
	"net/http"

	sessions "github.com/sessionkit/sessionkit/core"
)

// Middleware returns m's net/http middleware, for chi's r.Use, r.With or
// r.Group.
func Middleware(m *sessions.Manager) func(http.Handler) http.Handler {
	return m.Middleware
}

// Get returns the request's session, or nil when the middleware did not
// run (or r is nil).
func Get(r *http.Request) *sessions.Session {
	if r == nil {
		return nil
	}
	return sessions.FromContext(r.Context())
}
