package sessions

import (
	"math"
	"strings"
	"time"
)

// ExpiryKey is where a session keeps its own expiry, inside its data, as
// Django does; so it round-trips through every store and through Django.
const ExpiryKey = "_session_expiry"

// SetMaxAge makes the session expire after d of inactivity: every save
// moves the expiry to now+d. It is stored as whole seconds, Django's
// set_expiry(int). Zero means ExpireAtBrowserClose; a negative d expires
// the session at once.
func (s *Session) SetMaxAge(d time.Duration) {
	s.Set(ExpiryKey, int64(d/time.Second))
}

// SetExpiresAt makes the session expire at t, whatever happens meanwhile.
// It is stored as an ISO-8601 string with offset, as newer Django does
// (Django 3.2 cannot store absolute expiries with its JSON serializer, and
// its get_expiry_age raises TypeError on this form: when sharing sessions
// with Django 3.x, use SetMaxAge).
func (s *Session) SetExpiresAt(t time.Time) {
	s.Set(ExpiryKey, formatISO(t))
}

// SetExpireAtBrowserClose gives the session a browser-session cookie (no
// Max-Age), Django's set_expiry(0); server-side it still expires after the
// configured age.
func (s *Session) SetExpireAtBrowserClose() {
	s.Set(ExpiryKey, int64(0))
}

// ResetExpiry returns to the configured default age.
func (s *Session) ResetExpiry() {
	s.Delete(ExpiryKey)
}

// ExpiryAge returns how long the session lives if saved now, floored to
// whole seconds like Django's get_expiry_age.
func (s *Session) ExpiryAge() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	return s.m.expiry(s.values[ExpiryKey], s.m.cfg.Clock()).age
}

// ExpiryTime returns when the session expires if saved now.
func (s *Session) ExpiryTime() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	return s.m.expiry(s.values[ExpiryKey], s.m.cfg.Clock()).at
}

// ExpiresAtBrowserClose reports whether the cookie is a browser-session
// cookie.
func (s *Session) ExpiresAtBrowserClose() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	return s.m.expiry(s.values[ExpiryKey], s.m.cfg.Clock()).browserClose
}

// expiry is what a _session_expiry value means at one instant: the age
// (floored to whole seconds, as Django's get_expiry_age), the instant the
// record expires, and whether the cookie lasts only until the browser
// closes.
type expiry struct {
	age          time.Duration
	at           time.Time
	browserClose bool
}

// expiry interprets a _session_expiry value at modification time now:
// absent or 0 means the configured age; a number is seconds from now; a
// string is an absolute ISO-8601 time.
func (m *Manager) expiry(v any, now time.Time) expiry {
	def := m.cfg.Cookie.MaxAge
	switch x := v.(type) {
	case nil:
	case string:
		t, ok := parseISO(x)
		if !ok {
			break
		}
		// Django: delta.days*86400 + delta.seconds, which floors.
		secs := math.Floor(t.Sub(now).Seconds())
		return expiry{age: time.Duration(secs) * time.Second, at: t}
	default:
		f, ok := asFloat64(v)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e12 {
			break
		}
		if f == 0 {
			return expiry{age: def, at: now.Add(def), browserClose: true}
		}
		d := time.Duration(f * float64(time.Second))
		return expiry{age: d.Truncate(time.Second), at: now.Add(d)}
	}
	return expiry{age: def, at: now.Add(def), browserClose: m.cfg.ExpireAtBrowserClose}
}

// formatISO writes t like Python's datetime.isoformat() for an aware UTC
// datetime, which is what newer Django stores.
func formatISO(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05+00:00")
	}
	return t.Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000+00:00")
}

// parseISO reads an absolute _session_expiry: an ISO 8601 date and time
// (parseISOTime), with or without fraction and offset; a naive time is
// taken as UTC. A date alone names no instant and is no expiry.
func parseISO(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) == len(time.DateOnly) {
		return time.Time{}, false
	}
	return parseISOTime(s)
}
