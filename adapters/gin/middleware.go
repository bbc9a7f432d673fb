package ginsession

import (
	"github.com/gin-gonic/gin"
	sessions "github.com/sessionkit/sessionkit/core"
)

// Middleware returns gin middleware that gives every request a lazy
// session and commits it just before the response headers go out.
func Middleware(m *sessions.Manager, opts ...Option) gin.HandlerFunc {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.onError == nil {
		render := m.Config().ErrorHandler
		o.onError = func(c *gin.Context, err error) {
			render(unwrapGin(c.Writer), c.Request, err)
		}
	}
	return func(c *gin.Context) {
		w := &responseWriter{ResponseWriter: c.Writer, c: c, m: m, onError: o.onError}
		c.Request = m.Attach(c.Request, &w.st)
		w.s = w.st.Session()
		c.Writer = w
		c.Next()
		w.finish()
	}
}

// Get returns the request's session, or nil when the middleware did not
// run (or c is nil).
func Get(c *gin.Context) *sessions.Session {
	if c == nil || c.Request == nil {
		return nil
	}
	return sessions.FromContext(c.Request.Context())
}

// unwrapGin returns the writer below ours, so the default error page is
// written past the failed commit.
func unwrapGin(w gin.ResponseWriter) gin.ResponseWriter {
	if rw, ok := w.(*responseWriter); ok {
		return rw.ResponseWriter
	}
	return w
}
