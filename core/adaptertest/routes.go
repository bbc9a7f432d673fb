package adaptertest

import (
	"io"
	"net/http"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
)

// Kind says how an adapter's handler answers after a Route's Handle ran.
type Kind int

const (
	// Respond writes Handle's status and body the framework's usual way
	// (gin c.String, echo c.String, net/http WriteHeader and Write).
	Respond Kind = iota
	// Silent writes nothing at all (gin c.Abort(), echo return nil,
	// net/http return).
	Silent
	// Fail answers 500 the framework's error way (gin
	// c.AbortWithStatus(500), echo returns an error for HTTPErrorHandler,
	// net/http http.Error).
	Fail
	// Stream writes Handle's status, then the body WriteStream writes,
	// flushing after every chunk.
	Stream
)

// Handler is a route's framework-free part: it uses the session and
// returns the status and body to answer with.
type Handler func(s *sessions.Session) (status int, body string)

// Route is one GET route an adapter registers: at Path, get the session
// the adapter's way, call Handle, then answer as Kind says.
type Route struct {
	Path   string
	Kind   Kind
	Handle Handler
}

// Routes is the set of routes the table needs.
type Routes []Route

// NetHTTP is rt answered the net/http way, for adapters (and routers such
// as chi) whose handlers are http.HandlerFunc; the session comes from the
// request's context.
func NetHTTP(t testing.TB, rt Route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		status, body := rt.Handle(sessions.FromContext(r.Context()))
		switch rt.Kind {
		case Respond:
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		case Silent:
		case Fail:
			http.Error(w, "fail", http.StatusInternalServerError)
		case Stream:
			w.WriteHeader(status)
			rc := http.NewResponseController(w)
			if err := WriteStream(w, func() { _ = rc.Flush() }, r); err != nil {
				t.Error(err)
			}
		}
	}
}
