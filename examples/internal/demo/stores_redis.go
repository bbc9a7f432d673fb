package demo

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

// openRedis connects to the Redis at url (redis://[user:pass@]host:port/db)
// and checks that it answers.
func (o *openedStore) openRedis(ctx context.Context, url string) (*redisstore.Store, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parsing the Redis URL: %w", err)
	}
	opts.ContextTimeoutEnabled = true // honour request deadlines; redisstore.New requires it
	client := redis.NewClient(opts)
	o.closers = append(o.closers, client.Close)
	if err := client.Ping(ctx).Err(); err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", opts.Addr, err)
	}
	return redisstore.New(client, redisstore.Options{})
}
