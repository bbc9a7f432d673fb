package benchmarks

import "time"

// The session every scenario starts from: {"user": "alice", "visits": 41}.
const (
	UserKey     = "user"
	UserValue   = "alice"
	VisitsKey   = "visits"
	VisitsStart = 41
)

// CookieName is the session cookie name every library is configured with.
const CookieName = "sessionid"

// CookieMaxAge is the session lifetime every library is configured with
// (Django's default SESSION_COOKIE_AGE).
const CookieMaxAge = 1209600 * time.Second

// Routes every target serves. Scenario A never touches the session, B reads
// one string key, C increments a counter so the session is saved. Seed
// writes the starting session; Visits reports the counter (for tests).
const (
	RouteSeed   = "/seed"
	RouteA      = "/a"
	RouteB      = "/b"
	RouteC      = "/c"
	RouteVisits = "/visits"
	// RouteStream streams StreamSize bytes in StreamChunk writes after
	// touching the session as C does; the size comes from the target's
	// Options.
	RouteStream = "/stream"
)

// Keys shared by every library, so each signs with the same strength.
// These are benchmark fixtures, not secrets.
const (
	// Secret is Django's SECRET_KEY for sessionkit.
	Secret = "benchmark-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
	// HashKey authenticates gorilla/securecookie values (HMAC-SHA256).
	HashKey = "benchmark-hash-key-0123456789abcdef0123456789abcdef0123456789ab"
	// BlockKey encrypts gorilla/securecookie values (AES-256).
	BlockKey = "benchmark-block-key-0123456789ab"
	// EncryptionKey encrypts sessionkit cookie values (AES-256-GCM).
	EncryptionKey = "benchmark-encryption-key-0123456789abcdef"
)

// okBody is what routes that have nothing to report write.
const okBody = "ok"
