package sessions

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Commit applies Django's response rules to s, once, just before the
// response headers are written with the given status: it saves the
// session and sets its cookie, or deletes the cookie of an emptied
// session, and adds "Vary: Cookie" when the session was accessed. Later
// calls return the first call's result and do nothing.
//
// Adapters call Commit from their framework's "before headers" hook; the
// net/http middleware calls it for you. A non-nil error means the response
// must become an error response (see Config.ErrorHandler).
func (m *Manager) Commit(h http.Header, s *Session, status int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.committed {
		return s.commitErr
	}
	s.committed = true
	s.commitErr = m.commit(h, s, status)
	return s.commitErr
}

func (m *Manager) commit(h http.Header, s *Session, status int) error {
	if s.err != nil {
		return s.err
	}
	if m.cfg.SaveEveryRequest && !s.modified && !s.isEmptyLocked() {
		// Saving needs the data; Django's save loads it too.
		s.ensureLoaded()
		if s.err != nil {
			return s.err
		}
	}
	if s.isEmptyLocked() {
		if s.hadCookie {
			s.addHeader(h, "Set-Cookie", m.deletionCookie())
			s.addVary(h)
		} else if s.accessed {
			s.addVary(h)
		}
		return nil
	}
	if s.accessed {
		s.addVary(h)
	}
	if !s.modified && !m.cfg.SaveEveryRequest {
		return nil
	}
	// Django 4.2+: a failed response saves nothing.
	if status >= 500 {
		return nil
	}
	now := m.now()
	if err := s.saveLocked(now); err != nil {
		return err
	}
	if err := m.checkCookieSize(s.key); err != nil {
		return err
	}
	s.addHeader(h, "Set-Cookie", m.sessionCookie(s.key, s.values[ExpiryKey], now))
	return nil
}

// checkCookieSize refuses a cookie browsers would silently drop.
func (m *Manager) checkCookieSize(value string) error {
	if n := len(m.cfg.Cookie.Name) + 1 + len(value); n > MaxCookieSize {
		return fmt.Errorf("%w: %d bytes for name and value (limit %d)", ErrCookieTooLarge, n, MaxCookieSize)
	}
	return nil
}

// sessionCookie formats the Set-Cookie value by hand into one allocation:
// http.Cookie.String costs several on every saving request.
func (m *Manager) sessionCookie(value string, expiry any, now time.Time) string {
	c := &m.cfg.Cookie
	age, _, browserClose := m.expiry(expiry, now)
	var b strings.Builder
	b.Grow(len(c.Name) + len(value) + 150 + len(c.Path) + len(c.Domain))
	b.WriteString(c.Name)
	b.WriteByte('=')
	b.WriteString(value)
	m.writeCommon(&b)
	if !browserClose {
		var scratch [32]byte
		secs := int64(age / time.Second)
		b.WriteString("; Expires=")
		b.Write(now.Add(time.Duration(secs)*time.Second).UTC().AppendFormat(scratch[:0], http.TimeFormat))
		if secs <= 0 {
			b.WriteString("; Max-Age=0")
		} else {
			b.WriteString("; Max-Age=")
			b.Write(strconv.AppendInt(scratch[:0], secs, 10))
		}
	}
	if !c.DisableHTTPOnly {
		b.WriteString("; HttpOnly")
	}
	return b.String()
}

// deletionCookie expires the session cookie with the attributes it was set
// with, so the browser matches and drops it.
func (m *Manager) deletionCookie() string {
	var b strings.Builder
	b.Grow(len(m.cfg.Cookie.Name) + 120 + len(m.cfg.Cookie.Path) + len(m.cfg.Cookie.Domain))
	b.WriteString(m.cfg.Cookie.Name)
	b.WriteByte('=')
	m.writeCommon(&b)
	b.WriteString("; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0")
	return b.String()
}

func (m *Manager) writeCommon(b *strings.Builder) {
	c := &m.cfg.Cookie
	b.WriteString("; Path=")
	b.WriteString(c.Path)
	if c.Domain != "" {
		b.WriteString("; Domain=")
		b.WriteString(c.Domain)
	}
	if c.Secure {
		b.WriteString("; Secure")
	}
	switch c.SameSite {
	case http.SameSiteLaxMode:
		b.WriteString("; SameSite=Lax")
	case http.SameSiteStrictMode:
		b.WriteString("; SameSite=Strict")
	case http.SameSiteNoneMode:
		b.WriteString("; SameSite=None")
	}
	if c.Partitioned {
		b.WriteString("; Partitioned")
	}
}

// addHeader appends a header value. The common case, a header not set
// yet, uses a one-element slice kept in the Session instead of allocating
// one; its capacity is capped so anyone appending later copies it.
func (s *Session) addHeader(h http.Header, name, value string) {
	if len(h[name]) > 0 {
		h[name] = append(h[name], value)
		return
	}
	i := 0
	if name != "Vary" {
		i = 1
	}
	s.hdr[i] = value
	h[name] = s.hdr[i : i+1 : i+1]
}

// addVary adds Cookie to the Vary header unless it, or "*", is there.
func (s *Session) addVary(h http.Header) {
	for _, line := range h["Vary"] {
		for part := range strings.SplitSeq(line, ",") {
			part = strings.TrimSpace(part)
			if part == "*" || strings.EqualFold(part, "Cookie") {
				return
			}
		}
	}
	s.addHeader(h, "Vary", "Cookie")
}

// ErrorStatus is the status a failed commit answers with by default: 400
// for ErrSessionDeleted (Django's SessionInterrupted), 500 otherwise.
func ErrorStatus(err error) int {
	if errors.Is(err, ErrSessionDeleted) {
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// DropBodyHeaders removes the headers that describe a handler's body, before
// an error response replaces it.
func DropBodyHeaders(h http.Header) {
	h.Del("Content-Length")
	h.Del("Content-Encoding")
	h.Del("Content-Type")
	h.Del("Etag")
}

func defaultErrorHandler(w http.ResponseWriter, _ *http.Request, err error) {
	code := ErrorStatus(err)
	msg := http.StatusText(code)
	if code == http.StatusBadRequest {
		msg = "The session was deleted before the request completed."
	}
	http.Error(w, msg, code)
}
