package cookiestore

import (
	"fmt"
	"strings"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/signing"
)

// DefaultMaxAge is Django's SESSION_COOKIE_AGE: how long a signed cookie is
// accepted after it was signed.
const DefaultMaxAge = 1209600 * time.Second

// maxValueSize is the longest value Encode returns: a cookie's name and
// value share sessions.MaxCookieSize bytes, and the shortest name plus "="
// takes two of them. Core checks the exact sum with the configured name.
const maxValueSize = sessions.MaxCookieSize - 2

// Options configures a Store. The zero value of every field but Secret
// means the documented default.
type Options struct {
	// Secret is Django's SECRET_KEY. Required. New values are signed with it.
	Secret string
	// Fallbacks are older secrets still accepted when verifying, as Django
	// 4.1's SECRET_KEY_FALLBACKS. Default: none.
	Fallbacks []string
	// Salt is the signing salt. Default: signing.CookieSalt
	// ("django.contrib.sessions.backends.signed_cookies"), the salt Django's
	// signed_cookies backend hard-codes.
	Salt string
	// MaxAge is how long a value is accepted after it was signed, checked
	// against the timestamp inside the value: a value exactly MaxAge old is
	// valid, one second more is not. Default: DefaultMaxAge (1209600 s,
	// Django's SESSION_COOKIE_AGE). Keep it equal to the Manager's
	// Cookie.MaxAge, as Django uses one setting for both.
	MaxAge time.Duration
	// EncryptionKeys, when set, make Encode seal values with AES-256-GCM
	// under a key derived (HKDF-SHA-256) from the first entry; Decode tries
	// every entry, so keys rotate by prepending. Each must hold at least 32
	// bytes of secret material. Encrypted values are NOT readable by Django.
	// Default: none (values are Django-signed, readable by anyone holding
	// the cookie, verifiable only with Secret).
	EncryptionKeys [][]byte
	// AcceptLegacyFormats also accepts HMAC-SHA1 signatures, which Django
	// before 3.1 wrote, and 3.1/3.2 still write with
	// DEFAULT_HASHING_ALGORITHM = "sha1". New values are always signed with
	// SHA-256. Default: false, as in Django 4.0+.
	AcceptLegacyFormats bool
}

// Store keeps the whole session in the cookie value, signed as Django's
// signed_cookies backend does, and optionally encrypted. It implements
// sessions.ClientStore and is safe for concurrent use.
type Store struct {
	signer *signing.Signer
	maxAge time.Duration
	sealer *sealer // nil unless EncryptionKeys were given
}

// New validates opts and returns a Store. Invalid options fail with an
// error matching sessions.ErrInvalidConfig.
func New(opts Options) (*Store, error) {
	if opts.Secret == "" {
		return nil, fmt.Errorf("%w: cookiestore: Secret is required", sessions.ErrInvalidConfig)
	}
	if opts.Salt == "" {
		opts.Salt = signing.CookieSalt
	}
	switch {
	case opts.MaxAge == 0:
		opts.MaxAge = DefaultMaxAge
	case opts.MaxAge < time.Second:
		return nil, fmt.Errorf("%w: cookiestore: MaxAge %v is under one second", sessions.ErrInvalidConfig, opts.MaxAge)
	}
	sg, err := signing.New(signing.Options{
		Secret:     opts.Secret,
		Fallbacks:  append([]string(nil), opts.Fallbacks...),
		Salt:       opts.Salt,
		AcceptSHA1: opts.AcceptLegacyFormats,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: cookiestore: %w", sessions.ErrInvalidConfig, err)
	}
	s := &Store{signer: sg, maxAge: opts.MaxAge}
	if len(opts.EncryptionKeys) > 0 {
		sl, err := newSealer(opts.EncryptionKeys, opts.Salt)
		if err != nil {
			return nil, fmt.Errorf("%w: cookiestore: %w", sessions.ErrInvalidConfig, err)
		}
		s.sealer = sl
	}
	return s, nil
}

// MaxAge returns the age after which values are rejected.
func (s *Store) MaxAge() time.Duration { return s.maxAge }

// Encrypted reports whether Encode seals values.
func (s *Store) Encrypted() bool { return s.sealer != nil }

// Encode implements sessions.ClientStore: it returns data (the session's
// JSON) signed at now, Django's signing.dumps(compress=True), or sealed
// when encryption is on. A value longer than a cookie can carry fails with
// an error matching sessions.ErrCookieTooLarge that names its size.
func (s *Store) Encode(data []byte, now time.Time) (string, error) {
	var v string
	if s.sealer != nil {
		v = s.sealer.seal(data, now)
	} else {
		v = s.signer.Dumps(data, true, now)
	}
	if len(v) > maxValueSize {
		return "", fmt.Errorf("%w: the encoded session takes %d bytes (a cookie's name and value may take %d)",
			sessions.ErrCookieTooLarge, len(v), sessions.MaxCookieSize)
	}
	return v, nil
}

// Decode implements sessions.ClientStore: it verifies value (and opens it
// when sealed) and returns the session JSON. Errors match the sentinels of
// core/signing: signing.ErrExpired (older than MaxAge; it also matches
// signing.ErrBadSignature), signing.ErrBadSignature (wrong secret or key,
// or tampered) and signing.ErrMalformed.
func (s *Store) Decode(value string, now time.Time) ([]byte, error) {
	data, _, err := s.DecodeWithTime(value, now)
	return data, err
}

// DecodeWithTime is Decode that also returns when the value was signed (or
// sealed), for callers that enforce a per-session expiry relative to it,
// as Django's pending fix for ticket #27775 does.
func (s *Store) DecodeWithTime(value string, now time.Time) (data []byte, signedAt time.Time, err error) {
	if s.sealer != nil && strings.HasPrefix(value, sealedPrefix) {
		data, signedAt, err = s.sealer.open(value)
		if err == nil && now.Sub(signedAt) > s.maxAge {
			data, err = nil, signing.ErrExpired
		}
	} else {
		// Also the path for Django-signed values while encryption is on,
		// so cookies issued before it was turned on keep working until
		// their next save seals them.
		data, signedAt, err = s.signer.LoadsWithTime(value, s.maxAge, now)
	}
	if err != nil {
		return nil, signedAt, fmt.Errorf("cookiestore: decode: %w", err)
	}
	return data, signedAt, nil
}
