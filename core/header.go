package sessions

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// DefaultResponseHeader is the response header that returns the session
// key to a client that sent it as "Authorization: Bearer <key>".
const DefaultResponseHeader = "Session-Token"

// HeaderConfig lets API and mobile clients carry the session in a request
// header instead of the cookie, with the cookie's lifecycle: lazy load,
// save before the response headers, the same fixation rules (a key the
// server did not issue gets a fresh session under a new key).
//
// A request that sends the header is a header request: its cookie is
// ignored, and its response carries no Set-Cookie. The key goes back in
// the response header (ResponseName) on every response that would have
// set the cookie: when the session is created, saved, or its key changes
// (CycleKey at login, renewal); the client keeps the latest value it got.
// When the session ends (Flush, logout, an unknown or expired key), the
// response header is sent empty: the client drops its token.
//
// A client without a session yet sends the header empty
// ("Authorization: Bearer", or the named header with no value) to be
// answered in the header; one that sends nothing is a cookie client.
//
// When both a header and a cookie arrive, the header wins: it is what the
// client chose for this request, and a stale browser cookie riding along
// must not swap an API client onto another session. Any accessed response
// of a Manager with a header configured varies on both Cookie and the
// header. A ClientStore's signed value travels in the header as it would
// in the cookie.
type HeaderConfig struct {
	// Bearer reads the key from "Authorization: Bearer <key>".
	Bearer bool
	// Name reads the key from this request header instead (e.g.
	// "X-Session-Token"). Exclusive with Bearer.
	Name string
	// ResponseName is the response header carrying the (new) key.
	// Default: Name, or DefaultResponseHeader with Bearer.
	ResponseName string
}

// enabled reports whether sessions may arrive in a header.
func (c *HeaderConfig) enabled() bool { return c.Bearer || c.Name != "" }

// check validates c and fills in its defaults; Name and ResponseName are
// kept in canonical form, since core indexes http.Header directly.
func (c *HeaderConfig) check() error {
	if !c.enabled() {
		if c.ResponseName != "" {
			return fmt.Errorf("%w: Header.ResponseName needs Header.Bearer or Header.Name", ErrInvalidConfig)
		}
		return nil
	}
	if c.Bearer && c.Name != "" {
		return fmt.Errorf("%w: set one of Header.Bearer and Header.Name", ErrInvalidConfig)
	}
	if c.Name != "" {
		if !validCookieName(c.Name) {
			return fmt.Errorf("%w: header name %q", ErrInvalidConfig, c.Name)
		}
		if strings.EqualFold(c.Name, "Cookie") || strings.EqualFold(c.Name, "Authorization") {
			return fmt.Errorf("%w: header name %q: use Header.Bearer for Authorization", ErrInvalidConfig, c.Name)
		}
		c.Name = http.CanonicalHeaderKey(c.Name)
	}
	if c.ResponseName == "" {
		c.ResponseName = c.Name
		if c.Bearer {
			c.ResponseName = DefaultResponseHeader
		}
	}
	if !validCookieName(c.ResponseName) || strings.EqualFold(c.ResponseName, "Set-Cookie") {
		return fmt.Errorf("%w: response header name %q", ErrInvalidConfig, c.ResponseName)
	}
	c.ResponseName = http.CanonicalHeaderKey(c.ResponseName)
	return nil
}

// requestName is the request header the key arrives in.
func (c *HeaderConfig) requestName() string {
	if c.Bearer {
		return "Authorization"
	}
	return c.Name
}

// headerValue returns the session value sent in the configured request
// header and whether the request is a header request. Bearer takes the
// scheme case-insensitively (RFC 9110); an Authorization header of
// another scheme (Basic) is not a session header, so the cookie decides.
// A header sent empty ("Authorization: Bearer", or the named header with
// no value) is a header client without a session yet: it gets its first
// key in the response header instead of a cookie.
func (c *HeaderConfig) headerValue(h http.Header) (value string, present bool) {
	vs := h[c.requestName()]
	if len(vs) == 0 {
		return "", false
	}
	v := strings.TrimSpace(vs[len(vs)-1])
	if c.Bearer {
		scheme, token, _ := strings.Cut(v, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return "", false
		}
		v = strings.TrimSpace(token)
	}
	return v, true
}

// transportValue finds the session value of a request: the header's when
// one is configured and sent, else the cookie's. had reports whether the
// client presented a value at all (an unknown one is rejected on load).
func (m *Manager) transportValue(h http.Header) (value string, had, header bool) {
	if m.cfg.Header.enabled() {
		if v, ok := m.cfg.Header.headerValue(h); ok {
			if len(v) > maxCookieValue {
				return "", true, true // no value we issued: a fresh session
			}
			return v, v != "", true
		}
	}
	value, had = cookieValue(h, m.cfg.Cookie.Name)
	return value, had, false
}

// addVaryHeader adds the session header to Vary, beside Cookie, unless it
// or "*" is there.
func (s *Session) addVaryHeader(h http.Header) {
	name := s.m.cfg.Header.requestName()
	for _, line := range h["Vary"] {
		for part := range strings.SplitSeq(line, ",") {
			part = strings.TrimSpace(part)
			if part == "*" || strings.EqualFold(part, name) {
				return
			}
		}
	}
	h["Vary"] = append(h["Vary"], name)
}

// sendKey returns the session to the client the way it came: the key in
// the response header for a header request, the cookie otherwise.
func (s *Session) sendKey(h http.Header, exp expiry, now time.Time) {
	if s.viaHeader {
		s.addHeader(h, s.m.cfg.Header.ResponseName, s.key)
		return
	}
	s.addHeader(h, "Set-Cookie", s.m.sessionCookie(s.key, exp, now))
}

// sendDeletion tells the client its session ended: an empty response
// header for a header request, the deletion cookie otherwise.
func (s *Session) sendDeletion(h http.Header) {
	if s.viaHeader {
		h[s.m.cfg.Header.ResponseName] = []string{""}
		return
	}
	s.addHeader(h, "Set-Cookie", s.m.deletionCookie())
}
