package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
)

// DefaultPrefix is the key prefix used when Options.Prefix is empty.
const DefaultPrefix = "sessionkit:"

// DefaultOpTimeout is the bound on each store call used when
// Options.OpTimeout is zero.
const DefaultOpTimeout = 2 * time.Second

// Options configures a Store. The zero value is usable.
type Options struct {
	// Prefix is prepended to every session key to form the Redis key.
	// Stores with different prefixes never see each other's sessions.
	// Default: DefaultPrefix ("sessionkit:").
	Prefix string
	// Clock returns the current time, against which a record's expiry
	// becomes its TTL. Default: time.Now.
	Clock func() time.Time
	// MaxRecordSize bounds a record, in bytes; set it to the Manager's
	// Config.MaxRecordSize. Load checks it on the server: a larger record
	// is never transferred (at most MaxRecordSize+1 bytes of it are), and
	// Load returns an error matching both sessions.ErrRecordTooLarge and
	// sessions.ErrNotFound, which core answers with a fresh session. A
	// Save of a larger record fails with sessions.ErrRecordTooLarge.
	// Negative: no limit. Default: sessions.DefaultMaxRecordSize (1 MiB).
	MaxRecordSize int
	// OpTimeout bounds every store call (Load, Save, Delete, Exists,
	// Touch) whose context has no earlier deadline, so that a request
	// without a deadline cannot hang on an unresponsive server. A call
	// whose context is already cancelled returns at once with the
	// context's error; one cancelled while its command is in flight ends
	// by the deadline or OpTimeout (see ReturnOnCancel). Negative: no
	// bound of the store's own (the context's deadline, if any, and the
	// client's ReadTimeout and WriteTimeout still apply).
	// Default: DefaultOpTimeout (2s).
	OpTimeout time.Duration
	// ReturnOnCancel makes a call return as soon as its context is
	// cancelled, also while its command is in flight. go-redis cannot
	// abort a command on cancellation (only a deadline reaches its
	// socket), so this runs every call whose context can be cancelled on
	// a goroutine of its own and returns without waiting for it; that
	// goroutine and its connection stay busy until the command finishes
	// or the deadline ends it, as they would without this option. The
	// hand-off costs 15–35 µs per call on the benchmark machine
	// (benchmarks/FINDINGS.md), about a third of a request that loads and
	// saves. Default: false; the call runs on the caller's goroutine and a
	// cancellation in flight takes effect at the deadline or OpTimeout.
	ReturnOnCancel bool
	// WaitReplicas, when positive, makes every write (Save, Delete, Touch)
	// wait until that many replicas have acknowledged it, with Redis's
	// WAIT sent after the write on the same connection (one round trip;
	// on a cluster, to the key's master). Fewer acknowledgements within
	// WaitTimeout fail the call with an error wrapping ErrNotReplicated,
	// although the master has the write. Redis replication is
	// asynchronous: without this, a write acknowledged just before its
	// master dies can be lost in the failover. Not supported with a
	// *redis.Ring. Default: 0, no waiting.
	WaitReplicas int
	// WaitTimeout bounds the wait for replicas; a call's deadline or
	// OpTimeout, if sooner, shortens it. Default: DefaultWaitTimeout
	// (500ms).
	WaitTimeout time.Duration
}

// Store keeps session records in Redis. It is safe for concurrent use.
type Store struct {
	client  redis.UniversalClient
	prefix  string
	cas     script
	now     func() time.Time
	timeout time.Duration // <= 0: none
	detach  bool          // Options.ReturnOnCancel
	maxSize int           // <= 0: none
	lastArg any           // maxSize boxed once: GETRANGE's last argument
	wait    waiter
	cluster *redis.ClusterClient // nil unless a cluster (see reloading)
}

var (
	_ sessions.Store   = (*Store)(nil)
	_ sessions.Toucher = (*Store)(nil)
)

// New returns a Store over client, which may be a *redis.Client, a
// Sentinel-backed failover client or a *redis.ClusterClient. New does no
// I/O. The client stays the caller's: close it after the last use of the
// Store.
//
// The client must have been created with ContextTimeoutEnabled: true
// (redis.Options, redis.ClusterOptions, redis.FailoverOptions,
// redis.UniversalOptions): without it go-redis ignores context deadlines
// on its sockets, so a request's deadline and Options.OpTimeout could not
// end a call to an unresponsive server. New returns an error wrapping
// sessions.ErrInvalidConfig for a *redis.Client, *redis.ClusterClient or
// *redis.Ring without it; other implementations of redis.UniversalClient
// cannot be inspected and are taken as they are.
func New(client redis.UniversalClient, opts Options) (*Store, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: redisstore: nil client", sessions.ErrInvalidConfig)
	}
	if err := checkContextTimeout(client); err != nil {
		return nil, err
	}
	wait, err := newWaiter(client, opts)
	if err != nil {
		return nil, err
	}
	switch {
	case opts.OpTimeout == 0:
		opts.OpTimeout = DefaultOpTimeout
	case opts.OpTimeout < 0:
		opts.OpTimeout = 0
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	switch {
	case opts.MaxRecordSize == 0:
		opts.MaxRecordSize = sessions.DefaultMaxRecordSize
	case opts.MaxRecordSize < 0:
		opts.MaxRecordSize = 0
	}
	return &Store{
		client:  client,
		prefix:  opts.Prefix,
		cas:     newScript(casScript),
		now:     opts.Clock,
		timeout: opts.OpTimeout,
		detach:  opts.ReturnOnCancel,
		maxSize: opts.MaxRecordSize,
		lastArg: opts.MaxRecordSize,
		wait:    wait,
		cluster: clusterOf(client),
	}, nil
}

// checkContextTimeout refuses the go-redis clients it can inspect that
// were created with ContextTimeoutEnabled false.
func checkContextTimeout(client redis.UniversalClient) error {
	var enabled bool
	switch c := client.(type) {
	case interface{ Options() *redis.Options }: // Client, failover Client
		enabled = c.Options().ContextTimeoutEnabled
	case interface{ Options() *redis.ClusterOptions }: // ClusterClient, failover ClusterClient
		enabled = c.Options().ContextTimeoutEnabled
	case interface{ Options() *redis.RingOptions }:
		enabled = c.Options().ContextTimeoutEnabled
	default:
		return nil
	}
	if enabled {
		return nil
	}
	return fmt.Errorf("%w: redisstore: the go-redis client was created with ContextTimeoutEnabled false, so it ignores "+
		"context deadlines on its sockets and a call to an unresponsive server would outlast the request's deadline; "+
		"set ContextTimeoutEnabled: true in its options (after redis.ParseURL: opt.ContextTimeoutEnabled = true)",
		sessions.ErrInvalidConfig)
}

// OpTimeout returns the bound on each call in force; 0 means none.
func (s *Store) OpTimeout() time.Duration { return s.timeout }

// MaxRecordSize returns the record size limit in force; 0 means none.
func (s *Store) MaxRecordSize() int { return s.maxSize }

// result is what a call's goroutine hands back.
type result[T any] struct {
	v   T
	err error
}

// call runs f under the store's bound on ctx: ctx's own deadline or, when
// it has none that ends sooner, OpTimeout. go-redis honours that deadline
// on the socket, but not a cancellation before it. With ReturnOnCancel and
// a context that can be cancelled, f runs in its own goroutine and call
// returns as soon as ctx is done; the goroutine ends by the deadline (or
// the client's read timeout), and the command it sent may still be
// carried out, as after any network error. When the bound ends f, its
// error also matches context.DeadlineExceeded (or context.Canceled).
func call[T any](s *Store, ctx context.Context, op string, f func(context.Context) (T, error)) (T, error) {
	if s.cluster != nil {
		f = reloading(s.cluster, f)
	}
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, fmt.Errorf("redisstore: %s: %w", op, err)
	}
	cctx, cancel := s.bound(ctx)
	if !s.detach || ctx.Done() == nil {
		// On the caller's goroutine: a hand-off to another one costs
		// more than the command (see ReturnOnCancel).
		defer cancel()
		v, err := f(cctx)
		return v, deadlineErr(cctx, err)
	}
	ch := make(chan result[T], 1)
	go func() {
		defer cancel()
		v, err := f(cctx)
		ch <- result[T]{v, deadlineErr(cctx, err)}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		// f may have finished at the same instant: prefer its answer.
		select {
		case r := <-ch:
			return r.v, r.err
		default:
		}
		var zero T
		return zero, fmt.Errorf("redisstore: %s: %w", op, ctx.Err())
	}
}

// bound returns ctx limited by OpTimeout unless ctx already ends sooner,
// in which case it returns ctx itself and a no-op cancel (no allocation).
func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout <= 0 {
		return ctx, func() {}
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= s.timeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.timeout)
}

// deadlineErr makes an error that ends a call whose context is done also
// match the context's error (go-redis reports a socket deadline as an
// i/o timeout).
func deadlineErr(ctx context.Context, err error) error {
	if err == nil || errors.Is(err, sessions.ErrNotFound) || errors.Is(err, sessions.ErrKeyExists) || errors.Is(err, sessions.ErrConflict) {
		return err
	}
	cerr := ctx.Err()
	if cerr == nil {
		// The socket's deadline can fire a moment before the context's
		// timer does.
		if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
			cerr = context.DeadlineExceeded
		}
	}
	if cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w (%w)", err, cerr)
	}
	return err
}

// Prefix returns the key prefix in force.
func (s *Store) Prefix() string { return s.prefix }

// Load implements sessions.Store with one GETRANGE (one GET without a size
// limit). Redis enforces expiry with the key's TTL, so a key that exists
// is live, and the returned Record leaves Expiry zero (see
// sessions.Record): reading the TTL as well cost a third more than the GET
// alone. A record over MaxRecordSize returns an error matching both
// sessions.ErrRecordTooLarge and sessions.ErrNotFound.
func (s *Store) Load(ctx context.Context, key string) (sessions.Record, error) {
	return call(s, ctx, "load", func(ctx context.Context) (sessions.Record, error) { return s.load(ctx, key) })
}

func (s *Store) load(ctx context.Context, key string) (sessions.Record, error) {
	if s.maxSize > 0 {
		return s.loadBounded(ctx, key)
	}
	data, err := s.client.Get(ctx, s.prefix+key).Bytes()
	if err != nil {
		if errors.Is(err, redis.Nil) {
			return sessions.Record{}, sessions.ErrNotFound
		}
		return sessions.Record{}, fmt.Errorf("redisstore: load: %w", err)
	}
	return sessions.Record{Data: data}, nil
}

// loadBounded reads at most maxSize+1 bytes of the record, so one byte
// more than the limit says it is over, without moving the rest. GETRANGE
// costs what GET does; a Lua script checking STRLEN first cost 40 % more
// per Load. GETRANGE answers "" for a missing key, and a stored record is
// never empty (core writes signed data), so "" is a missing record. The
// command is built here so that the limit is boxed once, in New.
func (s *Store) loadBounded(ctx context.Context, key string) (sessions.Record, error) {
	cmd := redis.NewStringCmd(ctx, "getrange", s.prefix+key, 0, s.lastArg)
	_ = s.client.Process(ctx, cmd)
	data, err := cmd.Bytes()
	switch {
	case err != nil:
		return sessions.Record{}, fmt.Errorf("redisstore: load: %w", err)
	case len(data) == 0:
		return sessions.Record{}, sessions.ErrNotFound
	case len(data) > s.maxSize:
		// ErrNotFound as well: for core, a cache in front and anyone
		// else, the record is as good as missing, not a store failure.
		return sessions.Record{}, fmt.Errorf("redisstore: load: %w: over %d bytes, %w", sessions.ErrRecordTooLarge, s.maxSize, sessions.ErrNotFound)
	}
	return sessions.Record{Data: data}, nil
}

// Save implements sessions.Store in one round trip: SET NX PX for
// CreateOnly, SET XX PX for UpdateOnly and an atomic compare-and-set script
// for UpdateIfUnchanged. A record that is already expired is never
// written: an update deletes the key instead, so nothing live is left.
func (s *Store) Save(ctx context.Context, key string, rec sessions.Record, cond sessions.Condition) error {
	switch cond.Mode {
	case sessions.CreateOnly, sessions.UpdateOnly, sessions.UpdateIfUnchanged:
	default:
		return fmt.Errorf("%w: redisstore: save mode %v", sessions.ErrInvalidConfig, cond.Mode)
	}
	if s.maxSize > 0 && len(rec.Data) > s.maxSize {
		return fmt.Errorf("redisstore: save: %w: %d bytes (limit %d)", sessions.ErrRecordTooLarge, len(rec.Data), s.maxSize)
	}
	_, err := call(s, ctx, "save", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.save(ctx, key, rec, cond)
	})
	return err
}

func (s *Store) save(ctx context.Context, key string, rec sessions.Record, cond sessions.Condition) error {
	k := s.prefix + key
	ms := ttlMillis(rec.Expiry, s.now())
	switch cond.Mode {
	case sessions.CreateOnly:
		if ms == 0 {
			return s.createExpired(ctx, k)
		}
		return s.set(ctx, "nx", k, rec.Data, ms, sessions.ErrKeyExists)
	case sessions.UpdateOnly:
		if ms == 0 {
			return s.deleteExisting(ctx, k)
		}
		return s.set(ctx, "xx", k, rec.Data, ms, sessions.ErrNotFound)
	case sessions.UpdateIfUnchanged:
		return s.compareAndSet(ctx, k, rec.Data, cond.Loaded, ms)
	}
	return fmt.Errorf("%w: redisstore: save mode %v", sessions.ErrInvalidConfig, cond.Mode)
}

// set writes data under k for ms milliseconds if the condition (nx or xx)
// holds, and returns failed when it does not.
func (s *Store) set(ctx context.Context, cond, k string, data []byte, ms int64, failed error) error {
	cmd := redis.NewBoolCmd(ctx, "set", k, data, "px", ms, cond)
	if err := s.process(ctx, k, cmd); err != nil {
		return fmt.Errorf("redisstore: save: %w", err)
	}
	if !cmd.Val() {
		return failed
	}
	return nil
}

// createExpired answers a create-only save of a dead record: nothing is
// written, but a live record under the key still makes it taken.
func (s *Store) createExpired(ctx context.Context, k string) error {
	n, err := s.client.Exists(ctx, k).Result()
	if err != nil {
		return fmt.Errorf("redisstore: save: %w", err)
	}
	if n > 0 {
		return sessions.ErrKeyExists
	}
	return nil
}

// deleteExisting answers an update-only save of a dead record: the record
// it replaces ends now.
func (s *Store) deleteExisting(ctx context.Context, k string) error {
	n, err := write(s, ctx, k, redis.NewIntCmd(ctx, "del", k)).Result()
	if err != nil {
		return fmt.Errorf("redisstore: save: %w", err)
	}
	if n == 0 {
		return sessions.ErrNotFound
	}
	return nil
}

func (s *Store) compareAndSet(ctx context.Context, k string, data, loaded []byte, ms int64) error {
	code, err := s.eval(ctx, s.cas, k, loaded, data, ms).Int64()
	if err != nil {
		return fmt.Errorf("redisstore: save: %w", err)
	}
	switch code {
	case casOK:
		return nil
	case casMissing:
		return sessions.ErrNotFound
	case casConflict:
		return sessions.ErrConflict
	}
	return fmt.Errorf("redisstore: save: unexpected script result %d", code)
}

// Delete implements sessions.Store with DEL.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := call(s, ctx, "delete", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.delete(ctx, key)
	})
	return err
}

func (s *Store) delete(ctx context.Context, key string) error {
	if err := write(s, ctx, s.prefix+key, redis.NewIntCmd(ctx, "del", s.prefix+key)).Err(); err != nil {
		return fmt.Errorf("redisstore: delete: %w", err)
	}
	return nil
}

// Exists implements sessions.Store with EXISTS.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	return call(s, ctx, "exists", func(ctx context.Context) (bool, error) { return s.exists(ctx, key) })
}

func (s *Store) exists(ctx context.Context, key string) (bool, error) {
	n, err := s.client.Exists(ctx, s.prefix+key).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: exists: %w", err)
	}
	return n > 0, nil
}

// Touch implements sessions.Toucher with PEXPIRE: the data is not resent.
// An expiry that is not in the future deletes the record.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	_, err := call(s, ctx, "touch", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.touch(ctx, key, expiry)
	})
	return err
}

func (s *Store) touch(ctx context.Context, key string, expiry time.Time) error {
	// PEXPIRE with a non-positive TTL deletes the key, which is what a
	// past expiry means.
	ms := ttlMillis(expiry, s.now())
	if ms == 0 {
		ms = -1
	}
	ok, err := write(s, ctx, s.prefix+key, redis.NewBoolCmd(ctx, "pexpire", s.prefix+key, ms)).Result()
	if err != nil {
		return fmt.Errorf("redisstore: touch: %w", err)
	}
	if !ok {
		return sessions.ErrNotFound
	}
	return nil
}

// ttlMillis returns the whole milliseconds from now until expiry, rounded
// up so a record with any time left is written, or 0 when expiry is not in
// the future.
func ttlMillis(expiry, now time.Time) int64 {
	d := expiry.Sub(now)
	if d <= 0 {
		return 0
	}
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}
