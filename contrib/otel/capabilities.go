package otelsessions

import (
	"context"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/signing"
)

//go:generate go run gen_capabilities.go

// The optional interfaces core finds on a store by type assertion. A
// wrapper that added one would change what core does (a store that seems
// InProcess is not signed), and one that hid one would disable a feature
// or a check, so the wrapper has exactly those of the store it wraps.
type (
	djangoStore interface{ Django() sessions.Django }
	limitStore  interface{ MaxRecordSize() int }
)

// Each adapter carries one optional method; build (capabilities_gen.go)
// embeds those of the interfaces the wrapped store has. Their fields are
// named, so that only the method itself is promoted.
type toucher struct {
	s    *tracedStore
	next sessions.Toucher
}

// Touch implements sessions.Toucher.
func (x toucher) Touch(ctx context.Context, key string, expiry time.Time) error {
	ctx, c := x.s.t.start(ctx, opTouch)
	err := x.next.Touch(ctx, key, expiry)
	c.end(ctx, err)
	return err
}

type expiredDeleter struct {
	s    *tracedStore
	next sessions.ExpiredDeleter
}

// DeleteExpired implements sessions.ExpiredDeleter.
func (x expiredDeleter) DeleteExpired(ctx context.Context) (int64, error) {
	ctx, c := x.s.t.start(ctx, opDeleteExpired)
	n, err := x.next.DeleteExpired(ctx)
	c.end(ctx, err)
	return n, err
}

type inProcess struct{ next sessions.InProcess }

// InProcess implements sessions.InProcess with the wrapped store's answer.
func (x inProcess) InProcess() bool { return x.next.InProcess() }

type django struct{ next djangoStore }

// Django returns the wrapped store's Django settings, which core checks
// against Config.Django.
func (x django) Django() sessions.Django { return x.next.Django() }

type unsigned struct {
	s    *tracedStore
	next sessions.UnsignedStore
}

// BindUnsigned implements sessions.UnsignedStore: the store the wrapped
// one binds is wrapped in turn, so core's calls to it are traced too.
func (x unsigned) BindUnsigned(sg *signing.Signer) sessions.Store {
	return x.s.t.WrapStore(x.next.BindUnsigned(sg))
}

type recordLimit struct{ next limitStore }

// MaxRecordSize returns the wrapped store's limit, which core checks
// against Config.MaxRecordSize.
func (x recordLimit) MaxRecordSize() int { return x.next.MaxRecordSize() }

// adapters holds one adapter per optional interface, in the order of the
// bits of compose's set.
type adapters struct {
	toucher        toucher
	expiredDeleter expiredDeleter
	inProcess      inProcess
	django         django
	unsigned       unsigned
	recordLimit    recordLimit
}

// compose returns s with the optional methods of s.next.
func compose(s *tracedStore) sessions.Store {
	var (
		caps uint
		a    adapters
		ok   bool
	)
	if a.toucher.next, ok = s.next.(sessions.Toucher); ok {
		a.toucher.s = s
		caps |= 1 << 0
	}
	if a.expiredDeleter.next, ok = s.next.(sessions.ExpiredDeleter); ok {
		a.expiredDeleter.s = s
		caps |= 1 << 1
	}
	if a.inProcess.next, ok = s.next.(sessions.InProcess); ok {
		caps |= 1 << 2
	}
	if a.django.next, ok = s.next.(djangoStore); ok {
		caps |= 1 << 3
	}
	if a.unsigned.next, ok = s.next.(sessions.UnsignedStore); ok {
		a.unsigned.s = s
		caps |= 1 << 4
	}
	if a.recordLimit.next, ok = s.next.(limitStore); ok {
		caps |= 1 << 5
	}
	return build(s, caps, &a)
}
