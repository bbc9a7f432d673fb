package sessions

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sessionkit/sessionkit/core/signing"
)

// Manager holds the configuration shared by every request: the store, the
// signer, the codec and the cookie attributes. It is safe for concurrent
// use; create one per application with New.
type Manager struct {
	cfg    Config
	store  Store
	client ClientStore
	codec  Codec
	signer *signing.Signer // signs server-side data; nil with a ClientStore
	local  bool            // the store is InProcess: its records are not signed

	// bufs recycles encode buffers: a session is encoded on every save.
	bufs sync.Pool
}

// New validates cfg and returns a Manager.
func New(cfg Config) (*Manager, error) {
	cfg.SecretFallbacks = append([]string(nil), cfg.SecretFallbacks...)
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	m := &Manager{cfg: cfg, store: cfg.Store, client: cfg.ClientStore, codec: cfg.Codec}
	if m.store != nil {
		sg, err := signing.New(signing.Options{
			Secret:     cfg.Secret,
			Fallbacks:  cfg.SecretFallbacks,
			Salt:       cfg.Salt,
			AcceptSHA1: cfg.AcceptLegacyFormats,
		})
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
		m.signer = sg
		if ip, ok := m.store.(InProcess); ok && ip.InProcess() {
			m.local = true
		}
	}
	return m, nil
}

// Config returns a copy of the configuration in force, defaults filled in.
func (m *Manager) Config() Config {
	c := m.cfg
	c.SecretFallbacks = append([]string(nil), c.SecretFallbacks...)
	return c
}

// Store returns the server-side store, or nil with a ClientStore.
func (m *Manager) Store() Store { return m.store }

func (m *Manager) now() time.Time { return m.cfg.Clock() }

// Open returns the lazy session for a cookie value ("" for none), bound to
// ctx. Nothing is loaded until the session is used. Use it outside HTTP
// handlers, with Save; the middleware does both for requests.
func (m *Manager) Open(ctx context.Context, cookie string) *Session {
	s := &Session{}
	s.init(m, ctx, cookie, cookie != "")
	return s
}

// Encode returns the signed form of values as a server-side store keeps it:
// Django's session_data.
func (m *Manager) Encode(values map[string]any) ([]byte, error) {
	if m.signer == nil {
		return nil, fmt.Errorf("%w: Encode needs a server-side Store", ErrInvalidConfig)
	}
	return m.encode(nil, values, m.now())
}

// Decode verifies and decodes Django's session_data.
func (m *Manager) Decode(data []byte) (map[string]any, error) {
	if m.signer == nil {
		return nil, fmt.Errorf("%w: Decode needs a server-side Store", ErrInvalidConfig)
	}
	return m.decode(data, m.now())
}

// encodeRecord and decodeRecord give what the store keeps: signed, except
// for an InProcess store.
// sizeHint (what was loaded) lets an unsigned record be encoded into one
// allocation.
func (m *Manager) encodeRecord(values map[string]any, now time.Time, sizeHint int) ([]byte, error) {
	if m.local {
		data, err := m.codec.Append(make([]byte, 0, sizeHint+64), values)
		if err != nil {
			return nil, fmt.Errorf("sessions: encode: %w", err)
		}
		return data, nil
	}
	return m.encode(nil, values, now)
}

func (m *Manager) decodeRecord(data []byte, now time.Time) (map[string]any, error) {
	if m.local {
		return m.codec.Decode(data)
	}
	return m.decode(data, now)
}

func (m *Manager) encode(dst []byte, values map[string]any, now time.Time) ([]byte, error) {
	buf := m.getBuf()
	defer m.putBuf(buf)
	raw, err := m.codec.Append((*buf)[:0], values)
	*buf = raw
	if err != nil {
		return nil, fmt.Errorf("sessions: encode: %w", err)
	}
	// Server-side data is compressed only when large: stores have no size
	// limit to meet, and deflate costs more than the rest of a save for a
	// typical session. Django reads both forms.
	return m.signer.AppendDumps(dst, raw, len(raw) >= serverCompressMin, now), nil
}

// serverCompressMin is the encoded size from which server-side data is
// compressed.
const serverCompressMin = 1024

// getBuf and putBuf recycle encode buffers; a session is encoded on every
// save.
func (m *Manager) getBuf() *[]byte {
	if b, ok := m.bufs.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 512)
	return &b
}

func (m *Manager) putBuf(b *[]byte) {
	if cap(*b) <= 64<<10 {
		m.bufs.Put(b)
	}
}

func (m *Manager) decode(data []byte, now time.Time) (map[string]any, error) {
	// JSONCodec copies what it keeps, so the verified bytes can live in a
	// pooled buffer; another codec might keep references into them.
	var dst []byte
	if _, ok := m.codec.(JSONCodec); ok {
		buf := m.getBuf()
		defer m.putBuf(buf)
		dst = (*buf)[:0]
		defer func() { *buf = dst[:0] }()
	}
	raw, err := m.signer.AppendLoads(dst, data, 0, now)
	if err == nil && dst != nil {
		dst = raw
	}
	if err != nil && m.cfg.AcceptLegacyFormats {
		secrets := append([]string{m.cfg.Secret}, m.cfg.SecretFallbacks...)
		raw, err = signing.DecodeLegacySession(string(data), secrets, legacyStoreClass(m.cfg.Salt))
	}
	if err != nil {
		return nil, err
	}
	return m.codec.Decode(raw)
}

// legacyStoreClass recovers the class name Django 3.0 hashed with from the
// salt 3.1+ signs with ("django.contrib.sessions." + class).
func legacyStoreClass(salt string) string {
	const prefix = "django.contrib.sessions."
	if len(salt) > len(prefix) && salt[:len(prefix)] == prefix {
		return salt[len(prefix):]
	}
	return "SessionStore"
}

// loadValues performs the lazy load of s. Anything invalid, expired or
// missing is an empty session without a key, so a key the client chose is
// never adopted. A store failure is kept in s.err.
func (m *Manager) loadValues(s *Session) map[string]any {
	if s.key == "" {
		return make(map[string]any)
	}
	now := m.now()
	if m.client != nil {
		data, err := m.client.Decode(s.key, now)
		if err == nil {
			if v, err := m.codec.Decode(data); err == nil {
				return v
			}
		}
		s.key = ""
		return make(map[string]any)
	}
	rec, err := m.store.Load(s.ctx, s.key)
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			s.err = fmt.Errorf("sessions: load: %w", err)
			return make(map[string]any)
		}
		s.key = ""
		return make(map[string]any)
	}
	// A zero Expiry: the store enforces expiry and returned a live record.
	if !rec.Expiry.IsZero() && !rec.Expiry.After(now) {
		s.key = ""
		return make(map[string]any)
	}
	v, err := m.decodeRecord(rec.Data, now)
	if err != nil {
		// Tampered or foreign data in the store: Django logs it and starts
		// over under a new key.
		s.key = ""
		return make(map[string]any)
	}
	s.fromStore = true
	s.loadedData = rec.Data
	return v
}
