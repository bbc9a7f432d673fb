package redisstore

import (
	"context"
	"errors"
	"io"
	"net"

	"github.com/redis/go-redis/v9"
)

// clusterOf returns client as a ClusterClient, or nil.
func clusterOf(client redis.UniversalClient) *redis.ClusterClient {
	c, _ := client.(*redis.ClusterClient)
	return c
}

// reloading wraps f so that an error after which c's slot map may be out
// of date makes c reload it. go-redis reloads the map on a MOVED reply,
// but a master that died answers nothing: its slots' commands keep going
// to its address, after its replica was promoted, until the map's age
// passes ClusterOptions.ClusterStateReloadInterval (a minute by default).
// The reload runs in the background and go-redis coalesces concurrent
// requests for it.
func reloading[T any](c *redis.ClusterClient, f func(context.Context) (T, error)) func(context.Context) (T, error) {
	return func(ctx context.Context) (T, error) {
		v, err := f(ctx)
		if err != nil && stale(err) {
			c.ReloadState(ctx)
		}
		return v, err
	}
}

// stale reports an error after which a slot map may be out of date: a
// redirection, a master turned replica, a cluster without quorum, or a
// node that did not answer (refused, reset, closed, timed out). Answers
// of the store contract, other server replies and cancellations are not.
func stale(err error) bool {
	if _, ok := redis.IsMovedError(err); ok {
		return true
	}
	if _, ok := redis.IsAskError(err); ok {
		return true
	}
	if redis.IsReadOnlyError(err) || redis.IsClusterDownError(err) || redis.IsTryAgainError(err) || redis.IsMasterDownError(err) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded)
}
