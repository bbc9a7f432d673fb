package sessions

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
)

// Session is one request's session, with the semantics of Django's
// SessionBase: it loads lazily on first access, tracks whether it was
// accessed and modified, and is saved by the middleware just before the
// response headers go out.
//
// A Session holds the whole per-request path, load → use → commit; its
// Manager only supplies configuration and codecs. It is bound to the
// context of the request it was opened for, which governs its store round
// trips. Its methods are safe for concurrent use by the goroutines of one
// request.
//
// Changes made after the response was committed (after its first body
// byte, or once headers went out) cannot reach the client or the store:
// they are kept for the rest of the request, reported once through
// Config.Logger, and Save and CycleKey return ErrCommitted.
type Session struct {
	mu  sync.Mutex
	m   *Manager
	ctx context.Context

	// key is the record key of a server-side store, or the cookie value of
	// a client-side one. "" means no session yet.
	key       string
	hadCookie bool
	viaHeader bool // the key came in Config.Header's header, not the cookie

	values   map[string]any
	loaded   bool
	accessed bool
	modified bool
	// rekeyed: the key was renewed, or a forwarding record followed, so
	// the commit sends the cookie even when it writes nothing.
	rekeyed bool
	// loadedExpiry is the record expiry the store reported, in Unix
	// seconds (0 if it does not), for the idle timeout's Touch; 32 bits
	// fit beside the flags, where a time.Time would grow every Session.
	loadedExpiry uint32

	// What was loaded, for update-if-unchanged saves and merges.
	loadedData []byte
	fromStore  bool

	// The keys this request wrote or deleted, so a save that meets a
	// concurrent write can merge instead of overwriting: the first few
	// inline, the rest in a map, since most requests change one or two.
	changedInline [4]string
	changedN      int
	changed       map[string]struct{}
	cleared       bool
	// updates holds, per key, the read-modify-write functions (Update,
	// Incr) applied since the last save, re-applied in order on a merge.
	updates map[string][]func(old any, ok bool) any

	// user is the user the session was tied to when it was loaded (or
	// last saved), for the index: "" for none. untie is a user SetUser
	// moved the session away from, whose index entry the save removes.
	user  string
	untie string
	// indexNow: SetUser ran, so the save indexes the key whatever the
	// entry's until.
	indexNow bool

	// staleKey is a record to delete once the session is saved under a new
	// key (CycleKey); with a client store, the cookie value CycleKey left,
	// for the EventCycled of the next save.
	staleKey string

	err error // load failure, reported at commit

	// The commit of a session opened by the middleware (managed).
	managed    bool
	phase      phase
	commitErr  error
	savedEarly bool // Save ran in the handler: commit sends the cookie, writes nothing
	lateWarned bool

	// hdr backs the Vary and Set-Cookie header values commit adds.
	hdr [2]string
	// carrier is the request context that carries this session, kept here
	// so that one allocation serves both.
	carrier sessionCtx
}

func (s *Session) init(m *Manager, ctx context.Context, cookie string, hadCookie bool) {
	s.m = m
	s.ctx = ctx
	s.hadCookie = hadCookie
	if m.client != nil || ValidKey(cookie) {
		s.key = cookie
	}
}

// Key returns the session key, or "" when the session has none yet. With a
// client-side store it is the cookie value.
func (s *Session) Key() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.key
}

// Accessed reports whether the session data was touched.
func (s *Session) Accessed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accessed
}

// Modified reports whether the session must be saved.
func (s *Session) Modified() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.modified
}

// Load loads the session from its store now, if it was not loaded yet,
// and returns the store error that made loading fail, or nil. Every other
// accessor loads on demand; call Load to tell a store outage from an
// empty session. A session whose load failed behaves as empty, and the
// middleware answers with the error handler instead of saving over the
// stored data.
func (s *Session) Load() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	return s.err
}

// Get returns the value under key. See also the typed getters and the
// generic Get function.
func (s *Session) Get(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	v, ok := s.values[key]
	return v, ok
}

// Has reports whether key is set.
func (s *Session) Has(key string) bool {
	_, ok := s.Get(key)
	return ok
}

// Set stores value under key. Values must be encodable by the Codec; the
// default JSON codec takes strings, numbers, bools, nil, slices, maps and
// anything encoding/json can marshal.
func (s *Session) Set(key string, value any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	s.values[key] = value
	delete(s.updates, key)
	s.markChanged(key, "Set")
}

// Delete removes key and reports whether it was present. Removing a
// missing key changes nothing.
func (s *Session) Delete(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	if _, ok := s.values[key]; !ok {
		return false
	}
	delete(s.values, key)
	delete(s.updates, key)
	s.markChanged(key, "Delete")
	return true
}

// Pop removes key and returns its value. See also the generic Pop.
func (s *Session) Pop(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	v, ok := s.values[key]
	if ok {
		delete(s.values, key)
		delete(s.updates, key)
		s.markChanged(key, "Pop")
	}
	return v, ok
}

// SetDefault returns the value under key, storing value first if key is
// absent.
func (s *Session) SetDefault(key string, value any) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	if v, ok := s.values[key]; ok {
		return v
	}
	s.values[key] = value
	s.markChanged(key, "SetDefault")
	return value
}

// SetAll stores every entry of values, as Django's update does: the
// session is marked modified even when values is empty.
func (s *Session) SetAll(values map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	for k, v := range values {
		s.values[k] = v
		delete(s.updates, k)
		s.markChanged(k, "SetAll")
	}
	s.modified = true
}

// Keys returns the keys in sorted order.
func (s *Session) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	return slices.Sorted(maps.Keys(s.values))
}

// Values returns a shallow copy of the session data.
func (s *Session) Values() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	return maps.Clone(s.values)
}

// Len returns the number of keys.
func (s *Session) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	return len(s.values)
}

// Clear removes every key without loading first, as Django's clear does.
// The session keeps its key; use Flush to end it.
func (s *Session) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clearLocked()
	s.reportLate("Clear", "")
}

func (s *Session) clearLocked() {
	// Clear replaces whatever is stored, so it needs no load; a later save
	// still needs loadedData, which save loads itself.
	s.values = make(map[string]any)
	s.loaded = true
	s.accessed = true
	s.modified = true
	s.cleared = true
	s.resetChanged()
}

// IsEmpty reports whether the session has neither a key nor data. It does
// not load.
func (s *Session) IsEmpty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isEmptyLocked()
}

func (s *Session) isEmptyLocked() bool {
	return s.key == "" && len(s.values) == 0
}

// Flush ends the session: its data is cleared, its record deleted now, and
// it has no key until the next save. The middleware deletes the cookie. Use
// it on logout. After the response was committed the record is still
// deleted, but the cookie stays in the browser (it names a record that is
// gone, so the next request starts a fresh session).
func (s *Session) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clearLocked()
	old := s.key
	s.key = ""
	s.fromStore = false
	s.loadedData = nil
	var err error
	if s.m.store != nil {
		for _, k := range []string{old, s.staleKey} {
			if k == "" {
				continue
			}
			if derr := s.m.store.Delete(s.ctx, k); derr != nil {
				derr = fmt.Errorf("sessions: flush: %w", derr)
				s.emit(Event{Kind: EventStoreError, Op: "delete", Err: derr}, k, "")
				err = errors.Join(err, derr)
			}
		}
	}
	if ended := cmp.Or(old, s.staleKey); ended != "" {
		s.emit(Event{Kind: EventFlushed}, ended, "")
	}
	if err == nil && s.user != "" {
		s.unindex(s.user, old, s.staleKey)
	}
	s.user, s.untie, s.indexNow = "", "", false
	s.staleKey = ""
	return err
}

// CycleKey gives the session a new key and keeps its data; the old record
// is deleted once the data is saved under the new key, just before the
// response goes out. Use it on login, against session fixation. After the
// response was committed it changes nothing and returns ErrCommitted.
func (s *Session) CycleKey() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.phase != pending {
		return ErrCommitted
	}
	s.ensureLoaded()
	if s.err != nil {
		return s.err
	}
	if s.staleKey == "" && (s.m.store != nil && s.fromStore || s.m.client != nil) {
		s.staleKey = s.key
	}
	s.key = ""
	s.fromStore = false
	s.loadedData = nil
	s.accessed = true
	s.modified = true
	// Everything is ours now: the new record starts from this data.
	s.cleared = true
	// A login restarts the absolute lifetime (OWASP: counted from login)
	// and the renewal interval.
	delete(s.values, CreatedKey)
	delete(s.values, KeyedKey)
	return nil
}

// markChanged records a change of key made by op. s.mu must be held.
func (s *Session) markChanged(key, op string) {
	s.modified = true
	s.reportLate(op, key)
	s.track(key)
}

// track adds key to the keys this request changed, which a merge carries
// over to a newer record. s.mu must be held.
func (s *Session) track(key string) {
	if s.cleared {
		return
	}
	if s.changed != nil {
		s.changed[key] = struct{}{}
		return
	}
	for _, k := range s.changedInline[:s.changedN] {
		if k == key {
			return
		}
	}
	if s.changedN < len(s.changedInline) {
		s.changedInline[s.changedN] = key
		s.changedN++
		return
	}
	s.changed = make(map[string]struct{}, 2*len(s.changedInline))
	for _, k := range s.changedInline {
		s.changed[k] = struct{}{}
	}
	s.changed[key] = struct{}{}
}

// reportLate logs, once per request, a change made after the commit: it
// can reach neither the client nor the store. The session key is never
// logged; the data key is, since it names the code that wrote too late.
func (s *Session) reportLate(op, key string) {
	if s.phase == pending || s.lateWarned {
		return
	}
	s.lateWarned = true
	s.m.cfg.Logger.LogAttrs(s.ctx, slog.LevelWarn, "sessions: session changed after the response was committed; the change is not saved",
		slog.String("op", op), slog.String("key", key))
}

// changedKeys calls fn for every key this request changed.
func (s *Session) changedKeys(fn func(key string)) {
	if s.changed != nil {
		for k := range s.changed {
			fn(k)
		}
		return
	}
	for _, k := range s.changedInline[:s.changedN] {
		fn(k)
	}
}

func (s *Session) resetChanged() {
	s.changedN = 0
	s.changed = nil
	s.updates = nil
}
