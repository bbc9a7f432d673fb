package redisstore

import (
	"context"
	"crypto/sha1"
	"encoding/hex"

	"github.com/redis/go-redis/v9"
)

// casScript replaces KEYS[1] with ARGV[2] for ARGV[3] milliseconds only if
// it still holds ARGV[1]; a TTL of 0 deletes it instead (the new record is
// already expired). It runs atomically on the node that owns the key.
const casScript = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
if v ~= ARGV[1] then return 2 end
if ARGV[3] == '0' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1
`

// Results of casScript.
const (
	casMissing  = 0
	casOK       = 1
	casConflict = 2
)

// script is a Lua script run by its SHA-1 (EVALSHA), with EVAL as the
// fallback when the server has not cached it yet. It builds the command
// itself rather than using redis.Script: the SHA-1 is boxed once here and
// no keys slice is built per call, which saves allocations on every Load
// and Save.
type script struct {
	src any // the source, boxed once
	sha any // its hex SHA-1, boxed once
}

func newScript(src string) script {
	sum := sha1.Sum([]byte(src))
	return script{src: src, sha: hex.EncodeToString(sum[:])}
}

// run runs the script on its single key with args. Scripts touch only that
// key, so they work on Redis Cluster: go-redis routes EVALSHA by its first
// key.
func (sc script) run(ctx context.Context, c redis.UniversalClient, key string, args ...any) *redis.Cmd {
	argv := make([]any, 4, 4+len(args))
	argv[0], argv[1], argv[2], argv[3] = "evalsha", sc.sha, 1, key
	cmd := redis.NewCmd(ctx, append(argv, args...)...)
	if err := c.Process(ctx, cmd); err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		// Script cache empty (restart, SCRIPT FLUSH, failover): EVAL
		// caches the script again on that server.
		argv = make([]any, 4, 4+len(args))
		argv[0], argv[1], argv[2], argv[3] = "eval", sc.src, 1, key
		cmd = redis.NewCmd(ctx, append(argv, args...)...)
		_ = c.Process(ctx, cmd)
	}
	return cmd
}
