package cachedstore

import (
	"sync"
	"sync/atomic"
	"time"
)

// pendingSet holds the keys whose cache copy may be older than the
// durable record: a write changed the record and the cache did not answer
// the delete (or lease) that should have followed. Their copies are never
// read, and a key leaves the set only when a cache call sent after it
// was marked removed whatever copy there was.
type pendingSet struct {
	n        atomic.Int64  // len(keys), for the hot path
	seq      atomic.Uint64 // numbers marks, so a clear never drops a later one
	distrust atomic.Int64  // UnixNano until which no copy is read; 0: none

	mu     sync.Mutex
	keys   map[string]mark
	max    int
	window time.Duration // after it, every copy a mark guards against has expired
}

type mark struct {
	seq uint64
	at  time.Time
}

func newPendingSet(max int, window time.Duration) pendingSet {
	return pendingSet{keys: make(map[string]mark), max: max, window: window}
}

// ticket is taken before a cache call that can clear a key: marks made
// after it have a greater number and survive the clear.
func (p *pendingSet) ticket() uint64 { return p.seq.Load() }

// has reports whether key's copy must not be read.
func (p *pendingSet) has(key string) bool {
	if p.n.Load() == 0 {
		return false
	}
	p.mu.Lock()
	_, ok := p.keys[key]
	p.mu.Unlock()
	return ok
}

// add marks key. If the set is full it first forgets the marks whose
// copies have expired; if still full it drops every mark and distrusts
// the whole cache until the copies they guarded have expired.
func (p *pendingSet) add(key string, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.keys[key]; !ok && len(p.keys) >= p.max {
		p.prune(now, -1)
		if len(p.keys) >= p.max {
			until := now.Add(p.window).UnixNano()
			if until > p.distrust.Load() {
				p.distrust.Store(until)
			}
			clear(p.keys)
		}
	}
	p.keys[key] = mark{seq: p.seq.Add(1), at: now}
	p.n.Store(int64(len(p.keys)))
}

// clear unmarks key if it was marked before ticket t was taken.
func (p *pendingSet) clear(key string, t uint64) {
	if p.n.Load() == 0 {
		return
	}
	p.mu.Lock()
	if m, ok := p.keys[key]; ok && m.seq <= t {
		delete(p.keys, key)
		p.n.Store(int64(len(p.keys)))
	}
	p.mu.Unlock()
}

// distrusted reports whether no copy at all may be read, after an
// overflow of the set.
func (p *pendingSet) distrusted(now func() time.Time) bool {
	d := p.distrust.Load()
	return d != 0 && now().UnixNano() < d
}

// batch forgets marks whose copies have expired and returns up to limit
// of the other keys.
func (p *pendingSet) batch(now time.Time, limit int) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.prune(now, limit)
}

// prune drops expired marks while collecting up to limit live keys
// (limit < 0: none, visiting every mark). p.mu must be held.
func (p *pendingSet) prune(now time.Time, limit int) []string {
	var keys []string
	for k, m := range p.keys {
		if now.Sub(m.at) >= p.window {
			delete(p.keys, k)
			continue
		}
		if limit < 0 {
			continue
		}
		if len(keys) == limit {
			break
		}
		keys = append(keys, k)
	}
	p.n.Store(int64(len(p.keys)))
	return keys
}

// size returns how many keys are marked.
func (p *pendingSet) size() int { return int(p.n.Load()) }
