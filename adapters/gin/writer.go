package ginsession

import (
	"bufio"
	"fmt"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
	sessions "github.com/sessionkit/sessionkit/core"
)

type state uint8

const (
	pending   state = iota // nothing sent, nothing committed
	open                   // committed: everything passes
	rendering              // commit failed; the error page is being written
	failed                 // commit failed; the handler's output is dropped
	hijacked               // the connection was taken over; never commit
)

// responseWriter is c.Writer while the middleware runs: every path that
// sends headers (WriteHeaderNow, Write, WriteString, Flush) commits first.
// WriteHeader only records the status in gin, so it does not commit.
type responseWriter struct {
	gin.ResponseWriter
	c       *gin.Context
	m       *sessions.Manager
	s       *sessions.Session
	st      sessions.RequestState // s lives here: one allocation per request
	onError func(*gin.Context, error)
	state   state
	dropped error // returned by writes after a failed commit
}

// before commits the session once, with the status gin is about to send,
// and reports whether the caller may write.
func (w *responseWriter) before() bool {
	switch w.state {
	case pending:
	case failed:
		return false
	default:
		return true
	}
	err := w.m.Commit(w.Header(), w.s, w.ResponseWriter.Status())
	if err == nil {
		w.state = open
		return true
	}
	w.fail(err)
	return false
}

// fail turns the response into the error response, gin's way: the error
// goes to c.Errors, the chain stops, and the error handler writes.
func (w *responseWriter) fail(err error) {
	w.dropped = fmt.Errorf("ginsession: response dropped after failed session commit: %w", err)
	sessions.DropBodyHeaders(w.Header())
	_ = w.c.Error(err)
	w.c.Abort()

	w.state = rendering
	saved := w.c.Writer
	w.c.Writer = w
	w.onError(w.c, err)
	w.c.Writer = saved
	if !w.ResponseWriter.Written() {
		w.ResponseWriter.WriteHeader(sessions.ErrorStatus(err))
		w.ResponseWriter.WriteHeaderNow()
	}
	w.state = failed
}

// finish commits a session whose handlers wrote nothing, before gin sends
// the headers itself.
func (w *responseWriter) finish() {
	if w.state == pending && !w.ResponseWriter.Written() {
		w.before()
	}
}

// WriteHeader records the status, as gin does; it is dropped after a
// failed commit so the error status stays.
func (w *responseWriter) WriteHeader(code int) {
	if w.state == failed {
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

// WriteHeaderNow commits, then sends the headers.
func (w *responseWriter) WriteHeaderNow() {
	if !w.ResponseWriter.Written() && !w.before() {
		return
	}
	w.ResponseWriter.WriteHeaderNow()
}

// Write commits if the headers are not sent yet, then writes.
func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.before() {
		return 0, w.dropped
	}
	return w.ResponseWriter.Write(p)
}

// WriteString is Write for strings.
func (w *responseWriter) WriteString(s string) (int, error) {
	if !w.before() {
		return 0, w.dropped
	}
	return w.ResponseWriter.WriteString(s)
}

// Flush commits, then flushes: gin's Flush sends the headers.
func (w *responseWriter) Flush() {
	if !w.before() {
		return
	}
	w.ResponseWriter.Flush()
}

// Hijack hands the connection over without committing: whoever hijacks
// writes the response.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.state == pending {
		w.state = hijacked
	}
	return w.ResponseWriter.Hijack()
}

// Unwrap returns gin's writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
