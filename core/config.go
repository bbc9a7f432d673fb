package sessions

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/sessionkit/sessionkit/core/signing"
)

// Defaults, from Django's global settings.
const (
	DefaultCookieName = "sessionid"
	DefaultCookieAge  = 1209600 * time.Second // two weeks
	DefaultCookiePath = "/"
	// MaxCookieSize is what browsers keep of one cookie's name and value.
	MaxCookieSize = 4096
	// DefaultMaxRecordSize is the default Config.MaxRecordSize: far above
	// any session a web app keeps (Django's are a few hundred bytes), far
	// below what would let one record cost a request much time or memory.
	DefaultMaxRecordSize = 1 << 20
)

// Config configures a Manager. The zero value of every field means the
// documented default; New validates it once. Every setting lives here
// once: stores take no secret, salt or age of their own.
type Config struct {
	// Store keeps sessions server-side. Exactly one of Store and
	// ClientStore must be set.
	Store Store
	// ClientStore keeps sessions in the cookie itself (stores/cookie).
	ClientStore ClientStore

	// Secret signs session data, as Django's SECRET_KEY does: the records
	// of a server-side Store, or the cookie values of a ClientStore.
	// Required, except with a Store whose records never leave the process
	// (memstore), which are kept unsigned.
	Secret string
	// SecretFallbacks are older secrets still accepted when reading, as
	// Django 4.1's SECRET_KEY_FALLBACKS. New data is signed with Secret.
	SecretFallbacks []string
	// Salt signs the data. Default: signing.SessionSalt with a Store (what
	// Django's db, cache and cached_db backends use), signing.CookieSalt
	// with a ClientStore (Django's signed_cookies backend). A Django
	// project whose store class is called MyStore uses
	// "django.contrib.sessions.MyStore".
	Salt string
	// AcceptLegacyFormats reads data written by Django before 3.1 (SHA-1
	// signatures, and the base64 "hash:json" form of server-side data).
	// New data is always written in the current format. Default: false.
	AcceptLegacyFormats bool

	// Django describes the Django project sharing these sessions: its
	// version, USE_TZ and TIME_ZONE. It decides how absolute expiries are
	// written and read, and which login hashes djangoauth accepts. A store
	// that keeps Django's expire_date (gormstore) must be given the same
	// time zone settings; New refuses one that disagrees. Default: modern
	// Django with USE_TZ = True in UTC.
	Django Django

	// Codec encodes the session dict. Default: JSONCodec, Django's format.
	Codec Codec
	// MaxRecordSize bounds a server-side record, in stored bytes. A larger
	// record is never verified or decoded: the request gets a fresh, empty
	// session. A save that would write a larger one fails with
	// ErrRecordTooLarge. Default: DefaultMaxRecordSize (1 MiB); negative
	// means no limit. The server-side stores have the same option, checked
	// before a record crosses the network; New refuses a value above the
	// store's.
	MaxRecordSize int

	// Cookie holds the session cookie's attributes and the session age.
	Cookie CookieConfig

	// SaveEveryRequest saves (and re-sends the cookie of) every non-empty
	// session, as Django's SESSION_SAVE_EVERY_REQUEST. Default: false.
	SaveEveryRequest bool
	// ExpireAtBrowserClose makes sessions without their own expiry use
	// browser-session cookies, as Django's SESSION_EXPIRE_AT_BROWSER_CLOSE.
	// Default: false.
	ExpireAtBrowserClose bool

	// ErrorHandler writes the response when the store fails or the session
	// was deleted by a concurrent request. Default: logs the error through
	// Logger (at Error; Warn for ErrSessionDeleted; Info when the request's
	// context was cancelled, the client having gone away) and answers 400
	// for ErrSessionDeleted, 500 otherwise, with a generic body.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives store errors (from the default ErrorHandler) and
	// reports of session writes made after the response was committed.
	// Default: slog.Default().
	Logger *slog.Logger

	// OnEvent receives every lifecycle event (created, loaded, saved,
	// cycled, flushed, expired, conflict merged, store error, rejected),
	// for audit logs and metrics; see Event. It is called synchronously,
	// inside the request, with the request's context: keep it fast, and
	// do not use the session from it (the session is locked; FromContext
	// on that context panics). Default: nil, no events, at no cost.
	OnEvent func(ctx context.Context, e Event)

	// IdleTimeout ends a session after this long without a request that
	// uses it; AbsoluteTimeout ends it this long after it was created or
	// its key last cycled (login), whatever the activity. Both are
	// enforced on load, beside Django's expiry (which they never extend),
	// and a session can set its own with SetTimeouts (remember-me). A
	// read-only request extends the idle deadline at most once per
	// quarter of it, with a Touch where the store has one. Django does
	// not enforce them. Default: 0, off.
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	// RenewInterval gives a server-side session a new key once its key is
	// this old, on the next request that uses it; the data stays. For
	// RenewGrace the old key still leads to the session (requests already
	// in flight with it get the new cookie), then it ends. A client store
	// re-signs its cookie on every write instead. Default: 0, off.
	RenewInterval time.Duration
	RenewGrace    time.Duration

	// Clock returns the current time. Default: time.Now.
	Clock func() time.Time

	// HashKeys stores only HMAC-SHA-256(subkey of Secret, key) in the
	// Store, never the key the cookie or header carries, so that a leaked
	// dump of the store logs nobody in. Needs a Secret and a server-side
	// Store; New refuses a store whose keys Django shares (gormstore on
	// django_session, redisstore's Django cache formats), since Django
	// looks records up by the raw key. Rotating Secret with HashKeys on
	// logs every user out: the hash is keyed by Secret alone, not by
	// SecretFallbacks. Default: false.
	HashKeys bool

	// Header lets API and mobile clients carry the session in a request
	// header instead of the cookie; see HeaderConfig. Default: off.
	Header HeaderConfig

	// Users configures the per-user session index (Session.SetUser,
	// Manager.UserSessions, RevokeUser): it is on whenever the Store
	// implements UserIndex; see UserConfig.
	Users UserConfig
}

// CookieConfig mirrors the http.Cookie fields a session cookie uses.
type CookieConfig struct {
	// Name. Default: "sessionid".
	Name string
	// MaxAge is the session age, Django's SESSION_COOKIE_AGE: the cookie's
	// Max-Age, the record expiry unless the session sets its own, and, with
	// a ClientStore, how long a signed cookie value is accepted. Default:
	// 1209600 seconds (two weeks).
	MaxAge time.Duration
	// Domain. Default: none (host-only cookie).
	Domain string
	// Path. Default: "/".
	Path string
	// Secure. Default: false; set it on HTTPS sites.
	Secure bool
	// DisableHTTPOnly lets scripts read the cookie. Default: false, so the
	// cookie is HttpOnly.
	DisableHTTPOnly bool
	// SameSite. Default (zero): http.SameSiteLaxMode. Use
	// http.SameSiteDefaultMode to omit the attribute.
	SameSite http.SameSite
	// Partitioned (CHIPS). Default: false.
	Partitioned bool
}

func (c *Config) setDefaults() error {
	if (c.Store == nil) == (c.ClientStore == nil) {
		return fmt.Errorf("%w: set exactly one of Store and ClientStore", ErrInvalidConfig)
	}
	if c.Secret == "" && !inProcess(c.Store) {
		return fmt.Errorf("%w: Secret is required to sign session data", ErrInvalidConfig)
	}
	if err := c.Django.check(c.Store); err != nil {
		return err
	}
	if c.Salt == "" {
		c.Salt = signing.SessionSalt
		if c.ClientStore != nil {
			c.Salt = signing.CookieSalt
		}
	}
	if c.Codec == nil {
		c.Codec = JSONCodec{}
	}
	if err := c.checkTimeouts(); err != nil {
		return err
	}
	if err := c.Users.setDefaults(); err != nil {
		return err
	}
	if c.MaxRecordSize == 0 {
		c.MaxRecordSize = DefaultMaxRecordSize
	}
	if err := checkStoreLimit(c.Store, c.MaxRecordSize); err != nil {
		return err
	}
	if c.Cookie.Name == "" {
		c.Cookie.Name = DefaultCookieName
	}
	if !validCookieName(c.Cookie.Name) {
		return fmt.Errorf("%w: cookie name %q", ErrInvalidConfig, c.Cookie.Name)
	}
	// A server-side key is at most maxKeyLength bytes, so with this bound
	// no server-side cookie needs a size check on the hot path.
	if len(c.Cookie.Name)+1+maxKeyLength > MaxCookieSize {
		return fmt.Errorf("%w: cookie name of %d bytes leaves no room for a value", ErrInvalidConfig, len(c.Cookie.Name))
	}
	if c.Cookie.MaxAge == 0 {
		c.Cookie.MaxAge = DefaultCookieAge
	}
	if c.Cookie.MaxAge < time.Second {
		return fmt.Errorf("%w: Cookie.MaxAge %v is under one second", ErrInvalidConfig, c.Cookie.MaxAge)
	}
	if c.Cookie.Path == "" {
		c.Cookie.Path = DefaultCookiePath
	}
	if c.Cookie.SameSite == 0 {
		c.Cookie.SameSite = http.SameSiteLaxMode
	}
	if c.Cookie.SameSite == http.SameSiteNoneMode && !c.Cookie.Secure {
		return fmt.Errorf("%w: SameSite=None needs Secure", ErrInvalidConfig)
	}
	if err := c.Cookie.checkPrefix(); err != nil {
		return err
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.ErrorHandler == nil {
		c.ErrorHandler = defaultErrorHandler(c.Logger)
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	return c.Header.check()
}

func inProcess(s Store) bool {
	ip, ok := s.(InProcess)
	return ok && ip.InProcess()
}

// validCookieName accepts RFC 6265 token characters.
func validCookieName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || isSeparator(c) {
			return false
		}
	}
	return name != ""
}

func isSeparator(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=', '{', '}':
		return true
	}
	return false
}

// checkPrefix enforces what browsers require of a cookie whose name has
// one of the prefixes of RFC 6265bis: without them the browser drops the
// cookie silently, and every request would start a fresh session.
func (c *CookieConfig) checkPrefix() error {
	switch {
	case strings.HasPrefix(c.Name, "__Host-"):
		if !c.Secure || c.Domain != "" || c.Path != "/" {
			return fmt.Errorf("%w: a %q cookie needs Secure, Path \"/\" and no Domain", ErrInvalidConfig, "__Host-")
		}
	case strings.HasPrefix(c.Name, "__Secure-"):
		if !c.Secure {
			return fmt.Errorf("%w: a %q cookie needs Secure", ErrInvalidConfig, "__Secure-")
		}
	}
	return nil
}

// checkStoreLimit refuses a store whose own record limit (the server-side
// stores check it before the bytes cross the network) is below core's:
// saves between the two would fail in the store. A store with a larger or
// no limit is fine: core's check still applies.
func checkStoreLimit(s Store, limit int) error {
	ls, ok := s.(interface{ MaxRecordSize() int })
	if !ok {
		return nil
	}
	theirs := ls.MaxRecordSize()
	if theirs > 0 && (limit < 0 || limit > theirs) {
		return fmt.Errorf("%w: Config.MaxRecordSize %d is above the store's limit of %d bytes: set the store's MaxRecordSize option too", ErrInvalidConfig, limit, theirs)
	}
	return nil
}
