package sessions

import (
	"crypto/rand"
	"fmt"
)

// keyChars is Django's VALID_KEY_CHARS: lowercase so keys survive
// case-insensitive file systems.
const keyChars = "abcdefghijklmnopqrstuvwxyz0123456789"

const (
	keyLength    = 32 // what Django generates: about 165 bits
	minKeyLength = 8  // Django's lower bound for an acceptable key
	maxKeyLength = 40 // django_session.session_key is varchar(40)
)

// NewKey returns a fresh session key: 32 characters of [a-z0-9] drawn
// uniformly from crypto/rand.
func NewKey() (string, error) {
	var out [keyLength]byte
	var buf [keyLength + 8]byte
	n := 0
	for n < keyLength {
		if _, err := rand.Read(buf[:]); err != nil {
			return "", fmt.Errorf("sessions: generate key: %w", err)
		}
		for _, b := range buf {
			// 252 = 7*36: rejecting the rest keeps every character equally likely.
			if b >= 252 {
				continue
			}
			out[n] = keyChars[b%36]
			n++
			if n == keyLength {
				break
			}
		}
	}
	return string(out[:]), nil
}

// ValidKey reports whether a client-supplied key is acceptable: 8 to 40
// characters of [a-z0-9]. Django checks only the length; the character check
// keeps arbitrary client bytes away from stores, logs and file names.
func ValidKey(key string) bool {
	if len(key) < minKeyLength || len(key) > maxKeyLength {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
