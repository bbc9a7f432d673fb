package lifecycle

import (
	"context"
	"net/http"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/internal/bridge"
)

// Request is one request's session and its commit. The zero value is
// ready for Begin; it must not be copied after Begin.
type Request struct {
	s sessions.Session
}

// Begin opens the lazy session of r (from its cookie) into q and returns a
// copy of r whose context carries it. Nothing is loaded.
func (q *Request) Begin(m *sessions.Manager, r *http.Request) *http.Request {
	return bridge.Ops.Begin(m, &q.s, r)
}

// Session returns the request's session.
func (q *Request) Session() *sessions.Session { return &q.s }

// Before commits the session once, just before headers with status go
// out: it saves the session and sets its cookie into h, or deletes the
// cookie of an emptied session, and adds "Vary: Cookie" when the session
// was accessed. It returns the commit error; later calls return the same
// error and do nothing. Informational statuses (1xx but 101) pass
// without committing. A non-nil error means the response must become an
// error response (RenderError, or the framework's own error path).
func (q *Request) Before(h http.Header, status int) error {
	return bridge.Ops.Before(&q.s, h, status)
}

// Hijack marks the session as handed over with its connection: it is
// never committed, since whoever hijacks writes the response.
func (q *Request) Hijack() { bridge.Ops.Hijack(&q.s) }

// Phase is where a request is in its commit.
type Phase uint8

// The phases, in the order a request goes through them; Pending leads to
// exactly one of the others.
const (
	Pending   Phase = iota // nothing committed yet
	Committed              // committed: the response goes out as written
	Failed                 // the commit failed: the response must become an error
	Hijacked               // the connection was taken over: never committed
)

// Phase reports where the request is in its commit.
func (q *Request) Phase() Phase { return Phase(bridge.Ops.Phase(&q.s)) }

// RenderError writes the manager's error response (Config.ErrorHandler,
// which logs and answers 400 or 500 by default) for err, after removing
// the headers that described the handler's body.
func (q *Request) RenderError(w http.ResponseWriter, r *http.Request, err error) {
	bridge.Ops.RenderError(&q.s, w, r, err)
}

// ErrorStatus is the status a failed commit answers with by default: 400
// for sessions.ErrSessionDeleted (Django's SessionInterrupted), 500
// otherwise.
func ErrorStatus(err error) int { return bridge.Ops.ErrorStatus(err) }

// DropBodyHeaders removes the headers that describe a handler's body
// (Content-Length, Content-Encoding, Content-Type, Etag), before an error
// response replaces it.
func DropBodyHeaders(h http.Header) { bridge.DropBodyHeaders(h) }

// Lookup returns the innermost session in ctx, if a session middleware put
// one there. Adapters use it to give their own "middleware missing"
// message; applications call sessions.FromContext.
func Lookup(ctx context.Context) (*sessions.Session, bool) {
	s, ok := bridge.Ops.Lookup(ctx).(*sessions.Session)
	return s, ok
}
