package echosession

import (
	"github.com/labstack/echo/v4"
	sessions "github.com/sessionkit/sessionkit/core"
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
			g := &guard{ResponseWriter: res.Writer, c: c, res: res, m: m, o: o}
			c.SetRequest(m.Attach(c.Request(), &g.st))
			g.s = g.st.Session()
			res.Writer = g
			res.Before(g.beforeHook)
			defer g.unwind()
			return g.finish(next(c))
		}
	}
}

// Get returns the request's session, or nil when the middleware did not
// run (or c is nil).
func Get(c echo.Context) *sessions.Session {
	if c == nil {
		return nil
	}
	r := c.Request()
	if r == nil {
		return nil
	}
	return sessions.FromContext(r.Context())
}
