package benchmarks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// redisOptions parses the instance's Redis URL.
func (in *Instance) redisOptions() (*redis.Options, error) {
	o, err := redis.ParseURL(in.opts.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	return o, nil
}

// redisPrefix returns the key prefix of this instance: every Redis key it
// writes starts with it, so Close can remove them all.
func (in *Instance) redisPrefix() string {
	if in.prefix == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		in.prefix = "sessionkit-bench:" + in.Target.Name() + ":" + hex.EncodeToString(b[:]) + ":"
	}
	return in.prefix
}

// redisClient returns a go-redis client for the instance; Close deletes
// the instance's keys and closes it.
func (in *Instance) redisClient(ctx context.Context) (*redis.Client, error) {
	o, err := in.redisOptions()
	if err != nil {
		return nil, err
	}
	o.ContextTimeoutEnabled = true // redisstore.New requires it
	c := redis.NewClient(o)
	if err := c.Ping(ctx).Err(); err != nil {
		return nil, fmt.Errorf("redis: %w", errors.Join(err, c.Close()))
	}
	prefix := in.redisPrefix()
	in.onClose(func() error {
		defer c.Close()
		return DeletePrefix(context.Background(), c, prefix)
	})
	return c, nil
}

// DeletePrefix deletes every key that starts with prefix.
func DeletePrefix(ctx context.Context, c redis.UniversalClient, prefix string) error {
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("redis scan: %w", err)
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		if err := c.Del(ctx, keys[:n]...).Err(); err != nil {
			return fmt.Errorf("redis del: %w", err)
		}
		keys = keys[n:]
	}
	return nil
}
