package signing

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
	"time"
)

const (
	// DefaultSalt is the salt signing.dumps uses when none is given.
	DefaultSalt = "django.core.signing"
	// CookieSalt is the salt of the signed_cookies session backend.
	CookieSalt = "django.contrib.sessions.backends.signed_cookies"
	// SessionSalt is SessionBase.key_salt for the built-in db, cached_db and
	// file backends ("django.contrib.sessions." + the store's __qualname__).
	// A project subclass of SessionStore has a different salt.
	SessionSalt = "django.contrib.sessions.SessionStore"

	// DefaultMaxDataSize is the default Options.MaxDataSize.
	DefaultMaxDataSize = 1 << 20
)

// Encoded signature lengths: base64url without padding of a SHA-256 and of a
// SHA-1 digest.
const (
	sigLen    = 43
	sigLenSHA = 27
)

// Options configures a Signer.
type Options struct {
	// Secret is Django's SECRET_KEY. Required, non-empty.
	Secret string
	// SecretFallbacks are verify-only secrets (Django 4.1+ SECRET_KEY_FALLBACKS),
	// tried in order after Secret. Values are always signed with Secret.
	SecretFallbacks []string
	// Salt separates uses of the same secret. Default: DefaultSalt. Use
	// CookieSalt for signed-cookie sessions and SessionSalt for db, cached_db
	// and file session_data.
	Salt string
	// AcceptSHA1 also accepts HMAC-SHA1 signatures, as Django 3.1 and 3.2 do
	// (Signer.legacy_algorithm) to read values from before 3.1. Default false.
	AcceptSHA1 bool
	// MaxDataSize bounds the decompressed size of a compressed payload so
	// that a zip bomb cannot exhaust memory; larger payloads fail with
	// ErrMalformed. Default (<= 0): DefaultMaxDataSize (1 MiB).
	MaxDataSize int
}

// Signer signs and verifies values in Django's format with one salt. It is
// safe for concurrent use.
type Signer struct {
	salt    string
	maxData int
	// keys holds the HMAC keys, derived once: the SHA-256 keys of Secret and
	// each fallback, then, with AcceptSHA1, their SHA-1 keys. keys[0] signs.
	keys []macKey
	nSHA int // number of SHA-256 keys; keys[nSHA:] are SHA-1
	// states pools *macState: one HMAC per key plus scratch space.
	states sync.Pool
}

type macKey struct {
	key     []byte
	newHash func() hash.Hash
}

// macState is the pooled per-call working set of a Signer.
type macState struct {
	macs []hash.Hash // parallel to Signer.keys, created on first use
	sum  [sha256.Size]byte
	enc  [sigLen]byte
	buf  []byte // copy of the value being verified
	dec  []byte // decoded compressed payload
}

// New returns a Signer for o. It fails when o.Secret is empty.
func New(o Options) (*Signer, error) {
	if o.Secret == "" {
		return nil, errors.New("signing: empty secret")
	}
	s := &Signer{salt: o.Salt, maxData: o.MaxDataSize}
	if s.salt == "" {
		s.salt = DefaultSalt
	}
	if s.maxData <= 0 {
		s.maxData = DefaultMaxDataSize
	}
	secrets := append([]string{o.Secret}, o.SecretFallbacks...)
	for _, sec := range secrets {
		s.keys = append(s.keys, macKey{deriveKey(sha256.New, s.salt+"signer", sec), sha256.New})
	}
	s.nSHA = len(s.keys)
	if o.AcceptSHA1 {
		// crypto/hmac panics on SHA-1 in FIPS 140-only mode; report it here
		// rather than on the first verification.
		if err := checkHMAC(sha1.New); err != nil {
			return nil, err
		}
		for _, sec := range secrets {
			s.keys = append(s.keys, macKey{deriveKey(sha1.New, s.salt+"signer", sec), sha1.New})
		}
	}
	n := len(s.keys)
	s.states.New = func() any { return &macState{macs: make([]hash.Hash, n)} }
	return s, nil
}

// deriveKey is the key step of Django's salted_hmac: H(salt + secret), raw.
func deriveKey(h func() hash.Hash, salt, secret string) []byte {
	d := h()
	d.Write([]byte(salt))
	d.Write([]byte(secret))
	return d.Sum(nil)
}

// checkHMAC reports whether crypto/hmac accepts h in this process.
func checkHMAC(h func() hash.Hash) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("signing: HMAC unavailable: %v", r)
		}
	}()
	hmac.New(h, make([]byte, 32))
	return nil
}

func (s *Signer) getState() *macState { return s.states.Get().(*macState) }

func (s *Signer) putState(st *macState) {
	if cap(st.buf) > maxPooledBuf {
		st.buf = nil
	}
	if cap(st.dec) > maxPooledBuf {
		st.dec = nil
	}
	s.states.Put(st)
}

// mac returns the raw HMAC of msg under keys[i], in st.sum.
func (s *Signer) mac(st *macState, i int, msg []byte) []byte {
	h := st.macs[i]
	if h == nil {
		h = hmac.New(s.keys[i].newHash, s.keys[i].key)
		st.macs[i] = h
	} else {
		h.Reset()
	}
	h.Write(msg)
	return h.Sum(st.sum[:0])
}

// verify reports whether sig is the base64url signature of msg under any
// key. Only keys whose algorithm yields len(sig) characters are tried; the
// comparison itself is constant-time.
func (s *Signer) verify(st *macState, msg, sig []byte) bool {
	lo, hi := 0, s.nSHA
	switch len(sig) {
	case sigLen:
	case sigLenSHA:
		lo, hi = s.nSHA, len(s.keys)
	default:
		return false
	}
	for i := lo; i < hi; i++ {
		enc := st.enc[:len(sig)]
		base64.RawURLEncoding.Encode(enc, s.mac(st, i, msg))
		if hmac.Equal(enc, sig) {
			return true
		}
	}
	return false
}

// appendSig appends ":" and the signature of dst[start:] to dst.
func (s *Signer) appendSig(dst []byte, start int) []byte {
	st := s.getState()
	sum := s.mac(st, 0, dst[start:])
	dst = append(dst, ':')
	dst = base64.RawURLEncoding.AppendEncode(dst, sum)
	s.putState(st)
	return dst
}

// Sign is Django's Signer.sign: value + ":" + signature(value).
func (s *Signer) Sign(value string) string {
	bp := getBuf()
	b := append((*bp)[:0], value...)
	b = s.appendSig(b, 0)
	out := string(b)
	putBuf(bp, b)
	return out
}

// Unsign is Django's Signer.unsign: it splits signed at its last ":" and
// returns the part before it if the signature matches. A value without ":"
// is ErrMalformed; a mismatch is ErrBadSignature.
func (s *Signer) Unsign(signed string) (string, error) {
	i := strings.LastIndexByte(signed, ':')
	if i < 0 {
		return "", ErrMalformed
	}
	st := s.getState()
	defer s.putState(st)
	st.buf = append(st.buf[:0], signed...)
	if !s.verify(st, st.buf[:i], st.buf[i+1:]) {
		return "", ErrBadSignature
	}
	return signed[:i], nil
}

// Dumps is Django's signing.dumps for an already serialized JSON document:
// TimestampSigner.sign_object(obj, compress=compress) at time now. With
// compress, data is zlib-compressed when that saves at least 2 bytes, as in
// Django. Sessions always use compress=true.
func (s *Signer) Dumps(data []byte, compress bool, now time.Time) string {
	bp := getBuf()
	b := s.AppendDumps((*bp)[:0], data, compress, now)
	out := string(b)
	putBuf(bp, b)
	return out
}

// AppendDumps is Dumps appending to dst; it does not allocate beyond
// growing dst.
func (s *Signer) AppendDumps(dst, data []byte, compress bool, now time.Time) []byte {
	start := len(dst)
	payload := data
	var d *deflater
	if compress && len(data) >= minCompressible {
		var c []byte
		d, c = zlibCompress(data)
		if len(c) < len(data)-1 {
			payload = c
		} else {
			d.release()
			d = nil
		}
	}
	dst = growCap(dst, 1+base64.RawURLEncoding.EncodedLen(len(payload))+14+1+sigLen)
	if d != nil {
		dst = append(dst, '.')
	}
	dst = base64.RawURLEncoding.AppendEncode(dst, payload)
	if d != nil {
		d.release()
	}
	dst = append(dst, ':')
	dst = appendBase62(dst, unixSeconds(now))
	return s.appendSig(dst, start)
}

// unixSeconds is Python's int(time.time()): truncation toward zero, which
// differs from time.Unix only before 1970.
func unixSeconds(t time.Time) int64 {
	u := t.Unix()
	if u < 0 && t.Nanosecond() != 0 {
		u++
	}
	return u
}

// Loads verifies a value made by Dumps (or Django's signing.dumps with the
// same secret and salt) and returns the serialized JSON, decompressed. It
// does not parse the JSON. maxAge <= 0 disables the age check; otherwise a
// value signed more than maxAge before now is ErrExpired (exactly maxAge
// is still valid, and timestamps in the future are accepted, as in Django).
func (s *Signer) Loads(value string, maxAge time.Duration, now time.Time) ([]byte, error) {
	data, _, err := s.LoadsWithTime(value, maxAge, now)
	return data, err
}

// LoadsWithTime is Loads that also returns the signing time. signedAt is
// set whenever the signature verified and the timestamp parsed, including
// when err is ErrExpired.
func (s *Signer) LoadsWithTime(value string, maxAge time.Duration, now time.Time) (data []byte, signedAt time.Time, err error) {
	st := s.getState()
	defer s.putState(st)
	st.buf = append(st.buf[:0], value...)
	return s.loads(st, nil, maxAge, now)
}

// AppendLoads is Loads for a value held in a []byte, appending the data to
// dst: a caller with a reusable buffer decodes without allocating.
func (s *Signer) AppendLoads(dst, value []byte, maxAge time.Duration, now time.Time) ([]byte, error) {
	st := s.getState()
	defer s.putState(st)
	st.buf = append(st.buf[:0], value...)
	data, _, err := s.loads(st, dst, maxAge, now)
	return data, err
}

// loads verifies the value in st.buf and appends its data to dst.
func (s *Signer) loads(st *macState, dst []byte, maxAge time.Duration, now time.Time) (data []byte, signedAt time.Time, err error) {
	// Django order: check the signature over everything before the last
	// ":", then split off the timestamp, check the age, and only then
	// decode and decompress.
	value := st.buf
	i := bytes.LastIndexByte(value, ':')
	if i < 0 {
		return nil, time.Time{}, ErrMalformed
	}
	if n := len(value) - i - 1; n != sigLen && (n != sigLenSHA || s.nSHA == len(s.keys)) {
		return nil, time.Time{}, ErrBadSignature // cheap reject, no HMAC
	}
	if !s.verify(st, value[:i], value[i+1:]) {
		return nil, time.Time{}, ErrBadSignature
	}
	j := bytes.LastIndexByte(value[:i], ':')
	if j < 0 {
		return nil, time.Time{}, ErrMalformed
	}
	ts, err := DecodeBase62(string(value[j+1 : i]))
	if err != nil {
		return nil, time.Time{}, ErrMalformed
	}
	signedAt = time.Unix(ts, 0)
	if maxAge > 0 && now.Sub(signedAt) > maxAge {
		return nil, signedAt, ErrExpired
	}
	payload := value[:j]
	if len(payload) == 0 || payload[0] != '.' {
		out, ok := decodeURLPayload(dst, payload)
		if !ok {
			return nil, signedAt, ErrMalformed
		}
		if out == nil {
			out = []byte{} // an empty payload is valid base64
		}
		return out, signedAt, nil
	}
	dec, ok := decodeURLPayload(st.dec[:0], payload[1:])
	st.dec = dec
	if !ok {
		return nil, signedAt, ErrMalformed
	}
	out, err := zlibDecompress(dec, s.maxData)
	if errors.Is(err, errTooLarge) {
		return nil, signedAt, fmt.Errorf("%w: decompressed data exceeds %d bytes", ErrMalformed, s.maxData)
	}
	if err != nil {
		return nil, signedAt, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if dst != nil {
		out = append(dst, out...)
	}
	return out, signedAt, nil
}

// bufPool holds scratch buffers for building output strings.
var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 512)
	return &b
}}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(bp *[]byte, b []byte) {
	if cap(b) > maxPooledBuf {
		return
	}
	*bp = b[:0]
	bufPool.Put(bp)
}
