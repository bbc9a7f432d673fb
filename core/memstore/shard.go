package memstore

import (
	"sync"

	sessions "github.com/sessionkit/sessionkit/core"
)

// numShards is the number of shards, a power of two. 64 keeps each shard's
// map small at 10^6 sessions and the Store itself at 4 KiB.
const numShards = 64

// shard is one map of records and its lock. Its methods expect mu held.
type shard struct {
	mu sync.RWMutex
	m  map[string]sessions.Record
	// old is non-nil while cleanup moves the shard into a fresh map (m):
	// it holds the records not moved yet. A key is never in both maps.
	old map[string]sessions.Record
	// peak is the most records m has held since it was made; a map's
	// memory follows its peak, not its length.
	peak int
	// Padding to 64 bytes keeps neighbouring shards' locks off one cache
	// line.
	_ [16]byte
}

func (sh *shard) get(key string) (sessions.Record, bool) {
	r, ok := sh.m[key]
	if !ok && sh.old != nil {
		r, ok = sh.old[key]
	}
	return r, ok
}

func (sh *shard) put(key string, r sessions.Record) {
	if sh.old != nil {
		delete(sh.old, key)
	}
	sh.m[key] = r
	if n := len(sh.m); n > sh.peak {
		sh.peak = n
	}
}

func (sh *shard) del(key string) {
	delete(sh.m, key)
	if sh.old != nil {
		delete(sh.old, key)
	}
}

func (sh *shard) len() int { return len(sh.m) + len(sh.old) }
