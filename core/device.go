package sessions

import (
	"net"
	"net/http"
	"strings"
)

// Device is what Session.SetUser records about the client, for the list
// of a user's sessions ("Firefox on Linux, 203.0.113.7"). Both fields are
// shown to the user and are never trusted for anything else.
type Device struct {
	UserAgent string
	IP        string
}

// Limits on what a session keeps of a Device, so that a client cannot
// grow its session through its own headers.
const (
	maxUserAgent = 512
	maxIP        = 64
)

// DeviceOf returns the request's User-Agent and the host of its
// RemoteAddr. It reads no proxy header: behind a proxy, the application
// knows which X-Forwarded-For hop to trust and passes that IP instead.
func DeviceOf(r *http.Request) Device {
	ip := r.RemoteAddr
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	return Device{UserAgent: r.UserAgent(), IP: ip}
}

// clip cuts s to at most n bytes on a rune boundary and drops invalid
// UTF-8, so that what is stored encodes in every codec.
func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n] // a rune cut in two is invalid UTF-8, dropped below
	}
	return strings.ToValidUTF8(s, "")
}
