package signing

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"errors"
)

// DecodeLegacySession decodes session_data in the format Django used before
// 3.1 (and 3.1/3.2 still read, and wrote with DEFAULT_HASHING_ALGORITHM =
// "sha1"):
//
//	base64std(hexdigest + ":" + json)
//	hexdigest = hex(HMAC-SHA1(SHA1("django.contrib.sessions" + storeClass + secret), json))
//
// storeClass is the store's class name, e.g. "SessionStore" (the default
// when empty); note that the salt has no dot before it. Each secret is
// tried in order. It returns the JSON bytes. Errors: ErrMalformed when the
// value is not base64 or has no ":", ErrBadSignature when no secret
// matches. Django 4.0 removed this format; use it only to migrate old rows.
func DecodeLegacySession(value string, secrets []string, storeClass string) (data []byte, err error) {
	if storeClass == "" {
		storeClass = "SessionStore"
	}
	// Django: base64.b64decode(session_data.encode("ascii")), non-strict
	// and without re-padding.
	for i := 0; i < len(value); i++ {
		if value[i] >= 0x80 {
			return nil, ErrMalformed
		}
	}
	raw, ok := pyB64Decode(nil, []byte(value), &stdTable, 0)
	if !ok {
		return nil, ErrMalformed
	}
	digest, serialized, found := bytes.Cut(raw, []byte{':'})
	if !found {
		return nil, ErrMalformed
	}
	if len(secrets) == 0 {
		return nil, errors.New("signing: DecodeLegacySession: no secrets")
	}
	if err := checkHMAC(sha1.New); err != nil {
		return nil, err
	}
	salt := "django.contrib.sessions" + storeClass
	var want [2 * sha1.Size]byte
	for _, sec := range secrets {
		h := hmac.New(sha1.New, deriveKey(sha1.New, salt, sec))
		h.Write(serialized)
		hex.Encode(want[:], h.Sum(nil))
		// Django compares the hexdigest text, so upper-case hex fails.
		if hmac.Equal(want[:], digest) {
			return serialized, nil
		}
	}
	return nil, ErrBadSignature
}
