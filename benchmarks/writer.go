package benchmarks

import (
	"net/http"
	"strings"
)

// DiscardWriter is the minimal http.ResponseWriter every configuration,
// baselines included, is driven with: it keeps the header map and the
// status and throws the body away. Reset clears the header map in place so
// a benchmark iteration allocates nothing on the writer's side. Like
// net/http's own writer it has WriteString and Flush, so frameworks take
// the same paths as under a real server.
type DiscardWriter struct {
	h      http.Header
	Status int   // first status written; 0 if none yet
	N      int64 // body bytes written
}

// NewDiscardWriter returns an empty writer.
func NewDiscardWriter() *DiscardWriter { return &DiscardWriter{h: make(http.Header)} }

// Header implements http.ResponseWriter.
func (w *DiscardWriter) Header() http.Header { return w.h }

// WriteHeader implements http.ResponseWriter; later calls are ignored, as
// net/http does.
func (w *DiscardWriter) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
}

// Write implements http.ResponseWriter.
func (w *DiscardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.N += int64(len(p))
	return len(p), nil
}

// WriteString is Write without the conversion.
func (w *DiscardWriter) WriteString(s string) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.N += int64(len(s))
	return len(s), nil
}

// Flush implements http.Flusher; there is nothing to flush.
func (w *DiscardWriter) Flush() { w.WriteHeader(http.StatusOK) }

// Reset prepares the writer for the next request.
func (w *DiscardWriter) Reset() {
	clear(w.h)
	w.Status = 0
	w.N = 0
}

// SessionCookie returns the "name=value" pair of the last Set-Cookie for
// the session cookie, or "" if the response set none.
func (w *DiscardWriter) SessionCookie() string {
	lines := w.h["Set-Cookie"]
	for i := len(lines) - 1; i >= 0; i-- {
		pair, _, _ := strings.Cut(lines[i], ";")
		if name, _, ok := strings.Cut(pair, "="); ok && name == CookieName {
			return pair
		}
	}
	return ""
}
