// Package signing implements Django's django.core.signing wire format,
// byte for byte, so that Go services can read and write the same signed
// values as a Django application sharing its SECRET_KEY: signed-cookie
// sessions, the session_data column of the db/cached_db/file backends, and
// plain signing.dumps values.
//
// A signed value (Django's TimestampSigner.sign_object) is
//
//	payload ":" timestamp ":" signature
//	payload   = ["."] base64url_nopad(data)   // "." means data is zlib-compressed
//	timestamp = base62(unix seconds)           // alphabet 0-9A-Za-z
//	signature = base64url_nopad(HMAC-SHA256(K, payload ":" timestamp))
//	K         = SHA256(salt + "signer" + secret)
//
// Uncompressed values are byte-identical to Django's. Compressed values are
// not, because Go's compress/zlib emits different (equally valid) bytes than
// CPython's zlib; both sides still read each other's output.
//
// Verification follows Django 4.1+: the primary secret signs, the primary
// secret and then each fallback secret (SECRET_KEY_FALLBACKS) verify. Django
// 3.1/3.2 legacy SHA-1 signatures and the pre-3.1 session_data format can be
// accepted on request (Options.AcceptSHA1, DecodeLegacySession).
//
// Errors: ErrBadSignature (signature mismatch), ErrExpired (valid signature
// but older than maxAge; errors.Is(ErrExpired, ErrBadSignature) is true, as
// Django's SignatureExpired subclasses BadSignature) and ErrMalformed (the
// value cannot be parsed: no separator, bad base64, bad zlib stream, bad
// timestamp, or decompressed data larger than Options.MaxDataSize).
// ErrMalformed deliberately does not match ErrBadSignature; callers that
// treat every failure as "no session" should simply check err != nil.
//
// The package uses only the standard library. A Signer is safe for
// concurrent use; HMAC states, zlib writers and readers and scratch buffers
// are pooled because signing sits on the hot path of every request.
package signing
