package redisstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
)

// TestUserIndexCluster: one user's sessions on every master of the
// cluster are listed, loaded and revoked through the user's set, which
// lives on one slot.
func TestUserIndexCluster(t *testing.T) {
	c := cluster(t)
	s := newStore(t, c, testPrefix())
	m, err := sessions.New(sessions.Config{Store: s, Secret: "cluster-users-secret-0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	user := "spread-" + newKey(t)[:8]
	masters := map[string]bool{}
	keys := map[string]bool{}
	for i := range 24 {
		sess := m.Open(ctx, "")
		if err := sess.SetUser(user, sessions.Device{UserAgent: fmt.Sprint("ua", i)}); err != nil {
			t.Fatal(err)
		}
		if err := sess.Save(); err != nil {
			t.Fatal(err)
		}
		keys[sess.Key()] = true
		node, err := c.MasterForKey(ctx, s.Prefix()+sess.Key())
		if err != nil {
			t.Fatal(err)
		}
		masters[node.String()] = true
	}
	if len(masters) < 2 {
		t.Fatalf("24 sessions landed on %d master(s): the test proves nothing", len(masters))
	}
	list, err := m.UserSessions(ctx, user)
	if err != nil || len(list) != 24 {
		t.Fatalf("UserSessions = %d, %v; want 24 across %d masters", len(list), err, len(masters))
	}
	for _, us := range list {
		if us.Expiry.IsZero() {
			t.Fatalf("listed %+v without its expiry (LoadKeys pipelines PTTL)", us)
		}
	}
	n, err := m.RevokeUser(ctx, user)
	if err != nil || n != 24 {
		t.Fatalf("RevokeUser = %d, %v; want 24", n, err)
	}
	for k := range keys {
		if ok, err := s.Exists(ctx, k); err != nil || ok {
			t.Fatalf("revoked session still exists (%v, %v)", ok, err)
		}
	}
}

// TestUserIndexBounded: the user's set expires with its latest entry and
// sheds entries past their until whenever it is written or listed.
func TestUserIndexBounded(t *testing.T) {
	for name, c := range map[string]redis.UniversalClient{"standalone": standalone(t), "cluster": cluster(t)} {
		t.Run(name, func(t *testing.T) {
			p := testPrefix()
			s := newStore(t, c, p)
			ctx := t.Context()
			user := "bounded-" + newKey(t)[:8]
			set := findUserSet(t, c, p)
			past, soon, later := newKey(t), newKey(t), newKey(t)
			now := time.Now()
			for k, until := range map[string]time.Time{past: now.Add(-time.Minute), soon: now.Add(time.Hour), later: now.Add(3 * time.Hour)} {
				if err := s.IndexUser(ctx, user, k, until); err != nil {
					t.Fatal(err)
				}
			}
			key := set(user)
			if n, err := c.ZCard(ctx, key).Result(); err != nil || n != 2 {
				t.Fatalf("the set holds %d entries (%v), want 2: the past one dropped on the next write", n, err)
			}
			ttl, err := c.PTTL(ctx, key).Result()
			if err != nil || ttl < 2*time.Hour+59*time.Minute || ttl > 3*time.Hour {
				t.Fatalf("the set's TTL is %v (%v), want its latest entry's until, about 3h", ttl, err)
			}
			if err := s.UnindexUser(ctx, user, soon, later); err != nil {
				t.Fatal(err)
			}
			if n, err := c.Exists(ctx, key).Result(); err != nil || n != 0 {
				t.Fatalf("an emptied set still exists (%d, %v)", n, err)
			}
		})
	}
}

// findUserSet returns how the store names a user's set: found by
// scanning for the one key under the prefix that is not a session.
func findUserSet(t *testing.T, c redis.UniversalClient, prefix string) func(user string) string {
	return func(user string) string {
		t.Helper()
		var found []string
		scan := func(node *redis.Client) {
			it := node.Scan(t.Context(), 0, prefix+"user:*", 100).Iterator()
			for it.Next(t.Context()) {
				found = append(found, it.Val())
			}
		}
		switch cc := c.(type) {
		case *redis.ClusterClient:
			_ = cc.ForEachMaster(t.Context(), func(_ context.Context, n *redis.Client) error { scan(n); return nil })
		case *redis.Client:
			scan(cc)
		}
		if len(found) != 1 {
			t.Fatalf("found %d user sets under the prefix, want 1: %v", len(found), found)
		}
		return found[0]
	}
}
