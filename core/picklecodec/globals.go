package picklecodec

import (
	"fmt"
)

// The only globals a pickle may name: the constructors Python's pickler
// uses for a datetime and its time zone. GLOBAL and STACK_GLOBAL push an
// inert marker for them and refuse every other name; REDUCE on a marker
// runs the Go function below, which checks its arguments' exact shape.
// No Python callable is ever looked up or called.
const (
	gDatetime     pyGlobal = iota + 1 // datetime.datetime(state[, tzinfo])
	gTimezone                         // datetime.timezone(offset[, name])
	gTimedelta                        // datetime.timedelta(days, seconds, microseconds)
	gPytzUTC                          // pytz._UTC(): pytz.utc
	gPytzP                            // pytz._p(zone, utcoffset, dst, tzname): a pytz zone at one offset
	gCodecsEncode                     // _codecs.encode(str, "latin1"): bytes, as protocol 2 writes them
)

var globals = map[[2]string]pyGlobal{
	{"datetime", "datetime"}:  gDatetime,
	{"datetime", "timezone"}:  gTimezone,
	{"datetime", "timedelta"}: gTimedelta,
	{"pytz", "_UTC"}:          gPytzUTC,
	{"pytz", "_p"}:            gPytzP,
	{"_codecs", "encode"}:     gCodecsEncode,
}

func (g pyGlobal) String() string {
	for name, v := range globals {
		if v == g {
			return name[0] + "." + name[1]
		}
	}
	return "?"
}

// lookupGlobal returns the marker for module.name, or ErrForbidden.
func lookupGlobal(module, name string) (pyGlobal, error) {
	if g, ok := globals[[2]string{module, name}]; ok {
		return g, nil
	}
	// The name is quoted so the error shows exactly what was asked for;
	// it names a class, never session data.
	return 0, fmt.Errorf("%w: global %q", ErrForbidden, clip(module+"."+name))
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// reduce applies marker g to args, REDUCE's (callable, tuple) pair.
func reduce(g pyGlobal, args []any) (any, error) {
	switch g {
	case gDatetime:
		return reduceDatetime(args)
	case gTimezone:
		if len(args) < 1 || len(args) > 2 {
			break
		}
		td, ok := args[0].(pyTimedelta)
		if !ok {
			break
		}
		if len(args) == 2 {
			if _, ok := args[1].(string); !ok {
				break
			}
		}
		off := (td.days*86400+td.secs)*1e6 + td.micros
		if off <= -86400e6 || off >= 86400e6 {
			return nil, fmt.Errorf("%w: time zone offset out of range", ErrMalformed)
		}
		return pyTZ{offset: off}, nil
	case gTimedelta:
		if len(args) != 3 {
			break
		}
		var n [3]int64
		for i, a := range args {
			v, ok := a.(int64)
			if !ok {
				return nil, fmt.Errorf("%w: datetime.timedelta argument %d is %s", ErrUnsupported, i, pyTypeName(a))
			}
			n[i] = v
		}
		// Python pickles timedeltas normalised; refuse anything else
		// rather than normalise huge values.
		if n[1] < 0 || n[1] >= 86400 || n[2] < 0 || n[2] >= 1e6 || n[0] < -999999999 || n[0] > 999999999 {
			return nil, fmt.Errorf("%w: datetime.timedelta out of range", ErrMalformed)
		}
		return pyTimedelta{days: n[0], secs: n[1], micros: n[2]}, nil
	case gPytzUTC:
		if len(args) == 0 {
			return pyTZ{}, nil
		}
	case gPytzP:
		return reducePytz(args)
	case gCodecsEncode:
		if len(args) != 2 {
			break
		}
		s, ok1 := args[0].(string)
		enc, ok2 := args[1].(string)
		if !ok1 || !ok2 || (enc != "latin1" && enc != "latin-1") {
			break
		}
		b := make(pyBytes, 0, len(s))
		for _, r := range s {
			if r > 0xff {
				return nil, fmt.Errorf("%w: _codecs.encode of a non-latin-1 str", ErrMalformed)
			}
			b = append(b, byte(r))
		}
		return b, nil
	}
	return nil, fmt.Errorf("%w: %s called with arguments of an unexpected shape", ErrUnsupported, g)
}

// reducePytz reads pytz._p(zone, utcoffset, dstoffset, tzname), the form
// a pytz zone localized to one offset pickles as, and pytz._p("UTC").
func reducePytz(args []any) (any, error) {
	if len(args) == 1 {
		if zone, ok := args[0].(string); ok && zone == "UTC" {
			return pyTZ{}, nil
		}
		// A zone without its offset needs the tz database: not here.
		return nil, fmt.Errorf("%w: a pytz zone without its offset", ErrUnsupported)
	}
	if len(args) != 4 {
		return nil, fmt.Errorf("%w: pytz._p called with %d arguments", ErrUnsupported, len(args))
	}
	_, ok1 := args[0].(string)
	off, ok2 := args[1].(int64)
	_, ok3 := args[2].(int64)
	_, ok4 := args[3].(string)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, fmt.Errorf("%w: pytz._p called with arguments of an unexpected shape", ErrUnsupported)
	}
	if off <= -86400 || off >= 86400 {
		return nil, fmt.Errorf("%w: time zone offset out of range", ErrMalformed)
	}
	return pyTZ{offset: off * 1e6}, nil
}
