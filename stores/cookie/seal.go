package cookiestore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/sessionkit/sessionkit/core/signing"
)

// Sealed values (beyond Django, which cannot read them):
//
//	value     = "v1." base64url_nopad(nonce || ciphertext || tag)
//	plaintext = int64 big-endian unix seconds at sealing || session JSON
//	key       = HKDF-SHA256(secret = key material, salt = none,
//	            info = sealInfo + "\x00" + signing.CookieSalt), 32 bytes
//	AEAD      = AES-256-GCM, 96-bit random nonce, additional data sealAD
//
// The timestamp sits inside the sealed plaintext, so the Manager's
// Cookie.MaxAge applies as to signed values and nobody can move it. The
// info string always ends in signing.CookieSalt (the default salt, which
// sealing used before the salt became a Manager setting), so existing
// sealed values still open, whatever sessions.Config.Salt is. The JSON is
// not compressed before sealing: compressing secrets together with
// attacker-influenced values would leak them through the ciphertext length
// (CRIME/BREACH).
const (
	sealedPrefix = "v1."
	sealInfo     = "sessionkit stores/cookie v1 AES-256-GCM session cookie"
	sealAD       = "sessionkit-cookie-v1"
	minKeyLen    = 32
	tsLen        = 8
)

// sealOverhead is what sealing adds to the plaintext: the nonce and tag of
// a random-nonce GCM.
const sealOverhead = 12 + 16

var b64 = base64.RawURLEncoding.Strict()

// sealer encrypts with the first AEAD and decrypts with any.
type sealer struct {
	aeads []cipher.AEAD
}

func newSealer(keys [][]byte) (*sealer, error) {
	sl := &sealer{aeads: make([]cipher.AEAD, 0, len(keys))}
	for i, material := range keys {
		if len(material) < minKeyLen {
			return nil, fmt.Errorf("EncryptionKeys[%d]: %d bytes of key material, need at least %d", i, len(material), minKeyLen)
		}
		key, err := hkdf.Key(sha256.New, material, nil, sealInfo+"\x00"+signing.CookieSalt, 32)
		if err != nil {
			return nil, fmt.Errorf("EncryptionKeys[%d]: derive key: %w", i, err)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("EncryptionKeys[%d]: %w", i, err)
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, fmt.Errorf("EncryptionKeys[%d]: %w", i, err)
		}
		sl.aeads = append(sl.aeads, aead)
	}
	return sl, nil
}

// seal returns the sealed cookie value of data at now.
func (sl *sealer) seal(data []byte, now time.Time) string {
	plain := make([]byte, tsLen, tsLen+len(data))
	binary.BigEndian.PutUint64(plain, uint64(now.Unix()))
	plain = append(plain, data...)
	sealed := sl.aeads[0].Seal(nil, nil, plain, []byte(sealAD))
	out := make([]byte, len(sealedPrefix), len(sealedPrefix)+b64.EncodedLen(len(sealed)))
	copy(out, sealedPrefix)
	return string(b64.AppendEncode(out, sealed))
}

// open authenticates and decrypts a sealed value with any key.
func (sl *sealer) open(value string) ([]byte, time.Time, error) {
	enc := value[len(sealedPrefix):]
	// encoding/base64 skips CR and LF; a value that differs from what was
	// sealed by even those must not open.
	for i := 0; i < len(enc); i++ {
		if !isB64URL(enc[i]) {
			return nil, time.Time{}, signing.ErrMalformed
		}
	}
	sealed, err := b64.DecodeString(enc)
	if err != nil || len(sealed) < sealOverhead+tsLen {
		return nil, time.Time{}, signing.ErrMalformed
	}
	for _, aead := range sl.aeads {
		plain, err := aead.Open(nil, nil, sealed, []byte(sealAD))
		if err != nil {
			continue
		}
		ts := int64(binary.BigEndian.Uint64(plain))
		return plain[tsLen:], time.Unix(ts, 0), nil
	}
	return nil, time.Time{}, errNotSealedByUs
}

// errNotSealedByUs is what a value no key opens reports: like a bad
// signature, it is forged, tampered or sealed under a retired key.
var errNotSealedByUs = fmt.Errorf("%w: no encryption key opens the value", signing.ErrBadSignature)

func isB64URL(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}
