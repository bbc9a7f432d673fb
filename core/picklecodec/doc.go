// Package picklecodec reads and writes session dicts in Python's pickle
// format, as Django's cache and cached_db session backends keep them in
// Redis: django-redis's PickleSerializer (protocol 4 by default) and
// Django 4.0+'s built-in RedisCache (protocol 5). Codec is a
// sessions.Codec; stores/redis's DjangoCache and DjangoCachedDB are the
// stores that go with it.
//
// # Reading never executes anything
//
// pickle.loads can call any Python callable a pickle names. This decoder
// is a small stack machine over the opcodes plain values need: PROTO,
// FRAME, STOP, MARK, POP, POP_MARK, DUP, NONE, NEWTRUE, NEWFALSE, BININT,
// BININT1, BININT2, LONG1, LONG4, BINFLOAT, SHORT_BINUNICODE, BINUNICODE,
// BINUNICODE8, EMPTY_DICT, DICT, SETITEM, SETITEMS, EMPTY_LIST, LIST,
// APPEND, APPENDS, EMPTY_TUPLE, TUPLE, TUPLE1-3, MEMOIZE, BINPUT,
// LONG_BINPUT, BINGET, LONG_BINGET. Every other opcode (BUILD, INST, OBJ,
// NEWOBJ, NEWOBJ_EX, EXT1-4, PERSID, BINPERSID, sets, buffers, the text
// opcodes of protocols 0 and 1, unknown bytes) is ErrForbidden. So
// protocols 2 to 5 are read; a django-redis PICKLE_VERSION of 0 or 1 is
// not supported.
//
// Datetimes are the one exception, because they do show up: Django 3.2's
// set_expiry(timedelta or datetime) stores a datetime object in the
// session, which its pickling cache backends keep as is. GLOBAL and
// STACK_GLOBAL are accepted for exactly datetime.datetime,
// datetime.timezone, datetime.timedelta, pytz._UTC, pytz._p and
// _codecs.encode (how protocol 2 writes bytes) and push an inert marker;
// REDUCE is accepted only on such a marker, and a Go function checks its
// arguments' exact shape (a 10-byte state, a fixed offset) and builds the
// value. Any other global name is ErrForbidden before anything else
// happens, and bytes, time zones and timedeltas are refused as values.
// A datetime decodes to its isoformat() string ("2023-11-14T23:13:20+00:00",
// or naive "2026-12-02T14:08:55.073800"), which is what Django 4.0+ itself
// stores for an absolute expiry and what core's expiry parsing and GetTime
// read. Time zones other than a fixed offset (zoneinfo.ZoneInfo, a pytz
// zone pickled without its offset) need the tz database and are
// ErrUnsupported. On the way back, a str stays a str, except
// _session_expiry with Codec.DatetimeExpiry (for Django 3.2).
//
// # Bounded
//
// Every declared length is checked against the input left before
// anything is allocated; every push consumes an input byte, so the stack,
// the marks and the memo are bounded by the input's length (memo indices
// that skip ahead go to a sparse map). Integers are limited to 2048 bytes.
// Nesting deeper than 1000 is ErrTooLarge, as in the JSON codec; so is a
// pickle whose shared references (one list reached through the memo from
// many places) would expand past 4 elements per input byte plus 65536.
// A container that contains itself is ErrUnsupported.
//
// # Types
//
// Decoding gives the JSON codec's types: map[string]any (dict; a key that
// is not a str is ErrUnsupported), []any (list and tuple), string, int64
// (or json.Number, digit for digit, when an int does not fit), float64,
// bool and nil. A lone surrogate in a str becomes U+FFFD, as the JSON
// codec does with \ud800.
//
// Encoding accepts what the JSON codec accepts, and writes what CPython's
// pickler writes for the same value: BININT1/BININT2/BININT/LONG1/LONG4,
// BINFLOAT, SHORT_BINUNICODE/BINUNICODE, EMPTY_DICT with SETITEM or
// MARK...SETITEMS in batches of 1000, lists likewise, MEMOIZE after every
// str, list and dict, and frames of 64 KiB with large strs outside them.
// Keys are sorted (Go maps have no insertion order), so the bytes equal
// Django's whenever its keys were inserted in sorted order. Values of
// other types (structs, time.Time, json.RawMessage) are encoded and read
// back through the JSON codec first, so they are stored exactly as they
// would be as JSON.
//
// # Raw ints
//
// Both serializers store an int (not a bool) as its decimal text instead
// of a pickle and read any value with int(data) first. A session is
// always a dict, so this never concerns a session key, but Decode refuses
// such a value with ErrRawInt, and DecodeCacheValue and AppendCacheValue
// follow the serializers' rule for other keys.
//
// # Security
//
// Django's cache backends store this dict unsigned: anyone who can write
// to that Redis can forge any session, logins included. That is Django's
// design, and sharing its format means sharing it; keep that Redis as
// private as the application's memory. The decoder's refusals protect the
// Go process from hostile bytes, not the sessions from forgery.
package picklecodec
