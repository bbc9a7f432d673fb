package picklecodec

import (
	"fmt"
	"strconv"
)

// A pickled datetime is datetime.datetime(state) or (state, tzinfo), where
// state is 10 bytes: year (2, big-endian), month (its top bit is fold),
// day, hour, minute, second, microsecond (3, big-endian). It decodes to
// its isoformat() text: what Django 4.0+ itself stores in a session for a
// datetime expiry, and what core's expiry parsing and GetTime read.

// civil is a datetime's fields, and its offset when it is aware.
type civil struct {
	year, month, day, hour, minute, second, micro int
	aware                                         bool
	offset                                        int64 // microseconds east of UTC
}

func reduceDatetime(args []any) (any, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, fmt.Errorf("%w: datetime.datetime called with %d arguments", ErrUnsupported, len(args))
	}
	st, ok := args[0].(pyBytes)
	if !ok || len(st) != 10 {
		return nil, fmt.Errorf("%w: datetime.datetime called with arguments of an unexpected shape", ErrUnsupported)
	}
	c := civil{
		year:   int(st[0])<<8 | int(st[1]),
		month:  int(st[2] & 0x7f),
		day:    int(st[3]),
		hour:   int(st[4]),
		minute: int(st[5]),
		second: int(st[6]),
		micro:  int(st[7])<<16 | int(st[8])<<8 | int(st[9]),
	}
	if len(args) == 2 && args[1] != nil {
		tz, ok := args[1].(pyTZ)
		if !ok {
			return nil, fmt.Errorf("%w: a datetime's tzinfo is %s", ErrUnsupported, pyTypeName(args[1]))
		}
		c.aware, c.offset = true, tz.offset
	}
	if !c.valid() {
		return nil, fmt.Errorf("%w: datetime fields out of range", ErrMalformed)
	}
	return pyDatetime(c.isoformat()), nil
}

func (c civil) valid() bool {
	return c.year >= 1 && c.year <= 9999 && c.month >= 1 && c.month <= 12 &&
		c.day >= 1 && c.day <= daysIn(c.year, c.month) && c.hour < 24 && c.minute < 60 &&
		c.second < 60 && c.micro < 1e6 && c.offset > -86400e6 && c.offset < 86400e6
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// isoformat is Python's datetime.isoformat().
func (c civil) isoformat() string {
	b := make([]byte, 0, 32)
	b = pad(b, c.year, 4)
	b = append(b, '-')
	b = pad(b, c.month, 2)
	b = append(b, '-')
	b = pad(b, c.day, 2)
	b = append(b, 'T')
	b = pad(b, c.hour, 2)
	b = append(b, ':')
	b = pad(b, c.minute, 2)
	b = append(b, ':')
	b = pad(b, c.second, 2)
	if c.micro != 0 {
		b = append(b, '.')
		b = pad(b, c.micro, 6)
	}
	if c.aware {
		off := c.offset
		sign := byte('+')
		if off < 0 {
			sign, off = '-', -off
		}
		secs, micro := off/1e6, off%1e6
		b = append(b, sign)
		b = pad(b, int(secs/3600), 2)
		b = append(b, ':')
		b = pad(b, int(secs/60%60), 2)
		if secs%60 != 0 || micro != 0 {
			b = append(b, ':')
			b = pad(b, int(secs%60), 2)
			if micro != 0 {
				b = append(b, '.')
				b = pad(b, int(micro), 6)
			}
		}
	}
	return string(b)
}

func pad(b []byte, n, width int) []byte {
	s := strconv.Itoa(n)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// parseISO reads the _session_expiry forms a Go or Django writer produces:
// YYYY-MM-DD[T ]HH:MM[:SS[.fraction]] with an optional Z, ±HH:MM[:SS[.ffffff]]
// or ±HHMM offset. Digits past microseconds are truncated, as Django's
// readers do. ok is false for anything else.
func parseISO(s string) (c civil, ok bool) {
	p := isoParser{s: s}
	c.year = p.num(4)
	p.lit('-')
	c.month = p.num(2)
	p.lit('-')
	c.day = p.num(2)
	if p.i < len(s) && (s[p.i] == 'T' || s[p.i] == ' ') {
		p.i++
	} else {
		p.bad = true
	}
	c.hour = p.num(2)
	p.lit(':')
	c.minute = p.num(2)
	if p.peek(':') {
		p.i++
		c.second = p.num(2)
		if p.peek('.') || p.peek(',') {
			p.i++
			c.micro = p.fraction()
		}
	}
	switch {
	case p.peek('Z'):
		p.i++
		c.aware = true
	case p.peek('+') || p.peek('-'):
		neg := s[p.i] == '-'
		p.i++
		hh := p.num(2)
		colon := p.peek(':')
		if colon {
			p.i++
		}
		mm := p.num(2)
		var ss, us int
		if colon && p.peek(':') {
			p.i++
			ss = p.num(2)
			if p.peek('.') {
				p.i++
				us = p.fraction()
			}
		}
		if hh > 23 || mm > 59 || ss > 59 {
			p.bad = true
		}
		c.aware = true
		c.offset = int64(((hh*60+mm)*60+ss))*1e6 + int64(us)
		if neg {
			c.offset = -c.offset
		}
	}
	if p.bad || p.i != len(s) || !c.valid() {
		return civil{}, false
	}
	return c, true
}

type isoParser struct {
	s   string
	i   int
	bad bool
}

func (p *isoParser) peek(c byte) bool { return p.i < len(p.s) && p.s[p.i] == c }

func (p *isoParser) lit(c byte) {
	if !p.peek(c) {
		p.bad = true
		return
	}
	p.i++
}

func (p *isoParser) num(width int) int {
	n := 0
	for range width {
		if p.i >= len(p.s) || p.s[p.i] < '0' || p.s[p.i] > '9' {
			p.bad = true
			return 0
		}
		n = n*10 + int(p.s[p.i]-'0')
		p.i++
	}
	return n
}

// fraction reads 1 to 9 digits as microseconds, truncating.
func (p *isoParser) fraction() int {
	start, us := p.i, 0
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		if p.i-start < 6 {
			us = us*10 + int(p.s[p.i]-'0')
		}
		p.i++
	}
	n := p.i - start
	if n == 0 || n > 9 {
		p.bad = true
	}
	for ; n < 6; n++ {
		us *= 10
	}
	return us
}

// state is the 10-byte state datetime pickles, for protocol 4 and up
// (fold is never set: a Go time names one instant).
func (c civil) state() []byte {
	return []byte{
		byte(c.year >> 8), byte(c.year), byte(c.month), byte(c.day),
		byte(c.hour), byte(c.minute), byte(c.second),
		byte(c.micro >> 16), byte(c.micro >> 8), byte(c.micro),
	}
}

// datetime writes c as CPython pickles a datetime at protocol 4 and up:
// datetime.datetime(state), or (state, tzinfo) with tzinfo pytz.utc for
// UTC (what Django 3.2 uses; Django 3.2 requires pytz) and
// datetime.timezone(timedelta(...)) for any other offset.
func (e *encoder) datetime(c civil) {
	e.global("datetime", "datetime")
	e.boundary()
	st := c.state()
	e.buf = append(append(e.buf, opShortBinBytes, byte(len(st))), st...)
	e.memoize()
	if !c.aware {
		e.buf = append(e.buf, opTuple1)
		e.memoize()
		e.buf = append(e.buf, opReduce)
		e.memoize()
		return
	}
	e.boundary()
	if c.offset == 0 {
		e.global("pytz", "_UTC")
		e.boundary()
		e.buf = append(e.buf, opEmptyTuple, opReduce)
		e.memoize()
	} else {
		e.global("datetime", "timezone")
		e.boundary()
		e.timedelta(c.offset)
		e.buf = append(e.buf, opTuple1)
		e.memoize()
		e.buf = append(e.buf, opReduce)
		e.memoize()
	}
	e.buf = append(e.buf, opTuple2)
	e.memoize()
	e.buf = append(e.buf, opReduce)
	e.memoize()
}

// timedelta writes datetime.timedelta(days, seconds, microseconds) for an
// offset in microseconds, normalised as Python keeps it.
func (e *encoder) timedelta(micros int64) {
	e.global("datetime", "timedelta")
	days := micros / 86400e6
	rest := micros % 86400e6
	if rest < 0 {
		days--
		rest += 86400e6
	}
	for _, n := range [3]int64{days, rest / 1e6, rest % 1e6} {
		e.boundary()
		e.int(n)
	}
	e.buf = append(e.buf, opTuple3)
	e.memoize()
	e.buf = append(e.buf, opReduce)
	e.memoize()
}

// global writes module.name with STACK_GLOBAL, memoizing as CPython does.
func (e *encoder) global(module, name string) {
	e.boundary()
	e.module(module)
	e.boundary()
	e.writeStr(name)
	e.buf = append(e.buf, opStackGlobal)
	e.memoize()
}
