package picklecodec

import "errors"

// Errors returned by this package, wrapped with the offset or the type
// concerned; test them with errors.Is.
var (
	// ErrMalformed reports input that is not a well-formed pickle:
	// truncated, a declared length past the end, a stack or memo
	// reference that does not exist, data after STOP.
	ErrMalformed = errors.New("picklecodec: malformed pickle")

	// ErrForbidden reports an opcode or a global that the decoder refuses
	// because it would construct or call something other than the plain
	// values a session holds (BUILD, INST, OBJ, NEWOBJ, EXT*, PERSID, a
	// GLOBAL outside the datetime allow-list, REDUCE on anything else).
	// Nothing is ever executed: the input is refused.
	ErrForbidden = errors.New("picklecodec: forbidden opcode or global")

	// ErrUnsupported reports a well-formed value the codec cannot map:
	// bytes, sets, a dict key that is not a str, a time zone other than a
	// fixed offset, an int over maxLongBytes; or, when encoding, a Go
	// value that has no Python counterpart (channels, funcs, complex).
	ErrUnsupported = errors.New("picklecodec: unsupported value")

	// ErrTooLarge reports nesting deeper than maxDepth, or shared
	// references that would expand past the decoder's element budget.
	ErrTooLarge = errors.New("picklecodec: too deep or too large")

	// ErrRawInt reports a cache value that Django's Redis serializers
	// stored as a bare integer instead of a pickle: an int, never a
	// session dict.
	ErrRawInt = errors.New("picklecodec: a raw int, not a session")

	// ErrNotDict reports a pickle whose top-level value is not a dict.
	ErrNotDict = errors.New("picklecodec: top-level value is not a dict")

	// ErrProtocol reports a Codec.Protocol this package does not write.
	ErrProtocol = errors.New("picklecodec: unsupported protocol")
)
