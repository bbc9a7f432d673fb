package cookiestore

import (
	"errors"
	"fmt"
	"strings"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/signing"
)

// Options configures a Store. It holds only what is the store's own: the
// secret, fallbacks, salt and age are the Manager's (sessions.Config
// Secret, SecretFallbacks, Salt and Cookie.MaxAge), stated once there. The
// zero value is a Store that writes Django-signed values.
type Options struct {
	// EncryptionKeys, when set, make Encode seal values with AES-256-GCM
	// under a key derived (HKDF-SHA-256) from the first entry; Decode tries
	// every entry, so keys rotate by prepending. Each must hold at least 32
	// bytes of secret material. Encrypted values are NOT readable by Django.
	// Default: none (values are Django-signed, readable by anyone holding
	// the cookie, verifiable only with sessions.Config.Secret).
	EncryptionKeys [][]byte
}

// Store keeps the whole session in the cookie value, signed as Django's
// signed_cookies backend does, and optionally encrypted. It implements
// sessions.ClientStore and is safe for concurrent use.
type Store struct {
	sealer *sealer // nil unless EncryptionKeys were given
}

// New validates opts and returns a Store. Invalid options fail with an
// error matching sessions.ErrInvalidConfig.
func New(opts Options) (*Store, error) {
	s := &Store{}
	if len(opts.EncryptionKeys) > 0 {
		sl, err := newSealer(opts.EncryptionKeys)
		if err != nil {
			return nil, &configError{err: err}
		}
		s.sealer = sl
	}
	return s, nil
}

// configError reports invalid Options. It matches sessions.ErrInvalidConfig
// (and the cause) with errors.Is, and reads "cookiestore: invalid config:
// <cause>" rather than repeating the sentinel's own "sessions: " text.
type configError struct{ err error }

func (e *configError) Error() string   { return "cookiestore: invalid config: " + e.err.Error() }
func (e *configError) Unwrap() []error { return []error{sessions.ErrInvalidConfig, e.err} }

// errNoSigner is what Encode and Decode report without a signer: a
// Manager always passes one, as it requires sessions.Config.Secret for a
// ClientStore.
var errNoSigner = errors.New("no signer (sessions.Config.Secret is required)")

// Encode implements sessions.ClientStore: it returns data (the session's
// JSON) signed with sg at now, Django's signing.dumps(compress=True), or
// sealed when encryption is on. The Manager checks that the cookie fits.
func (s *Store) Encode(sg *signing.Signer, data []byte, now time.Time) (string, error) {
	if s.sealer != nil {
		return s.sealer.seal(data, now), nil
	}
	if sg == nil {
		return "", fmt.Errorf("cookiestore: encode: %w", errNoSigner)
	}
	return sg.Dumps(data, true, now), nil
}

// Decode implements sessions.ClientStore: it verifies value with sg (or
// opens it when sealed), accepting it until maxAge after it was signed
// (exactly maxAge is still valid; maxAge <= 0 disables the check), and
// returns the session JSON. Errors match the sentinels of core/signing:
// signing.ErrExpired (it also matches signing.ErrBadSignature),
// signing.ErrBadSignature (wrong secret or key, or tampered) and
// signing.ErrMalformed.
func (s *Store) Decode(sg *signing.Signer, value string, maxAge time.Duration, now time.Time) ([]byte, error) {
	var (
		data []byte
		err  error
	)
	switch {
	case s.sealer != nil && strings.HasPrefix(value, sealedPrefix):
		var sealedAt time.Time
		data, sealedAt, err = s.sealer.open(value)
		if err == nil && maxAge > 0 && now.Sub(sealedAt) > maxAge {
			data, err = nil, signing.ErrExpired
		}
	case sg == nil:
		err = errNoSigner
	default:
		// Also the path for Django-signed values while encryption is on,
		// so cookies issued before it was turned on keep working until
		// their next save seals them.
		data, err = sg.Loads(value, maxAge, now)
	}
	if err != nil {
		return nil, fmt.Errorf("cookiestore: decode: %w", err)
	}
	return data, nil
}
