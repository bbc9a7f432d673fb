package sessions

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sessionkit/sessionkit/core/signing"
)

// Manager holds what every request shares: the store, the signer, the
// codec and the cookie attributes. It never changes after New and is safe
// for concurrent use; create one per application.
type Manager struct {
	cfg    Config
	store  Store
	client ClientStore
	codec  Codec
	// signer signs server-side records or cookie values; nil without a
	// Secret (allowed only for an InProcess store).
	signer *signing.Signer
	// local: the store is InProcess or an UnsignedStore, its records are
	// kept unsigned.
	local bool

	// bufs recycles encode buffers: a session is encoded on every save.
	bufs sync.Pool
	// saving serialises this process's saves of one session key.
	saving keyLocks
	// ids hashes keys into the session IDs of events.
	ids *sessionIDs
	// withExpiry loads records with their expiry, when an idle timeout
	// needs it and the store can tell it (see ExpiryLoader); else nil.
	withExpiry ExpiryLoader
	// index is the store's per-user index (UserIndex), addressed by store
	// keys; nil when the store keeps none. hasher maps keys to store keys
	// with Config.HashKeys, else nil.
	index  UserIndex
	hasher *keyHasher
}

// New validates cfg and returns a Manager.
func New(cfg Config) (*Manager, error) {
	cfg.SecretFallbacks = append([]string(nil), cfg.SecretFallbacks...)
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	m := &Manager{cfg: cfg, store: cfg.Store, client: cfg.ClientStore, codec: cfg.Codec, local: inProcess(cfg.Store), ids: newSessionIDs(cfg.Secret)}
	if cfg.Secret != "" {
		sg, err := signing.New(signing.Options{
			Secret:          cfg.Secret,
			SecretFallbacks: cfg.SecretFallbacks,
			Salt:            cfg.Salt,
			AcceptSHA1:      cfg.AcceptLegacyFormats,
		})
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
		m.signer = sg
	}
	if cfg.HashKeys {
		hs, err := hashKeys(cfg.Store, cfg.Secret)
		if err != nil {
			return nil, err
		}
		m.store = hs
		switch h := hs.(type) {
		case *hashedStore:
			m.hasher = h.kh
		case *hashedToucher:
			m.hasher = h.kh
		}
	}
	m.index = userIndexOf(cfg.Store)
	if u, ok := cfg.Store.(UnsignedStore); ok {
		m.store, m.local = u.BindUnsigned(m.signer), true
		m.index = userIndexOf(m.store)
	}
	if cfg.IdleTimeout > 0 {
		m.withExpiry, _ = m.store.(ExpiryLoader)
	}
	return m, nil
}

// Config returns a copy of the configuration in force, defaults filled in.
func (m *Manager) Config() Config {
	c := m.cfg
	c.SecretFallbacks = append([]string(nil), c.SecretFallbacks...)
	return c
}

// Open returns the lazy session stored under key ("" for a new one),
// bound to ctx, for code outside an HTTP request (jobs, tests, tools).
// Nothing is loaded until the session is used; call Save to write it.
// Inside a request, use FromContext: the middleware saves for you.
func (m *Manager) Open(ctx context.Context, key string) *Session {
	s := &Session{}
	s.init(m, ctx, key, key != "")
	return s
}

// Encode returns values in the signed form a server-side store keeps,
// Django's session_data.
func (m *Manager) Encode(values map[string]any) ([]byte, error) {
	if m.signer == nil || m.client != nil {
		return nil, fmt.Errorf("%w: Encode needs a Secret and a server-side Store", ErrInvalidConfig)
	}
	return m.encodeSigned(nil, values, m.cfg.Clock())
}

// Decode verifies and decodes Django's session_data.
func (m *Manager) Decode(data []byte) (map[string]any, error) {
	if m.signer == nil || m.client != nil {
		return nil, fmt.Errorf("%w: Decode needs a Secret and a server-side Store", ErrInvalidConfig)
	}
	return m.decodeSigned(data, m.cfg.Clock())
}

// encodeRecord and decodeRecord give what the store keeps: signed, except
// for an InProcess store. sizeHint (what was loaded) lets an unsigned
// record be encoded into one allocation.
func (m *Manager) encodeRecord(values map[string]any, now time.Time, sizeHint int) ([]byte, error) {
	if m.local {
		data, err := m.codec.Append(make([]byte, 0, sizeHint+64), values)
		if err != nil {
			return nil, fmt.Errorf("sessions: encode: %w", err)
		}
		return data, m.checkSize(data)
	}
	data, err := m.encodeSigned(nil, values, now)
	if err != nil {
		return nil, err
	}
	return data, m.checkSize(data)
}

func (m *Manager) decodeRecord(data []byte, now time.Time) (map[string]any, error) {
	if m.local {
		return m.codec.Decode(data)
	}
	return m.decodeSigned(data, now)
}

func (m *Manager) encodeSigned(dst []byte, values map[string]any, now time.Time) ([]byte, error) {
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

// tooLarge reports whether a record of n bytes exceeds MaxRecordSize.
func (m *Manager) tooLarge(n int) bool {
	return m.cfg.MaxRecordSize > 0 && n > m.cfg.MaxRecordSize
}

// checkSize refuses to write a record over MaxRecordSize.
func (m *Manager) checkSize(data []byte) error {
	if m.tooLarge(len(data)) {
		return fmt.Errorf("%w: %d bytes (limit %d)", ErrRecordTooLarge, len(data), m.cfg.MaxRecordSize)
	}
	return nil
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

func (m *Manager) decodeSigned(data []byte, now time.Time) (map[string]any, error) {
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
