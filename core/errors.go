package sessions

import "errors"

// Sentinel errors. Stores return (or wrap) the first three; callers test
// them with errors.Is.
var (
	// ErrNotFound reports that no live record exists under a key: it was
	// never written, it expired, or it was deleted. An update-only or
	// update-if-unchanged save of a vanished record returns it too.
	ErrNotFound = errors.New("sessions: not found")

	// ErrKeyExists reports a create-only save whose key is taken. Core
	// retries with a fresh key.
	ErrKeyExists = errors.New("sessions: key exists")

	// ErrConflict reports an update-if-unchanged save whose record changed
	// since it was loaded. Core merges and retries.
	ErrConflict = errors.New("sessions: conflict")

	// ErrSessionDeleted reports that the request's session was deleted (for
	// example by a logout in a concurrent request) before this request could
	// save it. Like Django's SessionInterrupted, it answers 400 by default
	// and the session is not brought back.
	ErrSessionDeleted = errors.New("sessions: session was deleted before the request completed")

	// ErrCookieTooLarge reports a session cookie longer than browsers keep
	// (4096 bytes for name and value). The wrapping error names the size.
	ErrCookieTooLarge = errors.New("sessions: cookie too large")

	// ErrInvalidConfig reports a Config that New cannot use.
	ErrInvalidConfig = errors.New("sessions: invalid config")

	// ErrTooManyConflicts reports that concurrent writers kept changing a
	// record faster than this request could merge into it.
	ErrTooManyConflicts = errors.New("sessions: too many concurrent conflicts")

	// ErrRecordTooLarge reports a save whose record would exceed
	// Config.MaxRecordSize. The wrapping error names both sizes.
	ErrRecordTooLarge = errors.New("sessions: session record too large")

	// ErrCommitted reports a Save or CycleKey after the response was
	// committed: its headers are gone, so neither the cookie nor the
	// record can follow. Change the session before writing the body.
	ErrCommitted = errors.New("sessions: the response was already committed")
)
