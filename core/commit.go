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
			h["Set-Cookie"] = append(h["Set-Cookie"], m.deletionCookie())
			addVary(h)
		} else if s.accessed {
			addVary(h)
		}
		return nil
	}
	if s.accessed {
		addVary(h)
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
	h["Set-Cookie"] = append(h["Set-Cookie"], m.sessionCookie(s.key, s.values[ExpiryKey], now))
	return nil
}

// checkCookieSize refuses a cookie browsers would silently drop.
func (m *Manager) checkCookieSize(value string) error {
	if n := len(m.cfg.Cookie.Name) + 1 + len(value); n > MaxCookieSize {
		return fmt.Errorf("%w: %d bytes for name and value (limit %d)", ErrCookieTooLarge, n, MaxCookieSize)
	}
	return nil
}

// sessionCookie formats the Set-Cookie value by hand: http.Cookie.String
// costs several allocations on every saving request.
func (m *Manager) sessionCookie(value string, expiry any, now time.Time) string {
	c := &m.cfg.Cookie
	age, _, browserClose := m.expiry(expiry, now)
	b := make([]byte, 0, len(c.Name)+len(value)+160)
	b = append(b, c.Name...)
	b = append(b, '=')
	b = append(b, value...)
	b = m.appendCommon(b)
	if !browserClose {
		secs := int64(age / time.Second)
		b = append(b, "; Expires="...)
		b = now.Add(time.Duration(secs)*time.Second).UTC().AppendFormat(b, http.TimeFormat)
		if secs <= 0 {
			b = append(b, "; Max-Age=0"...)
		} else {
			b = append(b, "; Max-Age="...)
			b = strconv.AppendInt(b, secs, 10)
		}
	}
	if !c.DisableHTTPOnly {
		b = append(b, "; HttpOnly"...)
	}
	return string(b)
}

// deletionCookie expires the session cookie with the attributes it was set
// with, so the browser matches and drops it.
func (m *Manager) deletionCookie() string {
	b := make([]byte, 0, len(m.cfg.Cookie.Name)+120)
	b = append(b, m.cfg.Cookie.Name...)
	b = append(b, '=')
	b = m.appendCommon(b)
	b = append(b, "; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0"...)
	return string(b)
}

func (m *Manager) appendCommon(b []byte) []byte {
	c := &m.cfg.Cookie
	b = append(b, "; Path="...)
	b = append(b, c.Path...)
	if c.Domain != "" {
		b = append(b, "; Domain="...)
		b = append(b, c.Domain...)
	}
	if c.Secure {
		b = append(b, "; Secure"...)
	}
	switch c.SameSite {
	case http.SameSiteLaxMode:
		b = append(b, "; SameSite=Lax"...)
	case http.SameSiteStrictMode:
		b = append(b, "; SameSite=Strict"...)
	case http.SameSiteNoneMode:
		b = append(b, "; SameSite=None"...)
	}
	if c.Partitioned {
		b = append(b, "; Partitioned"...)
	}
	return b
}

// addVary adds Cookie to the Vary header unless it, or "*", is there.
func addVary(h http.Header) {
	for _, line := range h["Vary"] {
		for part := range strings.SplitSeq(line, ",") {
			part = strings.TrimSpace(part)
			if part == "*" || strings.EqualFold(part, "Cookie") {
				return
			}
		}
	}
	h["Vary"] = append(h["Vary"], "Cookie")
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
