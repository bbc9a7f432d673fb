package signing

import "errors"

// ErrBadSignature reports that no configured secret produced the value's
// signature.
var ErrBadSignature = errors.New("signing: bad signature")

// ErrExpired reports a value whose signature is valid but whose timestamp is
// more than maxAge in the past. errors.Is(ErrExpired, ErrBadSignature) is
// true, mirroring Django where SignatureExpired subclasses BadSignature, so
// callers that only check for bad signatures also reject expired values.
var ErrExpired error = &childError{msg: "signing: signature expired", parent: ErrBadSignature}

// ErrMalformed reports a value that cannot be parsed: no ":" separator, a
// bad timestamp, bad base64, a bad zlib stream, or decompressed data larger
// than Options.MaxDataSize. It is not an ErrBadSignature: most such values
// fail before any signature is checked.
var ErrMalformed = errors.New("signing: malformed value")

// childError is an error that also matches its parent with errors.Is.
type childError struct {
	msg    string
	parent error
}

func (e *childError) Error() string { return e.msg }
func (e *childError) Unwrap() error { return e.parent }
