package memstore

import (
	"sync/atomic"
	"time"
)

// FakeClock is a clock for tests, safe for concurrent use: time moves only
// when the test advances it.
type FakeClock struct{ ns atomic.Int64 }

func NewFakeClock() *FakeClock {
	c := &FakeClock{}
	c.ns.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *FakeClock) Now() time.Time { return time.Unix(0, c.ns.Load()) }

func (c *FakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }
