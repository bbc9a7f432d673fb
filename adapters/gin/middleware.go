package ginsession

import (
	"github.com/gin-gonic/gin"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/lifecycle"
)

// Middleware returns gin middleware that gives every request a lazy
// session and commits it just before the response headers go out.
func Middleware(m *sessions.Manager, opts ...Option) gin.HandlerFunc {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return func(c *gin.Context) {
		w := &responseWriter{ResponseWriter: c.Writer, c: c, onError: o.onError}
		c.Request = w.lc.Begin(m, c.Request)
		c.Writer = w
		c.Next()
		w.finish()
	}
}

// missing names the fix for a handler that runs without the middleware.
const missing = "ginsession: no session in this request: add r.Use(ginsession.Middleware(m)) " +
	"to the engine or group in front of this handler"

// From returns the request's session. It panics, with a message naming
// the fix, when the middleware is not installed in front of the handler:
// a wiring mistake that shows on the first request. The session is also
// sessions.FromContext(c.Request.Context()), for code that has only the
// request.
func From(c *gin.Context) *sessions.Session {
	if c != nil && c.Request != nil {
		if s, ok := lifecycle.Lookup(c.Request.Context()); ok {
			return s
		}
	}
	panic(missing)
}
