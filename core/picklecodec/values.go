package picklecodec

import (
	"encoding/json"
	"fmt"
)

// Values on the decoder's stack. Plain session values (nil, bool, int64,
// json.Number, float64, string) are held as themselves; containers are
// pointers, because Python's memo shares them by reference: a list
// fetched from the memo and then appended to is one list. They become Go
// values (materialize) once the pickle is read.
type (
	pyList  struct{ seq }
	pyTuple struct{ seq }
	// seq holds the items of a list or a tuple.
	seq struct {
		items []any
		state matState
		out   []any
	}
	pyDict struct {
		m     map[string]any
		state matState
		out   map[string]any
	}
	// pyBytes is a bytes object: allowed only as a datetime's state.
	pyBytes []byte
	// pyDatetime is a decoded datetime, as its isoformat() text.
	pyDatetime string
	// pyTimedelta is datetime.timedelta, normalised as Python does.
	pyTimedelta struct{ days, secs, micros int64 }
	// pyTZ is a fixed-offset tzinfo, in microseconds east of UTC.
	pyTZ struct{ offset int64 }
	// pyGlobal is an allow-listed callable (see globals.go).
	pyGlobal uint8
)

type matState uint8

const (
	fresh matState = iota
	inProgress
	done
)

// maxDepth bounds nesting, as in the JSON codec: CPython's own recursion
// limit stops near it, so no Django session comes close.
const maxDepth = 1000

// materializer turns stack values into session values. Every container is
// converted once, in place; a container reached again through the memo is
// deep-copied from that result (Go maps and slices are not to be shared
// between keys), charged to budget so that a few bytes of nested
// references cannot expand into gigabytes.
type materializer struct {
	budget int
}

// seq materializes a list's or a tuple's items (both become []any), once:
// a container shared through the memo is copied after the first time.
func (z *materializer) seq(x *seq, kind string, depth int) (any, error) {
	switch x.state {
	case inProgress:
		return nil, fmt.Errorf("%w: a %s that contains itself", ErrUnsupported, kind)
	case done:
		return z.copy(x.out, depth)
	}
	x.state = inProgress
	if err := z.charge(len(x.items)); err != nil {
		return nil, err
	}
	out := x.items
	if out == nil {
		out = []any{}
	}
	for i, e := range out {
		m, err := z.value(e, depth+1)
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	x.items, x.out, x.state = nil, out, done
	return out, nil
}

func (z *materializer) value(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: nesting deeper than %d", ErrTooLarge, maxDepth)
	}
	switch x := v.(type) {
	case *pyDict:
		return z.dict(x, depth)
	case *pyList:
		return z.seq(&x.seq, "list", depth)
	case *pyTuple:
		return z.seq(&x.seq, "tuple", depth)
	case pyDatetime:
		return string(x), nil
	case nil, bool, int64, float64, string, json.Number:
		return v, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrUnsupported, pyTypeName(v))
}

func (z *materializer) dict(x *pyDict, depth int) (any, error) {
	switch x.state {
	case inProgress:
		return nil, fmt.Errorf("%w: a dict that contains itself", ErrUnsupported)
	case done:
		return z.copy(x.out, depth)
	}
	x.state = inProgress
	if err := z.charge(len(x.m)); err != nil {
		return nil, err
	}
	for k, e := range x.m {
		m, err := z.value(e, depth+1)
		if err != nil {
			return nil, err
		}
		x.m[k] = m
	}
	x.out, x.m, x.state = x.m, nil, done
	return x.out, nil
}

// copy deep-copies a materialized value for a second reference to it.
func (z *materializer) copy(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: nesting deeper than %d", ErrTooLarge, maxDepth)
	}
	switch x := v.(type) {
	case []any:
		if err := z.charge(len(x)); err != nil {
			return nil, err
		}
		out := make([]any, len(x))
		for i, e := range x {
			c, err := z.copy(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[string]any:
		if err := z.charge(len(x)); err != nil {
			return nil, err
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := z.copy(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	}
	return v, nil
}

func (z *materializer) charge(n int) error {
	z.budget -= n
	if z.budget < 0 {
		return fmt.Errorf("%w: shared references expand past the element budget", ErrTooLarge)
	}
	return nil
}

// pyTypeName names a stack value's Python type for error messages; never
// its content, which may be secret.
func pyTypeName(v any) string {
	switch x := v.(type) {
	case pyBytes:
		return "bytes"
	case pyTimedelta:
		return "datetime.timedelta"
	case pyTZ:
		return "datetime.tzinfo"
	case pyGlobal:
		return "global " + x.String()
	case *pyList:
		return "list"
	case *pyTuple:
		return "tuple"
	case *pyDict:
		return "dict"
	case pyDatetime:
		return "datetime.datetime"
	case nil:
		return "None"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case json.Number:
		return "int"
	}
	return fmt.Sprintf("%T", v)
}
