package sessions

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"sync"
	"time"
)

// keyHashPurpose separates the subkey that hashes keys at rest from every
// other use of the Secret (signing, event IDs).
const keyHashPurpose = "sessionkit.core.keys-at-rest.v1"

// hashedKeyLength is what a hashed key occupies in the store: 40 lowercase
// hex characters (160 bits of HMAC-SHA-256), a valid key for every store
// and exactly Django's varchar(40).
const hashedKeyLength = 40

// keyHasher maps session keys to what the store keeps with Config.HashKeys:
// HMAC-SHA-256 under a subkey of Secret. Its HMACs are pooled: a request
// hashes its key once or twice.
type keyHasher struct {
	macs sync.Pool // of hash.Hash
}

func newKeyHasher(secret string) (*keyHasher, error) {
	key, err := hkdf.Key(sha256.New, []byte(secret), nil, keyHashPurpose, sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("%w: derive key hash subkey: %w", ErrInvalidConfig, err)
	}
	kh := &keyHasher{}
	kh.macs.New = func() any { return hmac.New(sha256.New, key) }
	return kh, nil
}

// hash returns the stored form of key. Core only passes keys it checked
// with ValidKey or made with NewKey; "" stays "".
func (kh *keyHasher) hash(key string) string {
	if key == "" {
		return ""
	}
	mac := kh.macs.Get().(hash.Hash)
	mac.Reset()
	mac.Write([]byte(key))
	var sum [sha256.Size]byte
	mac.Sum(sum[:0])
	kh.macs.Put(mac)
	var out [hashedKeyLength]byte
	hex.Encode(out[:], sum[:hashedKeyLength/2])
	return string(out[:])
}

// hashedStore is the Store core talks to with Config.HashKeys: every key
// is hashed on the way in, so a dump of the store holds no key a client
// could present. Wrapping the store in New keeps every call site in core
// unchanged and costs nothing when the option is off.
type hashedStore struct {
	inner Store
	kh    *keyHasher
}

func (h *hashedStore) Load(ctx context.Context, key string) (Record, error) {
	return h.inner.Load(ctx, h.kh.hash(key))
}

// LoadWithExpiry passes ExpiryLoader on; over a store without it, it is
// Load (Expiry as that store reports it).
func (h *hashedStore) LoadWithExpiry(ctx context.Context, key string) (Record, error) {
	if el, ok := h.inner.(ExpiryLoader); ok {
		return el.LoadWithExpiry(ctx, h.kh.hash(key))
	}
	return h.inner.Load(ctx, h.kh.hash(key))
}

func (h *hashedStore) Save(ctx context.Context, key string, rec Record, cond Condition) error {
	return h.inner.Save(ctx, h.kh.hash(key), rec, cond)
}

func (h *hashedStore) Delete(ctx context.Context, key string) error {
	return h.inner.Delete(ctx, h.kh.hash(key))
}

func (h *hashedStore) Exists(ctx context.Context, key string) (bool, error) {
	return h.inner.Exists(ctx, h.kh.hash(key))
}

// hashedToucher keeps the Toucher capability of a store that has it, and
// only then: core type-asserts for it.
type hashedToucher struct {
	hashedStore
	t Toucher
}

func (h *hashedToucher) Touch(ctx context.Context, key string, expiry time.Time) error {
	return h.t.Touch(ctx, h.kh.hash(key), expiry)
}

// rawKeyStore is implemented by stores whose records another program
// looks up by the raw session key (gormstore on Django's django_session
// table): hashing keys would hide every session from it.
type rawKeyStore interface {
	RawKeys() bool
}

// hashKeys wraps store for Config.HashKeys, refusing the stores whose
// keys are shared with Django, which stores and looks up the raw key.
func hashKeys(store Store, secret string) (Store, error) {
	if store == nil {
		return nil, fmt.Errorf("%w: HashKeys needs a server-side Store (a ClientStore keeps no key)", ErrInvalidConfig)
	}
	if secret == "" {
		return nil, fmt.Errorf("%w: HashKeys needs a Secret to key the hash", ErrInvalidConfig)
	}
	if rk, ok := store.(rawKeyStore); ok && rk.RawKeys() {
		return nil, fmt.Errorf("%w: HashKeys cannot be used with a store that shares its keys with Django (django_session): Django looks sessions up by the raw key", ErrInvalidConfig)
	}
	if _, ok := store.(UnsignedStore); ok {
		return nil, fmt.Errorf("%w: HashKeys cannot be used with a store in Django's cache format: Django looks sessions up by the raw key", ErrInvalidConfig)
	}
	kh, err := newKeyHasher(secret)
	if err != nil {
		return nil, err
	}
	hs := hashedStore{inner: store, kh: kh}
	if t, ok := store.(Toucher); ok {
		return &hashedToucher{hashedStore: hs, t: t}, nil
	}
	return &hs, nil
}
