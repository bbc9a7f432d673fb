// Package cookiestore keeps the whole session in the cookie, like Django's
// signed_cookies session backend (SESSION_ENGINE =
// "django.contrib.sessions.backends.signed_cookies"). The package name
// differs from the folder name on purpose: "cookie" says nothing next to
// net/http's cookies.
//
// Use it as a Manager's ClientStore:
//
//	cs, err := cookiestore.New(cookiestore.Options{})
//	if err != nil { ... }
//	m, err := sessions.New(sessions.Config{ClientStore: cs, Secret: secretKey})
//
// # One place for each setting
//
// The store takes no secret, salt or age of its own: the Manager holds
// them and hands the store the signer they make, so each is stated once.
//
//   - Django's SECRET_KEY is sessions.Config.Secret (required with this
//     store; New refuses a Config without it).
//   - SECRET_KEY_FALLBACKS (Django 4.1) is Config.SecretFallbacks:
//     verify-only secrets; values are always signed with Secret.
//   - SESSION_COOKIE_AGE is Config.Cookie.MaxAge: the cookie's Max-Age and
//     how long a signed value is accepted.
//   - The salt is Config.Salt, whose default with a ClientStore is
//     signing.CookieSalt, the salt Django's backend hard-codes.
//   - Config.AcceptLegacyFormats also accepts HMAC-SHA1 signatures, which
//     Django before 3.1 wrote, and 3.1/3.2 still write with
//     DEFAULT_HASHING_ALGORITHM = "sha1".
//
// Options holds only what is the store's own: EncryptionKeys.
//
// # Wire format
//
// A value is Django's signing.dumps(session, compress=True, salt=
// "django.contrib.sessions.backends.signed_cookies"): the session's
// ASCII-only JSON, zlib-compressed when that saves two bytes or more,
// base64url, a base62 timestamp and an HMAC-SHA256 signature keyed from the
// secret. With the same SECRET_KEY a Django application reads what this
// store writes and the other way round.
//
// A value is accepted until Config.Cookie.MaxAge after it was signed,
// measured from the timestamp it carries: exactly MaxAge old is still
// valid, one second more is not. Like Django, the store ignores the
// session's own expiry (_session_expiry, SetMaxAge) when reading; it only
// shapes the cookie's Max-Age. As in Django, one setting
// (SESSION_COOKIE_AGE) governs both the cookie and the signature.
//
// # What a cookie store cannot do
//
// The server keeps nothing, so it cannot take a cookie back:
//
//   - A stolen cookie stays valid until Cookie.MaxAge after it was signed,
//     and nothing on the server can revoke it. Keep MaxAge short if that
//     matters, or use a server-side store.
//   - An old cookie can be replayed: a client that kept a previous value
//     (say, from before a logout, or with more credit in a cart) can send
//     it again, and it is accepted until it expires.
//   - There is no server-side "log out everywhere": other browsers keep
//     their cookies. Rotating Config.Secret (without keeping the old one in
//     Config.SecretFallbacks) invalidates every session of every user at
//     once, which is the only global switch.
//
// Hence, for this store, Session.Flush only deletes the cookie in the
// browser that made the request (a copy of the old value elsewhere still
// works), and Session.CycleKey only re-signs the data with a fresh
// timestamp: the old value stays valid until MaxAge after it was signed.
//
// # Size
//
// Browsers keep at most 4096 bytes of a cookie's name and value. A session
// whose encoded cookie is larger fails to save: the Manager checks the
// whole cookie once, and its save or commit returns an error matching
// sessions.ErrCookieTooLarge that names the size; the middleware answers
// through Config.ErrorHandler (500 by default) instead of sending a cookie
// the browser would drop. Django sets such a cookie anyway and the browser
// silently discards it. Keep big data server-side.
//
// # Encryption (beyond Django)
//
// Signed values are readable by anyone who has the cookie: they are only
// protected against changes. With Options.EncryptionKeys the store seals
// values with AES-256-GCM instead, with keys derived by HKDF-SHA-256 from
// the given material (at least 32 bytes each). Sealed values look like
//
//	"v1." base64url(nonce || ciphertext || tag)
//
// and carry the sealing time inside the ciphertext, so Config.Cookie.MaxAge
// still applies. The first key seals; every key opens, so keys rotate by
// prepending a new one and dropping the oldest later. Config.Secret and
// Config.Salt do not enter the key derivation: changing them changes no
// encryption key. The JSON is not compressed before sealing (compression
// would leak secrets through the length), so sealed sessions are bigger
// than signed ones.
//
// Sealed cookies are NOT readable by Django: this is beyond Django's
// format. With encryption on, Decode still accepts Django-signed values
// made with Config.Secret, so cookies issued before encryption was turned
// on (or by a Django application) keep working; they are sealed on their
// next save.
//
// # Errors
//
// Decode failures match the sentinels of core/signing: signing.ErrExpired
// (which also matches signing.ErrBadSignature), signing.ErrBadSignature
// and signing.ErrMalformed. Core treats any of them as "no session".
package cookiestore
