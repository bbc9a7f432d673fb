package djangoauth

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"

	sessions "github.com/sessionkit/sessionkit/core"
)

// Session keys written by django.contrib.auth.login.
const (
	UserIDKey  = "_auth_user_id"
	BackendKey = "_auth_user_backend"
	HashKey    = "_auth_user_hash"
)

// hashSalt is the key_salt of AbstractBaseUser.get_session_auth_hash.
const hashSalt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"

// User returns the logged-in user's id and authentication backend, and
// whether the session holds a login at all. Django stores the id as a
// string (the primary key's value_to_string); an integer, as other writers
// may store, is formatted in decimal. It does not verify the session: see
// VerifyHash.
func User(s *sessions.Session) (id, backend string, ok bool) {
	v, found := s.Get(UserIDKey)
	if !found {
		return "", "", false
	}
	switch x := v.(type) {
	case string:
		id = x
	default:
		n, err := sessions.Get[int64](s, UserIDKey)
		if err != nil {
			return "", "", false
		}
		id = strconv.FormatInt(n, 10)
	}
	backend = s.GetString(BackendKey)
	if id == "" || backend == "" {
		return "", "", false
	}
	return id, backend, true
}

// VerifyHash reports whether the session's _auth_user_hash matches
// passwordHash (the user's stored password hash, e.g.
// "pbkdf2_sha256$260000$...") under secrets: pass SECRET_KEY first, then
// SECRET_KEY_FALLBACKS. It accepts what get_user accepts in the Django
// version of the session's Manager (Config.Django.Version):
//
//   - 4.1 and later (the default): the SHA-256 hash under any of secrets
//     (get_user does so from 4.1.8 on);
//   - 4.0: the SHA-256 hash under the first secret;
//   - 3.x: the SHA-256 hash, or the legacy SHA-1 one (written before 3.1,
//     and by 3.1/3.2 with DEFAULT_HASHING_ALGORITHM = "sha1"), under the
//     first secret only: 3.x has no SECRET_KEY_FALLBACKS.
//
// Every hash is keyed by the secret, so none can be forged without it.
// Comparisons are constant time. With no secrets, or no hash in the
// session, it returns false. It changes nothing: where Django's get_user
// rejects a hash it flushes the session (call s.Flush), and where 4.1+
// accepts one through a fallback it cycles the key and rewrites the hash
// with SECRET_KEY (AuthHash).
func VerifyHash(s *sessions.Session, passwordHash string, secrets ...string) bool {
	got, _ := sessions.Get[string](s, HashKey)
	if got == "" || len(secrets) == 0 {
		return false
	}
	v := s.Django().Version
	if !v.AtLeast(4, 1) {
		secrets = secrets[:1]
	}
	legacy := !v.AtLeast(4, 0)
	ok := false
	for _, secret := range secrets {
		// No early return: the time taken does not tell which secret matched.
		if hmac.Equal([]byte(got), []byte(hexHMAC(sha256.New, passwordHash, secret))) {
			ok = true
		}
		if legacy && hmac.Equal([]byte(got), []byte(hexHMAC(sha1.New, passwordHash, secret))) {
			ok = true
		}
	}
	return ok
}

// AuthHash returns the _auth_user_hash Django 3.1+ stores for a user with
// passwordHash under secret (get_session_auth_hash), for Go code that logs
// users in the way Django does.
func AuthHash(passwordHash, secret string) string {
	return hexHMAC(sha256.New, passwordHash, secret)
}

// hexHMAC is Django's salted_hmac(hashSalt, value, secret, algorithm)
// .hexdigest(): the HMAC key is H(key_salt + secret).
func hexHMAC(h func() hash.Hash, value, secret string) string {
	d := h()
	d.Write([]byte(hashSalt))
	d.Write([]byte(secret))
	mac := hmac.New(h, d.Sum(nil))
	mac.Write([]byte(value))
	return hex.EncodeToString(mac.Sum(nil))
}
