package redisstore_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
)

// startSentinel runs one redis-server in sentinel mode, monitoring the
// standalone server as master "sessionkit", and returns its address. It is
// stopped when t ends.
func startSentinel(t *testing.T, master *redis.Options) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on PATH; the Sentinel smoke test starts its own sentinel")
	}
	host, port, err := net.SplitHostPort(master.Addr)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_, sport, _ := net.SplitHostPort(addr)
	_ = l.Close()

	dir := t.TempDir()
	conf := fmt.Sprintf("port %s\nbind 127.0.0.1\ndir %s\nsentinel monitor sessionkit %s %s 1\nsentinel down-after-milliseconds sessionkit 60000\n",
		sport, dir, host, port)
	if master.Password != "" {
		conf += fmt.Sprintf("sentinel auth-pass sessionkit %s\n", master.Password)
	}
	path := filepath.Join(dir, "sentinel.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, path, "--sentinel")
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})

	sc := redis.NewSentinelClient(&redis.Options{Addr: addr})
	defer sc.Close()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if _, err := sc.GetMasterAddrByName(t.Context(), "sessionkit").Result(); err == nil {
			return addr
		} else if time.Now().After(deadline) {
			t.Fatalf("sentinel on %s did not answer: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSentinel is a smoke test through a Sentinel-backed failover client.
func TestSentinel(t *testing.T) {
	opt, err := redis.ParseURL(requireEnv(t, "SESSIONKIT_REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	addr := startSentinel(t, opt)
	c := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName:    "sessionkit",
		SentinelAddrs: []string{addr},
		Password:      opt.Password,
		DB:            opt.DB,

		ContextTimeoutEnabled: true,
	})
	defer c.Close()
	s := newStore(t, c, testPrefix())
	ctx := t.Context()
	k := newKey(t)
	if err := s.Save(ctx, k, live("v1"), sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
		t.Fatal(err)
	}
	r, err := s.Load(ctx, k)
	if err != nil || string(r.Data) != "v1" {
		t.Fatalf("Load = %q, %v", r.Data, err)
	}
	if err := s.Save(ctx, k, live("v2"), sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: r.Data}); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, k, live("v3"), sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: r.Data}); !errors.Is(err, sessions.ErrConflict) {
		t.Fatalf("stale conditional Save = %v, want ErrConflict", err)
	}
	if err := s.Delete(ctx, k); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Exists(ctx, k); err != nil || ok {
		t.Fatalf("Exists after Delete = %v, %v", ok, err)
	}
}
