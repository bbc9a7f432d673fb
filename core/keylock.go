package sessions

import (
	"context"
	"sync"
)

// keyLocks serialises the saves of one session key inside this process:
// concurrent requests of one user (tabs, API clients) then meet at most
// one conflict each (the record another of them just wrote) instead of
// racing each other's compare-and-set over and over. Requests on other
// instances still meet conflicts, which the merge and its backoff handle.
// Entries exist only while a save holds or waits for them.
type keyLocks struct {
	mu    sync.Mutex
	locks map[string]*keyLock
	free  sync.Pool
}

type keyLock struct {
	ch   chan struct{} // a one-slot semaphore, so that waiting honours ctx
	refs int
}

// lock takes the lock of key, or gives up when ctx is done; unlock
// releases it. (A handle, not a closure: a closure would allocate on
// every save.)
func (k *keyLocks) lock(ctx context.Context, key string) (*keyLock, error) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = make(map[string]*keyLock)
	}
	l := k.locks[key]
	if l == nil {
		l, _ = k.free.Get().(*keyLock)
		if l == nil {
			l = &keyLock{ch: make(chan struct{}, 1)}
		}
		k.locks[key] = l
	}
	l.refs++
	k.mu.Unlock()

	select {
	case l.ch <- struct{}{}:
		return l, nil
	case <-ctx.Done():
		k.release(key, l)
		return nil, ctx.Err()
	}
}

// unlock releases the lock of key that lock returned.
func (k *keyLocks) unlock(key string, l *keyLock) {
	<-l.ch
	k.release(key, l)
}

func (k *keyLocks) release(key string, l *keyLock) {
	k.mu.Lock()
	l.refs--
	if l.refs == 0 {
		delete(k.locks, key)
		k.free.Put(l)
	}
	k.mu.Unlock()
}
