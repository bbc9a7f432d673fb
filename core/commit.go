package sessions

import (
	"net/http"
	"strings"
)

// phase is where a managed session is in its commit: once out of pending
// it never goes back.
type phase uint8

const (
	pending   phase = iota // nothing sent, nothing committed
	committed              // committed: the response goes out as written
	failed                 // the commit failed: the response must become an error
	hijacked               // the connection was taken over: never committed
)

// before commits s once, just before the response headers go out with
// status, and returns the commit error; later calls return the same error
// and do nothing. Informational statuses (1xx but 101) pass without
// committing: the real response is still to come. Every adapter and the
// net/http middleware go through here, so the rules live in one place.
func (s *Session) before(h http.Header, status int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.phase {
	case committed, hijacked:
		return nil
	case failed:
		return s.commitErr
	}
	if status >= 100 && status < 200 && status != http.StatusSwitchingProtocols {
		return nil
	}
	if err := s.commit(h, status); err != nil {
		s.phase = failed
		s.commitErr = err
		return err
	}
	s.phase = committed
	return nil
}

// hijack marks a pending session as handed over with its connection:
// whoever hijacks writes the response, so it is never committed.
func (s *Session) hijack() {
	s.mu.Lock()
	if s.phase == pending {
		s.phase = hijacked
	}
	s.mu.Unlock()
}

// commit applies Django's response rules: save the session and set its
// cookie, or delete the cookie of an emptied session, and add
// "Vary: Cookie" when the session was accessed. s.mu must be held.
func (s *Session) commit(h http.Header, status int) error {
	if s.err != nil {
		return s.err
	}
	m := s.m
	if m.cfg.SaveEveryRequest && !s.modified && !s.savedEarly && !s.isEmptyLocked() {
		// Saving needs the data; Django's save loads it too.
		s.ensureLoaded()
		if s.err != nil {
			return s.err
		}
	}
	if s.isEmptyLocked() {
		if s.hadCookie {
			s.sendDeletion(h)
			s.addVary(h)
		} else if s.accessed {
			s.addVary(h)
		}
		return nil
	}
	if s.accessed {
		s.addVary(h)
	}
	if status < 500 && s.renewDue() {
		if err := s.renew(m.cfg.Clock()); err != nil {
			return err
		}
	}
	write := s.modified || (m.cfg.SaveEveryRequest && !s.savedEarly)
	if !write && !s.savedEarly && !s.rekeyed {
		// A read-only request: only the idle timeout or the last-seen
		// time may need a write.
		if status >= 500 {
			return nil
		}
		if refresh := s.refresh(); !refresh && !s.activeDue() {
			return nil
		}
		write = true
	}
	// Django 4.2+: a failed response saves nothing.
	if status >= 500 {
		return nil
	}
	now := m.cfg.Clock()
	exp := m.expiry(s.values[ExpiryKey], now)
	if write {
		var err error
		if exp, err = s.saveLocked(now, exp); err != nil {
			return err
		}
	}
	s.sendKey(h, exp, now)
	return nil
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
	if s.m.cfg.Header.enabled() {
		s.addVaryHeader(h)
	}
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
