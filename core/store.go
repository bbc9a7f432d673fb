package sessions

import (
	"context"
	"time"

	"github.com/sessionkit/sessionkit/core/signing"
)

// Record is what a server-side store keeps under a key: opaque bytes and
// the instant they stop being valid. Stores know nothing of the session
// dict, signing or cookies.
type Record struct {
	Data []byte
	// Expiry is when the record stops being valid. Load may leave it zero
	// when the store enforces expiry itself and reading it back would cost
	// extra work (Redis keeps a TTL; GET alone does not return it).
	Expiry time.Time
}

// Mode says which write a Save performs.
type Mode uint8

const (
	// CreateOnly writes a new record and fails with ErrKeyExists when the
	// key is taken (Django's save(must_create=True)).
	CreateOnly Mode = iota + 1

	// UpdateOnly replaces an existing record and fails with ErrNotFound when
	// there is none, so a session deleted meanwhile is never brought back.
	UpdateOnly

	// UpdateIfUnchanged replaces the record only if its stored bytes still
	// equal Condition.Loaded; otherwise it fails with ErrConflict (record
	// changed) or ErrNotFound (record gone). It must be atomic, and after
	// ErrConflict a Load must return the current record: core reloads it to
	// merge, so a caching store must not serve its stale copy.
	UpdateIfUnchanged
)

// String names the mode for messages.
func (m Mode) String() string {
	switch m {
	case CreateOnly:
		return "create-only"
	case UpdateOnly:
		return "update-only"
	case UpdateIfUnchanged:
		return "update-if-unchanged"
	}
	return "invalid mode"
}

// Condition qualifies a Save.
type Condition struct {
	Mode Mode
	// Loaded is the Data this request loaded; used by UpdateIfUnchanged.
	Loaded []byte
}

// Store keeps session records server-side. Implementations must be safe
// for concurrent use and must honour ctx.
//
// Contract (checked by core/storetest):
//   - Load returns ErrNotFound for a missing or expired record; an expired
//     record is never returned, whatever the cleanup schedule.
//   - Save writes rec under key according to cond; a record whose Expiry is
//     not after now may be treated as already expired.
//   - Delete removes the record; deleting a missing key is not an error.
//   - Exists reports whether a live record exists.
//   - Save takes ownership of rec.Data and Condition.Loaded, and callers
//     treat the Data that Load returns as read-only: neither side mutates
//     it later, so an in-memory store need not copy.
type Store interface {
	Load(ctx context.Context, key string) (Record, error)
	Save(ctx context.Context, key string, rec Record, cond Condition) error
	Delete(ctx context.Context, key string) error
	Exists(ctx context.Context, key string) (bool, error)
}

// InProcess is implemented by stores whose records never leave the process
// (memstore). Core keeps their data unsigned: nothing outside the process
// can tamper with it, and signing and verifying would cost every request.
// Data still goes through the Codec.
type InProcess interface {
	InProcess() bool
}

// UnsignedStore is implemented by stores that keep the codec's bytes
// unsigned because the format they share with another program demands it:
// Django's cache session backend stores the pickled dict as is
// (stores/redis's DjangoCache). Core then neither signs nor verifies
// their records, so anyone who can write to the store can forge any
// session: use one only where the store is as trusted as the process, as
// Django's cache backend requires too.
//
// New calls BindUnsigned once with the Manager's signer (nil without a
// Secret) and uses the Store it returns in place of Config.Store; a store
// that signs part of what it keeps itself (Django's cached_db rows) takes
// the signer from there, so a secret is still configured once.
type UnsignedStore interface {
	Store
	BindUnsigned(sg *signing.Signer) Store
}

// ExpiredDeleter is implemented by stores that must purge expired records
// themselves (SQL). Stores with native TTLs need not implement it.
type ExpiredDeleter interface {
	DeleteExpired(ctx context.Context) (int64, error)
}

// ExpiryLoader is implemented by stores whose Load leaves Record.Expiry
// zero but that can report it in the same round trip (Redis: PTTL). Core
// calls it instead of Load when Config.IdleTimeout is on, so that a
// read-only request extends the record with Touch instead of rewriting its
// data.
type ExpiryLoader interface {
	LoadWithExpiry(ctx context.Context, key string) (Record, error)
}

// Toucher is implemented by stores that can extend a record's expiry
// without rewriting its data. Core calls it for Config.IdleTimeout on
// read-only requests, when Load reports the record's Expiry; a Touch must
// leave the data (an update-if-unchanged against it still holds) and never
// bring back a deleted or expired record (ErrNotFound).
type Toucher interface {
	Touch(ctx context.Context, key string, expiry time.Time) error
}

// ClientStore keeps the whole session in the cookie value instead of under
// a server-side key (Django's signed_cookies backend). Core owns the codec
// and the signing settings (Config.Secret, SecretFallbacks, Salt and
// Cookie.MaxAge), and hands the store the signer they make, so a secret or
// an age is stated once; data is the encoded session dict.
type ClientStore interface {
	// Encode returns the cookie value carrying data, signed with sg (and
	// perhaps encrypted) at now. Core checks the result's size.
	Encode(sg *signing.Signer, data []byte, now time.Time) (string, error)
	// Decode verifies a cookie value signed with sg's secrets at most
	// maxAge before now, and returns the data it carries. Any invalid,
	// tampered or expired value is an error; core treats it as a fresh
	// session, never as a failure of the request.
	Decode(sg *signing.Signer, value string, maxAge time.Duration, now time.Time) ([]byte, error)
}
