package sessions

import (
	"fmt"
	"net/http"
	"time"

	"github.com/sessionkit/sessionkit/core/signing"
)

// Defaults, from Django's global settings.
const (
	DefaultCookieName = "sessionid"
	DefaultCookieAge  = 1209600 * time.Second // two weeks
	DefaultCookiePath = "/"
	// DefaultSalt is the salt Django's db, cached_db and file backends sign
	// session data with ("django.contrib.sessions." + the store class name).
	DefaultSalt = signing.SessionSalt
	// MaxCookieSize is what browsers keep of one cookie's name and value.
	MaxCookieSize = 4096
)

// Config configures a Manager. The zero value of every field means the
// documented default; New validates it once.
type Config struct {
	// Store keeps sessions server-side. Exactly one of Store and
	// ClientStore must be set.
	Store Store
	// ClientStore keeps sessions in the cookie itself (stores/cookie).
	ClientStore ClientStore

	// Secret signs session data kept by Store, as Django's SECRET_KEY does.
	// Required with Store.
	Secret string
	// SecretFallbacks are older secrets still accepted when reading, as
	// Django 4.1's SECRET_KEY_FALLBACKS. New data is signed with Secret.
	SecretFallbacks []string
	// Salt signs server-side data. Default: DefaultSalt. A Django project
	// whose store class is called MyStore uses "django.contrib.sessions.MyStore".
	Salt string
	// AcceptLegacyFormats reads data written by Django before 3.1 (SHA-1
	// signatures and the base64 "hash:json" format). Default: false.
	AcceptLegacyFormats bool

	// Codec encodes the session dict. Default: JSONCodec, Django's format.
	Codec Codec

	// Cookie holds the session cookie's attributes.
	Cookie CookieConfig

	// SaveEveryRequest saves (and re-sends the cookie of) every non-empty
	// session, as Django's SESSION_SAVE_EVERY_REQUEST. Default: false.
	SaveEveryRequest bool
	// ExpireAtBrowserClose makes sessions without their own expiry use
	// browser-session cookies. Default: false.
	ExpireAtBrowserClose bool

	// ErrorHandler writes the response when the store fails or the session
	// was deleted by a concurrent request. Default: 400 for
	// ErrSessionDeleted, 500 otherwise, with a generic body.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

	// Clock returns the current time. Default: time.Now.
	Clock func() time.Time
}

// CookieConfig mirrors the http.Cookie fields a session cookie uses.
type CookieConfig struct {
	// Name. Default: "sessionid".
	Name string
	// MaxAge is the session age: cookie Max-Age and record expiry unless the
	// session sets its own. Default: 1209600 seconds (two weeks).
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
	if c.Store != nil && c.Secret == "" {
		return fmt.Errorf("%w: Secret is required with a server-side Store", ErrInvalidConfig)
	}
	if c.Salt == "" {
		c.Salt = DefaultSalt
	}
	if c.Codec == nil {
		c.Codec = JSONCodec{}
	}
	if c.Cookie.Name == "" {
		c.Cookie.Name = DefaultCookieName
	}
	if !validCookieName(c.Cookie.Name) {
		return fmt.Errorf("%w: cookie name %q", ErrInvalidConfig, c.Cookie.Name)
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
	// A cookie store verifies its own max age from the signature; a cookie
	// that outlives it would be sent but rejected, logging users out early.
	if ma, ok := c.ClientStore.(interface{ MaxAge() time.Duration }); ok && ma.MaxAge() < c.Cookie.MaxAge {
		return fmt.Errorf("%w: ClientStore max age %v is shorter than Cookie.MaxAge %v", ErrInvalidConfig, ma.MaxAge(), c.Cookie.MaxAge)
	}
	if c.ErrorHandler == nil {
		c.ErrorHandler = defaultErrorHandler
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	return nil
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
