package sessions

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
)

// forwardPurpose separates the pad that seals a forwarding record's target
// from every other use of a key.
const forwardPurpose = "sessionkit/core: renewal forward"

// sealForward hides the new key a forwarding record names under a pad
// derived from the old key, which only the clients holding the old cookie
// know: with HashKeys the store holds neither key, and a dump of it taken
// during the grace must not hand out the new one. Keys are at most
// maxKeyLength bytes, within one SHA-512 block of pad.
func sealForward(oldKey, newKey string) string {
	pad := forwardPad(oldKey)
	out := make([]byte, len(newKey))
	for i := range out {
		out[i] = newKey[i] ^ pad[i]
	}
	return hex.EncodeToString(out)
}

// openForward reverses sealForward; ok is false for anything sealForward
// did not make under oldKey.
func openForward(oldKey, sealed string) (string, bool) {
	b, err := hex.DecodeString(sealed)
	if err != nil || len(b) > sha512.Size {
		return "", false
	}
	pad := forwardPad(oldKey)
	for i := range b {
		b[i] ^= pad[i]
	}
	key := string(b)
	return key, ValidKey(key)
}

func forwardPad(oldKey string) []byte {
	mac := hmac.New(sha512.New, []byte(oldKey))
	mac.Write([]byte(forwardPurpose))
	return mac.Sum(nil)
}
