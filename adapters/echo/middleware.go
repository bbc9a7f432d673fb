package echosession

import (
	"github.com/labstack/echo/v4"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/lifecycle"
)

// Middleware returns echo middleware that gives every request a lazy
// session and commits it just before the response headers go out.
func Middleware(m *sessions.Manager, opts ...Option) echo.MiddlewareFunc {
	o := &options{}
	for _, opt := range opts {
		opt(o)
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			res := c.Response()
			g := &guard{ResponseWriter: res.Writer, c: c, res: res, o: o}
			c.SetRequest(g.lc.Begin(m, c.Request()))
			// No res.Before hook: echo's WriteHeader always ends in
			// res.Writer.WriteHeader, which reaches the guard below any
			// writer an inner middleware wraps around it, and a hook
			// would cost two allocations per request.
			res.Writer = g
			defer g.unwind()
			return g.finish(next(c))
		}
	}
}

// missing names the fix for a handler that runs without the middleware.
const missing = "echosession: no session in this request: add e.Use(echosession.Middleware(m)) " +
	"to the server or group in front of this handler"

// From returns the request's session. It panics, with a message naming
// the fix, when the middleware is not installed in front of the handler:
// a wiring mistake that shows on the first request. The session is also
// sessions.FromContext(c.Request().Context()), for code that has only the
// request.
func From(c echo.Context) *sessions.Session {
	if c != nil {
		if r := c.Request(); r != nil {
			if s, ok := lifecycle.Lookup(r.Context()); ok {
				return s
			}
		}
	}
	panic(missing)
}
