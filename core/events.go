package sessions

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// EventKind says what happened to a session. Each write of a session
// reports exactly one of EventCreated, EventCycled and EventSaved.
type EventKind uint8

const (
	// EventCreated: a session was stored for the first time, under a key
	// core just made (its first save, or the first save after Flush). With a
	// ClientStore: the first cookie of a session was issued.
	EventCreated EventKind = iota + 1

	// EventLoaded: the session the request named was read and verified; the
	// request sees its data.
	EventLoaded

	// EventSaved: a session that already existed was written again (a
	// change, or SaveEveryRequest). With a ClientStore its cookie value,
	// and so its ID, changes: PreviousID is the one it was loaded under.
	EventSaved

	// EventCycled: the session was saved under a new key, after CycleKey
	// or a renewal (Config.RenewInterval); the old key no longer works, or
	// only for the renewal's grace (with a ClientStore the old cookie stays
	// valid until it expires: signed cookies cannot be revoked). ID is the
	// new key's, PreviousID the old one's. A CycleKey before the session was
	// ever stored reports EventCreated instead: nothing was cycled away.
	EventCycled

	// EventFlushed: Flush ended the session the request carried; its record
	// is deleted. A record that could not be deleted is also reported as
	// EventStoreError.
	EventFlushed

	// EventExpired: core found the session past its expiry: past
	// Config.AbsoluteTimeout or IdleTimeout, a signed cookie older than
	// Cookie.MaxAge (ClientStore), a record whose expiry, as its store
	// returned it, had passed, or a renewed key past its grace. The request
	// gets a fresh session. A record that the store itself already purged
	// (a Redis TTL, an SQL cleanup) cannot be told from a key that never
	// existed: that is EventRejected.
	EventExpired

	// EventRevoked: the session was ended from outside its own requests:
	// by RevokeSession or RevokeUser ("log out everywhere", an
	// administrator; reported with the request's context, outside any
	// session), or, with Config.Users.Generations, found on load to belong
	// to a revoked generation.
	EventRevoked

	// EventConflictMerged: a save met writes of concurrent requests and
	// merged this request's changes into them; Merges counts the merges.
	// It precedes the EventSaved of the same save.
	EventConflictMerged

	// EventStoreError: a call of the store failed, or a save gave up
	// (ErrTooManyConflicts); Op names the call and Err is the error. The
	// request answers through Config.ErrorHandler, except where the call
	// was not needed to serve it (the delete in Flush or of an expired
	// record, an idle-timeout Touch): that record is left to its expiry.
	EventStoreError

	// EventRejected: the key or cookie the client sent was not used: no
	// such record (never issued, already purged, or deleted by a logout),
	// a malformed key, a record over MaxRecordSize, or data whose
	// signature does not verify (tampered, or signed with an unknown
	// secret). The request gets a fresh session, as Django does. ID is ""
	// for a value that is not a key at all.
	EventRejected
)

var eventNames = [...]string{
	EventCreated:        "created",
	EventLoaded:         "loaded",
	EventSaved:          "saved",
	EventCycled:         "cycled",
	EventFlushed:        "flushed",
	EventExpired:        "expired",
	EventRevoked:        "revoked",
	EventConflictMerged: "conflict_merged",
	EventStoreError:     "store_error",
	EventRejected:       "rejected",
}

// String returns the kind's name in snake case ("created",
// "conflict_merged"), suitable as a metric attribute or a log field.
func (k EventKind) String() string {
	if int(k) < len(eventNames) && eventNames[k] != "" {
		return eventNames[k]
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// Event is something that happened to one session. It never holds the
// session key, the secret or the data: the session is named by ID, a
// keyed hash of its key, so audit logs and metrics can follow a session
// without being able to log anyone in.
type Event struct {
	Kind EventKind
	// ID names the session: 32 hex digits of HMAC-SHA-256 of its key (or
	// of its cookie value with a ClientStore), under a key derived from
	// Config.Secret for this purpose only. Every instance with the same
	// Secret computes the same ID; without a Secret (memstore) the hash key
	// is random per Manager. A new Secret gives new IDs. "" when the
	// client sent something that is not a key.
	ID string
	// PreviousID is the ID the session had before the event, for
	// EventCycled, and EventSaved with a ClientStore.
	PreviousID string
	// Time is when core saw it, from Config.Clock.
	Time time.Time
	// Op is the failed operation of EventStoreError: "load", "save",
	// "delete", "touch" (a store's methods) or "encode" (a ClientStore's).
	Op string
	// Merges is, for EventConflictMerged, how many concurrent writes this
	// save merged into; for an EventStoreError with ErrTooManyConflicts,
	// how many it merged before giving up.
	Merges int
	// Err is the error of EventStoreError, as the store returned it
	// (wrapped). Stores in this repository never put a key in their
	// errors.
	Err error
}

// String describes the event on one line, e.g.
// "sessions: cycled id=… previous=…". It holds nothing secret.
func (e Event) String() string {
	var b strings.Builder
	b.WriteString("sessions: ")
	b.WriteString(e.Kind.String())
	if e.ID != "" {
		b.WriteString(" id=")
		b.WriteString(e.ID)
	}
	if e.PreviousID != "" {
		b.WriteString(" previous=")
		b.WriteString(e.PreviousID)
	}
	if e.Op != "" {
		b.WriteString(" op=")
		b.WriteString(e.Op)
	}
	if e.Merges != 0 {
		b.WriteString(" merges=")
		b.WriteString(strconv.Itoa(e.Merges))
	}
	if e.Err != nil {
		b.WriteString(" err=")
		b.WriteString(strconv.Quote(e.Err.Error()))
	}
	return b.String()
}

// LogValue implements slog.LogValuer, so an audit log records an event as
// a group of its set fields: logger.Info("session", "event", e).
func (e Event) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, 7)
	attrs = append(attrs, slog.String("kind", e.Kind.String()))
	if e.ID != "" {
		attrs = append(attrs, slog.String("id", e.ID))
	}
	if e.PreviousID != "" {
		attrs = append(attrs, slog.String("previous_id", e.PreviousID))
	}
	if !e.Time.IsZero() {
		attrs = append(attrs, slog.Time("time", e.Time))
	}
	if e.Op != "" {
		attrs = append(attrs, slog.String("op", e.Op))
	}
	if e.Merges != 0 {
		attrs = append(attrs, slog.Int("merges", e.Merges))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("err", e.Err.Error()))
	}
	return slog.GroupValue(attrs...)
}

// eventIDPurpose separates the ID hash key from every other use of the
// Secret: an ID is no signature of anything.
const eventIDPurpose = "sessionkit/core: session ID in events"

// sessionIDs hashes session keys into event IDs. Its HMACs are pooled:
// with a subscriber, a request reports one or two events.
type sessionIDs struct {
	macs sync.Pool // of *idMAC
}

// idMAC is a keyed HMAC with buffers for the key it hashes and the sum,
// so that hashing a string allocates nothing but the ID.
type idMAC struct {
	mac hash.Hash
	buf []byte
	sum []byte
}

func newSessionIDs(secret string) *sessionIDs {
	var key []byte
	if secret != "" {
		// HKDF-SHA-256 cannot fail for a 32-byte output.
		key, _ = hkdf.Key(sha256.New, []byte(secret), nil, eventIDPurpose, sha256.Size)
	} else {
		key = make([]byte, sha256.Size)
		rand.Read(key) // never fails since Go 1.24
	}
	ids := &sessionIDs{}
	ids.macs.New = func() any { return &idMAC{mac: hmac.New(sha256.New, key)} }
	return ids
}

// id returns the event ID of key, "" for "".
func (ids *sessionIDs) id(key string) string {
	if key == "" {
		return ""
	}
	h := ids.macs.Get().(*idMAC)
	h.mac.Reset()
	h.buf = append(h.buf[:0], key...)
	h.mac.Write(h.buf)
	h.sum = h.mac.Sum(h.sum[:0])
	var id [32]byte
	hex.Encode(id[:], h.sum[:16])
	ids.macs.Put(h)
	return string(id[:])
}

// ID returns the ID that events name this session by (Event.ID), or ""
// when it has no key yet, so that an application can write the same ID
// into its own logs (a login next to the user's name). With a ClientStore
// it changes on every save, as the cookie value does.
func (s *Session) ID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m.publicID(s.key)
}

// emit reports e about the session under key (and prev, its previous
// key) to Config.OnEvent. Without a subscriber it is one nil check, so
// call sites need no guard. s.mu is held.
func (s *Session) emit(e Event, key, prev string) {
	if s.m.cfg.OnEvent != nil {
		s.publish(e, key, prev)
	}
}

func (s *Session) publish(e Event, key, prev string) {
	m := s.m
	e.ID = m.publicID(key)
	e.PreviousID = m.publicID(prev)
	e.Time = m.cfg.Clock()
	m.cfg.OnEvent(s.eventContext(), e)
}

// eventContext is the request's context without this session in it: the
// subscriber runs while s.mu is held, so reaching the session through
// FromContext would deadlock; without it, FromContext panics and says so.
func (s *Session) eventContext() context.Context {
	if s.ctx == &s.carrier {
		return s.carrier.Context
	}
	return s.ctx
}
