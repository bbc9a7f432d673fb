package sessions

import (
	"bufio"
	"io"
	"net"
	"net/http"
)

// Middleware returns the net/http middleware (chi: r.Use(m.Middleware)):
// it puts a lazy session into each request's context and commits it just
// before the response headers are written, without buffering the body: it
// saves the session and sets its cookie, or deletes the cookie of an
// emptied session, and adds "Vary: Cookie" when the session was accessed.
// A handler that writes nothing still gets its cookie when it returns.
// When the commit fails, Config.ErrorHandler writes the response instead
// and the handler's body is dropped.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &responseWriter{ResponseWriter: w}
		rw.r = rw.s.begin(m, r)
		next.ServeHTTP(rw, rw.r)
		rw.finish()
	})
}

// begin opens the lazy session of r into s, the zero Session embedded in
// a per-request struct, and returns a copy of r whose context carries it.
// Nothing is loaded.
func (s *Session) begin(m *Manager, r *http.Request) *http.Request {
	value, had, header := m.transportValue(r.Header)
	s.init(m, r.Context(), value, had)
	s.viaHeader = header
	s.managed = true
	s.carrier = sessionCtx{Context: r.Context(), s: s}
	s.ctx = &s.carrier
	return r.WithContext(&s.carrier)
}

// responseWriter commits the session before the first byte of headers
// goes out. It has Unwrap, so http.ResponseController still reaches Flush,
// Hijack and deadlines. The session lives inside it: one allocation per
// request carries the session, its context and this writer.
type responseWriter struct {
	http.ResponseWriter
	r      *http.Request
	s      Session
	failed bool // the error response was written: drop the handler's
}

// ok commits once with status and reports whether the caller may write.
func (w *responseWriter) ok(status int) bool {
	if w.failed {
		return false
	}
	if err := w.s.before(w.Header(), status); err != nil {
		w.failed = true
		w.s.renderError(w.ResponseWriter, w.r, err)
		return false
	}
	return true
}

// WriteHeader commits the session, then writes the status. Informational
// statuses pass through without committing.
func (w *responseWriter) WriteHeader(status int) {
	if w.ok(status) {
		w.ResponseWriter.WriteHeader(status)
	}
}

// Write commits the session if no status was written yet (200 implied).
func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.ok(http.StatusOK) {
		return 0, w.s.commitErr
	}
	return w.ResponseWriter.Write(p)
}

// WriteString commits like Write, without converting s to a []byte.
func (w *responseWriter) WriteString(s string) (int, error) {
	if !w.ok(http.StatusOK) {
		return 0, w.s.commitErr
	}
	return io.WriteString(w.ResponseWriter, s)
}

// ReadFrom keeps io.Copy on the underlying writer's fast path (sendfile).
func (w *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.ok(http.StatusOK) {
		return 0, w.s.commitErr
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{w.ResponseWriter}, src)
}

// Flush commits, then flushes whatever the underlying writer buffered.
func (w *responseWriter) Flush() {
	if w.ok(http.StatusOK) {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// Hijack hands the connection over; the session is not committed, since
// whoever hijacks writes the response.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.s.hijack()
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns the wrapped writer for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish commits a session whose handler wrote nothing, as a 200 response
// would be. When the request's context is already done (client gone, or a
// timeout middleware outside answers), nothing is committed: the save
// could not succeed, and the response is not ours to write.
func (w *responseWriter) finish() {
	if w.r.Context().Err() == nil {
		w.ok(http.StatusOK)
	}
}
