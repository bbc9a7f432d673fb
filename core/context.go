package sessions

import "context"

// ctxKey is the context key type; the Manager pointer is the key itself,
// so two managers in one chain never see each other's sessions.
type ctxKey struct{ m *Manager }

// sessionCtx carries the session in the request context without the
// separate allocation context.WithValue would make; it lives inside the
// Session it carries.
type sessionCtx struct {
	context.Context
	s *Session
}

func (c *sessionCtx) Value(key any) any {
	switch k := key.(type) {
	case ctxKey:
		if k.m == c.s.m {
			return c.s
		}
	case anyManagerKey:
		return c.s
	}
	return c.Context.Value(key)
}

// anyManagerKey finds the innermost session whatever its manager.
type anyManagerKey struct{}

// noSession is the message of a handler that asks for a session the
// middleware never put there: the fix, not a nil pointer three calls on.
const noSession = "sessions: no session in this request's context: install the session middleware in front of this handler " +
	"(net/http and chi: m.Middleware; gin: ginsession.Middleware(m); echo: echosession.Middleware(m)), " +
	"and pass on the request it hands to the next handler"

// FromContext returns the session the middleware put in ctx (the
// request's context). It panics, with a message naming the fix, when
// there is none: that is a wiring mistake, as scs and net/http's own
// ServeMux treat theirs, and it shows on the first request.
func FromContext(ctx context.Context) *Session {
	s, _ := ctx.Value(anyManagerKey{}).(*Session)
	if s == nil {
		panic(noSession)
	}
	return s
}

// FromContext returns the session this manager's middleware put in ctx,
// for a chain that runs several managers. It panics like the package's
// FromContext when there is none.
func (m *Manager) FromContext(ctx context.Context) *Session {
	s, _ := ctx.Value(ctxKey{m}).(*Session)
	if s == nil {
		panic(noSession)
	}
	return s
}
