package sessions

import (
	"net/http"
	"strings"
)

// maxCookieValue bounds what is even looked at: a longer value is not a
// session cookie we could have set.
const maxCookieValue = MaxCookieSize

// cookieValue finds the named cookie in the request's Cookie headers
// without building the []*http.Cookie that r.Cookie parses every cookie
// into. It reports whether the cookie was present at all.
func cookieValue(h http.Header, name string) (string, bool) {
	for _, line := range h["Cookie"] {
		for len(line) > 0 {
			var part string
			part, line, _ = strings.Cut(line, ";")
			part = strings.TrimSpace(part)
			k, v, ok := strings.Cut(part, "=")
			if !ok || k != name {
				continue
			}
			if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			// No character check here: it would cost every request, and
			// what the value may hold is checked where it is used (ValidKey
			// for server-side keys, the signature for client-side values).
			if len(v) > maxCookieValue {
				return "", true
			}
			return v, true
		}
	}
	return "", false
}
