package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
)

// DefaultWaitTimeout is how long a write waits for its replicas when
// Options.WaitReplicas is set and Options.WaitTimeout is zero.
const DefaultWaitTimeout = 500 * time.Millisecond

// ErrNotReplicated is returned, wrapped, by Save, Delete and Touch when
// Options.WaitReplicas is set and fewer replicas than that acknowledged the
// write within Options.WaitTimeout (or the WAIT itself failed). The write
// was made on the master: it is there, and later reads see it, but a
// failover before it reaches a replica can lose it. The sessions middleware
// answers it, like any store error, with a 500.
var ErrNotReplicated = errors.New("redisstore: write not acknowledged by enough replicas")

// waiter runs Redis's WAIT after each write when Options.WaitReplicas is
// set. WAIT counts the replicas that acknowledged the last write of its
// own connection, so it is sent in one pipeline with the write: same
// connection, same round trip.
type waiter struct {
	replicas int           // 0: no WAIT
	timeout  time.Duration // WAIT's own timeout, at most
	// cluster is set for a ClusterClient, whose pipelines send a keyless
	// WAIT to any master, not to the one that took the write: the
	// pipeline goes to the key's master's client directly instead.
	cluster *redis.ClusterClient
}

func newWaiter(client redis.UniversalClient, opts Options) (waiter, error) {
	switch {
	case opts.WaitReplicas < 0:
		return waiter{}, fmt.Errorf("%w: redisstore: WaitReplicas %d is negative", sessions.ErrInvalidConfig, opts.WaitReplicas)
	case opts.WaitTimeout < 0:
		return waiter{}, fmt.Errorf("%w: redisstore: WaitTimeout %v is negative", sessions.ErrInvalidConfig, opts.WaitTimeout)
	case opts.WaitReplicas == 0:
		return waiter{}, nil
	}
	w := waiter{replicas: opts.WaitReplicas, timeout: opts.WaitTimeout}
	if w.timeout == 0 {
		w.timeout = DefaultWaitTimeout
	}
	switch c := client.(type) {
	case *redis.ClusterClient:
		w.cluster = c
	case *redis.Ring:
		// A Ring shards by key on the client side; nothing routes a
		// keyless WAIT to the shard that took the write.
		return waiter{}, fmt.Errorf("%w: redisstore: WaitReplicas is not supported with a *redis.Ring", sessions.ErrInvalidConfig)
	}
	return w, nil
}

// process runs cmd, a write of key k. With WaitReplicas set it then waits
// for the replicas and returns an error wrapping ErrNotReplicated when too
// few acknowledged a write that was made. It returns cmd's own error when
// cmd failed, and nil when cmd succeeded without writing (a condition that
// did not hold): the caller reads cmd's value.
func (s *Store) process(ctx context.Context, k string, cmd redis.Cmder) error {
	if s.wait.replicas == 0 {
		return s.client.Process(ctx, cmd)
	}
	var pipe redis.Pipeliner
	if s.wait.cluster != nil {
		node, err := s.wait.cluster.MasterForKey(ctx, k)
		if err != nil {
			cmd.SetErr(err)
			return err
		}
		pipe = node.Pipeline()
	} else {
		pipe = s.client.Pipeline()
	}
	ms := s.wait.millis(ctx)
	wait := redis.NewIntCmd(ctx, "wait", s.wait.replicas, ms)
	_ = pipe.Process(ctx, cmd)
	_ = pipe.Process(ctx, wait)
	_, _ = pipe.Exec(ctx) // each command carries its own error
	if err := cmd.Err(); err != nil {
		// A redirection here went around the ClusterClient, which would
		// have reloaded its slot map: call does that (see reloading).
		return err
	}
	if !wrote(cmd) {
		return nil
	}
	n, err := wait.Result()
	if err != nil {
		return fmt.Errorf("%w: WAIT: %w", ErrNotReplicated, err)
	}
	if n < int64(s.wait.replicas) {
		return fmt.Errorf("%w: %d of %d replicas acknowledged within %dms", ErrNotReplicated, n, s.wait.replicas, ms)
	}
	return nil
}

// write runs cmd through process and returns it, carrying process's error.
func write[C redis.Cmder](s *Store, ctx context.Context, k string, cmd C) C {
	if err := s.process(ctx, k, cmd); err != nil {
		cmd.SetErr(err)
	}
	return cmd
}

// eval runs sc on key k as script.run does, through process so that
// WaitReplicas applies to it.
func (s *Store) eval(ctx context.Context, sc script, k string, args ...any) *redis.Cmd {
	if s.wait.replicas == 0 {
		return sc.run(ctx, s.client, k, args...)
	}
	cmd := redis.NewCmd(ctx, append([]any{"evalsha", sc.sha, 1, k}, args...)...)
	err := s.process(ctx, k, cmd)
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		cmd = redis.NewCmd(ctx, append([]any{"eval", sc.src, 1, k}, args...)...)
		err = s.process(ctx, k, cmd)
	}
	if err != nil {
		cmd.SetErr(err)
	}
	return cmd
}

// wrote reports whether a successful cmd changed its key: SET NX/XX and
// PEXPIRE answer true, DEL a count, the compare-and-set script casOK.
func wrote(cmd redis.Cmder) bool {
	switch c := cmd.(type) {
	case *redis.BoolCmd:
		return c.Val()
	case *redis.IntCmd:
		return c.Val() > 0
	case *redis.Cmd:
		n, err := c.Int64()
		return err == nil && n == casOK
	}
	return true
}

// millis is WAIT's timeout for a call on ctx: WaitTimeout, or less when
// ctx ends sooner, so that the server's count arrives before the deadline
// closes the socket. Never 0, which would make WAIT block for ever.
func (w waiter) millis(ctx context.Context) int64 {
	d := w.timeout
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl) * 3 / 4; left < d {
			d = left
		}
	}
	return max(int64(d/time.Millisecond), 1)
}
