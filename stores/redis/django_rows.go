package redisstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/picklecodec"
	"github.com/sessionkit/sessionkit/core/signing"
)

// djangoRows is the durable half of DjangoCachedDB: a store of pickled
// sessions (what core and the Redis copy hold) over a store of Django's
// django_session rows (signed JSON). It transcodes both ways, so the
// cachedstore above it moves one format between the two halves.
type djangoRows struct {
	inner  sessions.Store
	signer *signing.Signer
	codec  picklecodec.Codec
	now    func() time.Time
}

var (
	_ sessions.Toucher        = (*djangoRows)(nil)
	_ sessions.ExpiredDeleter = (*djangoRows)(nil)
)

// rowCompressMin is the JSON size from which a row is compressed, as core
// does for the rows it signs (Django reads both forms).
const rowCompressMin = 1024

// values verifies and decodes a row's session_data.
func (r *djangoRows) values(data []byte) (map[string]any, error) {
	raw, err := r.signer.AppendLoads(nil, data, 0, r.now())
	if err != nil {
		return nil, err
	}
	return sessions.JSONCodec{}.Decode(raw)
}

// Load implements sessions.Store: the row, verified, as a pickle. A row
// that fails verification is ErrNotFound, so core starts a new session as
// it does for any tampered record, and the cache never copies it.
func (r *djangoRows) Load(ctx context.Context, key string) (sessions.Record, error) {
	rec, err := r.inner.Load(ctx, key)
	if err != nil {
		return sessions.Record{}, err
	}
	v, err := r.values(rec.Data)
	if err != nil {
		return sessions.Record{}, sessions.ErrNotFound
	}
	data, err := r.codec.Append(nil, v)
	if err != nil {
		return sessions.Record{}, sessions.ErrNotFound
	}
	return sessions.Record{Data: data, Expiry: rec.Expiry}, nil
}

// Save implements sessions.Store: the pickle becomes a signed row. An
// update-if-unchanged compares what the request loaded with the current
// row by content (the request may have loaded Django's pickle from the
// cache, which no row's bytes equal), then writes with a compare-and-set
// on that row's bytes, so a row changed in between is a conflict.
func (r *djangoRows) Save(ctx context.Context, key string, rec sessions.Record, cond sessions.Condition) error {
	v, err := r.codec.Decode(rec.Data)
	if err != nil {
		return fmt.Errorf("redisstore: cached_db: the record is not a pickled session (Config.Codec must be a picklecodec.Codec): %w", err)
	}
	raw, err := sessions.JSONCodec{}.Append(nil, v)
	if err != nil {
		return fmt.Errorf("redisstore: cached_db: %w", err)
	}
	row := sessions.Record{Data: r.signer.AppendDumps(nil, raw, len(raw) >= rowCompressMin, r.now()), Expiry: rec.Expiry}
	if cond.Mode != sessions.UpdateIfUnchanged {
		return r.inner.Save(ctx, key, row, sessions.Condition{Mode: cond.Mode})
	}
	loaded, err := r.codec.Decode(cond.Loaded)
	if err != nil {
		return fmt.Errorf("redisstore: cached_db: the loaded record is not a pickled session: %w", err)
	}
	cur, err := r.inner.Load(ctx, key)
	if err != nil {
		return err // ErrNotFound: deleted meanwhile
	}
	curValues, err := r.values(cur.Data)
	if err != nil || !sameSession(loaded, curValues) {
		return sessions.ErrConflict
	}
	return r.inner.Save(ctx, key, row, sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: cur.Data})
}

// sameSession compares two decoded sessions by their canonical JSON: both
// come from decoders with the same types, and the JSON codec writes keys
// sorted.
func sameSession(a, b map[string]any) bool {
	x, err1 := sessions.JSONCodec{}.Append(nil, a)
	y, err2 := sessions.JSONCodec{}.Append(nil, b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// Delete implements sessions.Store.
func (r *djangoRows) Delete(ctx context.Context, key string) error { return r.inner.Delete(ctx, key) }

// Exists implements sessions.Store.
func (r *djangoRows) Exists(ctx context.Context, key string) (bool, error) {
	return r.inner.Exists(ctx, key)
}

// Touch implements sessions.Toucher: the row's expiry changes, its data
// does not (rewritten under a compare-and-set when the row store cannot
// touch, retried a few times if the row keeps changing).
func (r *djangoRows) Touch(ctx context.Context, key string, expiry time.Time) error {
	if t, ok := r.inner.(sessions.Toucher); ok {
		return t.Touch(ctx, key, expiry)
	}
	var err error
	for range 3 {
		var rec sessions.Record
		if rec, err = r.inner.Load(ctx, key); err != nil {
			return err
		}
		err = r.inner.Save(ctx, key, sessions.Record{Data: rec.Data, Expiry: expiry},
			sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: rec.Data})
		if !errors.Is(err, sessions.ErrConflict) {
			return err
		}
	}
	return err
}

// DeleteExpired implements sessions.ExpiredDeleter.
func (r *djangoRows) DeleteExpired(ctx context.Context) (int64, error) {
	if d, ok := r.inner.(sessions.ExpiredDeleter); ok {
		return d.DeleteExpired(ctx)
	}
	return 0, nil
}
