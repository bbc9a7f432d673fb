package sessions

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxCookieValue bounds what is even looked at: a longer value is not a
// session cookie we could have set.
const maxCookieValue = MaxCookieSize

// cookieValue finds the named cookie in the request's Cookie headers
// without building the []*http.Cookie that r.Cookie parses every cookie
// into. It reports whether the cookie was present at all.
//
// When the request carries the cookie more than once, the last one wins,
// as in Django (django.http.parse_cookie), so that a Go and a Django
// service behind one domain resolve a request to the same session. Go's
// r.Cookie takes the first. Neither order is a defence against a cookie
// set by a sibling subdomain (RFC 6265 sorts by path length, then by
// creation time); a "__Host-" cookie name is, and Config accepts it.
// Names and values are trimmed as Django trims them.
func cookieValue(h http.Header, name string) (value string, found bool) {
	for _, line := range h["Cookie"] {
		for len(line) > 0 {
			var part string
			part, line, _ = strings.Cut(line, ";")
			k, v, ok := strings.Cut(part, "=")
			if !ok || strings.TrimSpace(k) != name {
				continue
			}
			v = strings.TrimSpace(v)
			if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			// No character check here: it would cost every request, and
			// what the value may hold is checked where it is used (ValidKey
			// for server-side keys, the signature for client-side values).
			if len(v) > maxCookieValue {
				v = ""
			}
			value, found = v, true
		}
	}
	return value, found
}

// sessionCookie formats the Set-Cookie value by hand into one allocation:
// http.Cookie.String costs several on every saving request.
func (m *Manager) sessionCookie(value string, exp expiry, now time.Time) string {
	c := &m.cfg.Cookie
	var b strings.Builder
	b.Grow(len(c.Name) + len(value) + 150 + len(c.Path) + len(c.Domain))
	b.WriteString(c.Name)
	b.WriteByte('=')
	b.WriteString(value)
	m.writeCommon(&b)
	if !exp.browserClose {
		var scratch [32]byte
		secs := int64(exp.age / time.Second)
		b.WriteString("; Expires=")
		b.Write(appendHTTPDate(scratch[:0], now.Add(time.Duration(secs)*time.Second)))
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
