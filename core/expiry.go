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
// It is stored as an ISO-8601 string, in the form Config.Django reads: in
// UTC with an offset (USE_TZ = True), or as naive wall-clock time in
// Django's TIME_ZONE (NaiveTime, USE_TZ = False), as Django 4.0 and later
// store set_expiry(datetime). Django 3.x reads neither: its get_expiry_age
// returns the string as it is, and its middleware raises TypeError on a
// request that saves the session. When sharing sessions with Django 3.x,
// use SetMaxAge.
func (s *Session) SetExpiresAt(t time.Time) {
	s.Set(ExpiryKey, s.m.cfg.Django.formatExpiry(t))
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
// string is an absolute ISO-8601 time. Relative expiries and ages follow
// Config.Django: with NaiveTime they are reckoned on TIME_ZONE's wall
// clock, as Django adds and subtracts naive datetimes.
func (m *Manager) expiry(v any, now time.Time) expiry {
	dj := m.cfg.Django
	def := m.cfg.Cookie.MaxAge
	switch x := v.(type) {
	case nil:
	case string:
		t, naive, ok := parseISO(x)
		if !ok {
			break
		}
		if !naive {
			return expiry{age: floorSeconds(t.Sub(now)), at: t}
		}
		at := fromWall(t, dj.zone())
		if dj.NaiveTime {
			return expiry{age: floorSeconds(t.Sub(wallClock(now, dj.zone()))), at: at}
		}
		return expiry{age: floorSeconds(at.Sub(now)), at: at}
	default:
		f, ok := asFloat64(v)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e12 {
			break
		}
		if f == 0 {
			return expiry{age: def, at: dj.after(now, def), browserClose: true}
		}
		d := time.Duration(f * float64(time.Second))
		return expiry{age: d.Truncate(time.Second), at: dj.after(now, d)}
	}
	return expiry{age: def, at: dj.after(now, def), browserClose: m.cfg.ExpireAtBrowserClose}
}

// floorSeconds floors d to whole seconds, as Django's
// delta.days*86400 + delta.seconds does.
func floorSeconds(d time.Duration) time.Duration {
	return time.Duration(math.Floor(d.Seconds())) * time.Second
}

// formatExpiry writes t as Python's datetime.isoformat() writes the
// datetime Django keeps for it: aware UTC, or with NaiveTime naive
// wall-clock time in TimeZone. Microseconds appear only when not zero.
func (d Django) formatExpiry(t time.Time) string {
	if d.NaiveTime {
		t = t.In(d.zone())
	} else {
		t = t.UTC()
	}
	layout := "2006-01-02T15:04:05"
	if t.Nanosecond()/1000 != 0 {
		layout = "2006-01-02T15:04:05.000000"
		t = t.Truncate(time.Microsecond)
	}
	if !d.NaiveTime {
		layout += "+00:00"
	}
	return t.Format(layout)
}

// parseISO reads an absolute _session_expiry, as Python's
// datetime.fromisoformat does: an ISO 8601 date and time (parseISOTime),
// with or without fraction and offset, or a date alone (midnight). naive
// reports a value without offset; t then holds its clock reading in UTC.
func parseISO(s string) (t time.Time, naive, ok bool) {
	s = strings.TrimSpace(s)
	t, ok = parseISOTime(s)
	return t, ok && isNaive(s), ok
}

// isNaive reports whether the ISO 8601 time s (which parsed) has no
// offset: nothing follows its seconds and their fraction.
func isNaive(s string) bool {
	const secs = len("2006-01-02T15:04:05")
	if len(s) <= secs {
		return true // a date alone, or a time without a zone
	}
	i := secs
	if s[i] == '.' || s[i] == ',' {
		i++
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	}
	return i == len(s)
}
