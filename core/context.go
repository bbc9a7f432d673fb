package sessions

import "context"

// ctxKey is the context key type; the Manager pointer is the key itself,
// so two managers in one chain never see each other's sessions.
type ctxKey struct{ m *Manager }

// sessionCtx carries the session in the request context without the
// separate allocation context.WithValue would make.
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

// FromContext returns the session the middleware put in ctx, or nil.
func FromContext(ctx context.Context) *Session {
	s, _ := ctx.Value(anyManagerKey{}).(*Session)
	return s
}

// Session returns the session this manager's middleware put in ctx, or
// nil. Use it when one chain runs several managers.
func (m *Manager) Session(ctx context.Context) *Session {
	s, _ := ctx.Value(ctxKey{m}).(*Session)
	return s
}

// NewContext returns ctx carrying s, for code that opens sessions itself.
func NewContext(ctx context.Context, s *Session) context.Context {
	return &sessionCtx{Context: ctx, s: s}
}
