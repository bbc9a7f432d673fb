package sessions

import (
	"bufio"
	"io"
	"net"
	"net/http"
)

// Middleware returns the net/http middleware: it puts a lazy session into
// each request's context and commits it (see Commit) just before the
// response headers are written, without buffering the body. A handler that
// writes nothing still gets its cookie when it returns.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw, r := m.Wrap(w, r)
		next.ServeHTTP(rw, r)
		rw.Finish()
	})
}

// ResponseWriter wraps the response of one request: it commits the session
// before the first byte of headers goes out. It has Unwrap, so
// http.ResponseController still reaches Flush, Hijack and deadlines.
type ResponseWriter struct {
	http.ResponseWriter
	r    *http.Request
	m    *Manager
	done bool
	err  error

	// One allocation per request carries the session, its context and this
	// writer together.
	st RequestState
}

// Wrap opens the request's session and returns the writer and request a
// handler must use. Call Finish on the writer when the handler returns.
// Adapters whose framework owns the writer use OpenRequest and Commit
// instead.
func (m *Manager) Wrap(w http.ResponseWriter, r *http.Request) (*ResponseWriter, *http.Request) {
	rw := &ResponseWriter{ResponseWriter: w, m: m}
	rw.r = m.Attach(r, &rw.st)
	return rw, rw.r
}

// RequestState is one request's session and the context that carries it.
// Adapters embed it in their own per-request struct, so one allocation
// serves both; Attach fills it. The zero value is ready for Attach.
type RequestState struct {
	session Session
	ctx     sessionCtx
}

// Session returns the request's session.
func (st *RequestState) Session() *Session { return &st.session }

// Attach opens the lazy session of r from its cookie into st and returns a
// copy of r whose context carries it. Nothing is loaded. Adapters call
// Commit with st.Session() before their framework writes headers.
func (m *Manager) Attach(r *http.Request, st *RequestState) *http.Request {
	value, had := cookieValue(r.Header, m.cfg.Cookie.Name)
	s := &st.session
	s.init(m, r.Context(), value, had)
	st.ctx = sessionCtx{Context: r.Context(), s: s}
	s.ctx = &st.ctx
	return r.WithContext(&st.ctx)
}

// OpenRequest is Attach with a RequestState of its own.
func (m *Manager) OpenRequest(r *http.Request) (*Session, *http.Request) {
	st := new(RequestState)
	return &st.session, m.Attach(r, st)
}

// Session returns the request's session.
func (w *ResponseWriter) Session() *Session { return &w.st.session }

// Err returns the commit error the error handler answered with, if any.
func (w *ResponseWriter) Err() error { return w.err }

// before commits once; it reports whether the caller may go on writing.
func (w *ResponseWriter) before(status int) bool {
	if w.done {
		return w.err == nil
	}
	w.done = true
	if err := w.m.Commit(w.Header(), &w.st.session, status); err != nil {
		w.err = err
		DropBodyHeaders(w.Header())
		w.m.cfg.ErrorHandler(w.ResponseWriter, w.r, err)
		return false
	}
	return true
}

// WriteHeader commits the session, then writes the status. Informational
// statuses pass through without committing.
func (w *ResponseWriter) WriteHeader(status int) {
	if status >= 100 && status < 200 && status != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(status)
		return
	}
	if w.before(status) {
		w.ResponseWriter.WriteHeader(status)
	}
}

// Write commits the session if no status was written yet (200 implied).
// After a commit error the handler's body is dropped.
func (w *ResponseWriter) Write(p []byte) (int, error) {
	if !w.before(http.StatusOK) {
		return 0, w.err
	}
	return w.ResponseWriter.Write(p)
}

// WriteString commits like Write, without converting s to a []byte.
func (w *ResponseWriter) WriteString(s string) (int, error) {
	if !w.before(http.StatusOK) {
		return 0, w.err
	}
	return io.WriteString(w.ResponseWriter, s)
}

// ReadFrom keeps io.Copy on the underlying writer's fast path (sendfile).
func (w *ResponseWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.before(http.StatusOK) {
		return 0, w.err
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{w.ResponseWriter}, src)
}

// Flush commits, then flushes whatever the underlying writer buffered.
func (w *ResponseWriter) Flush() {
	if !w.before(http.StatusOK) {
		return
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack hands the connection over; the session is not committed, since
// whoever hijacks writes the response.
func (w *ResponseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns the wrapped writer for http.ResponseController.
func (w *ResponseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Finish commits a session whose handler wrote nothing, as a 200 response
// would be. It is safe to call more than once. When the request's context
// is already done (client gone, or a timeout middleware outside answers),
// nothing is committed: the save could not succeed, and the response is
// not ours to write.
func (w *ResponseWriter) Finish() {
	if !w.done && w.r.Context().Err() == nil {
		w.before(http.StatusOK)
	}
}
