package ginsession

import (
	"bufio"
	"fmt"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/sessionkit/sessionkit/core/lifecycle"
)

// responseWriter is c.Writer while the middleware runs: every path that
// sends headers (WriteHeaderNow, Write, WriteString, Flush) commits first.
// WriteHeader only records the status in gin, so it does not commit. The
// commit rules are core's (lifecycle.Request); this type only translates
// gin's writer and renders a failed commit gin's way.
type responseWriter struct {
	gin.ResponseWriter
	c         *gin.Context
	lc        lifecycle.Request // the session lives here: one allocation per request
	onError   func(*gin.Context, error)
	rendering bool  // the error page is being written through us
	dropped   error // returned by writes after a failed commit
}

// before commits the session once, with the status gin is about to send,
// and reports whether the caller may write.
func (w *responseWriter) before() bool {
	if w.rendering {
		return true
	}
	if w.dropped != nil {
		return false
	}
	err := w.lc.Before(w.Header(), w.ResponseWriter.Status())
	if err == nil {
		return true
	}
	w.fail(err)
	return false
}

// fail turns the response into the error response, gin's way: the error
// goes to c.Errors, the chain stops, and the error handler writes.
func (w *responseWriter) fail(err error) {
	w.dropped = fmt.Errorf("ginsession: response dropped after a failed session commit: %w", err)
	lifecycle.DropBodyHeaders(w.Header())
	_ = w.c.Error(err)
	w.c.Abort()

	w.rendering = true
	if w.onError != nil {
		saved := w.c.Writer
		w.c.Writer = w
		w.onError(w.c, err)
		w.c.Writer = saved
	} else {
		w.lc.RenderError(w.ResponseWriter, w.c.Request, err)
	}
	if !w.ResponseWriter.Written() {
		w.ResponseWriter.WriteHeader(lifecycle.ErrorStatus(err))
		w.ResponseWriter.WriteHeaderNow()
	}
	w.rendering = false
}

// finish commits a session whose handlers wrote nothing, before gin sends
// the headers itself.
func (w *responseWriter) finish() {
	if w.lc.Phase() == lifecycle.Pending && !w.ResponseWriter.Written() {
		w.before()
	}
}

// WriteHeader records the status, as gin does; it is dropped after a
// failed commit so the error status stays.
func (w *responseWriter) WriteHeader(code int) {
	if w.dropped != nil && !w.rendering {
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
	if w.before() {
		w.ResponseWriter.Flush()
	}
}

// Hijack hands the connection over without committing: whoever hijacks
// writes the response.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.lc.Hijack()
	return w.ResponseWriter.Hijack()
}

// Unwrap returns gin's writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
