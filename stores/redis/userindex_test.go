package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
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
	for name, connect := range map[string]func(testing.TB) redis.UniversalClient{
		"standalone": func(t testing.TB) redis.UniversalClient { return standalone(t) },
		"cluster":    func(t testing.TB) redis.UniversalClient { return cluster(t) },
	} {
		t.Run(name, func(t *testing.T) {
			c := connect(t) // each skips (or fails under CI) on its own
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
			// The store rounds until up and the script's now down to the
			// millisecond, so the TTL may exceed 3h by a few milliseconds.
			ttl, err := c.PTTL(ctx, key).Result()
			if err != nil || ttl < 2*time.Hour+59*time.Minute || ttl > 3*time.Hour+time.Second {
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

// fakeClock is a store Clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var userSetName = regexp.MustCompile(`^user:[0-9a-f]{32}$`)

// TestUserIndexPruned: every IndexUser drops the entries past the store's
// now, an until already past adds nothing, the set's TTL follows its
// latest entry as the store's clock sees it, and UserKeys drops what has
// passed, down to deleting the set. The set's name is a fixed-length
// digest, even for an id shaped like a hash tag.
func TestUserIndexPruned(t *testing.T) {
	for _, name := range []string{"standalone", "cluster"} {
		t.Run(name, func(t *testing.T) {
			var c redis.UniversalClient
			if name == "cluster" {
				c = cluster(t)
			} else {
				c = standalone(t)
			}
			ctx := t.Context()
			p := testPrefix()
			clock := &fakeClock{now: time.Now().Add(-24 * time.Hour).Truncate(time.Millisecond)} // far from the server's clock: TTLs are relative
			s, err := redisstore.New(c, redisstore.Options{Prefix: p, Clock: clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			user := "{" + newKey(t)[:8] + "}" + strings.Repeat("x", 500)
			t0 := clock.Now()
			a, b, k := newKey(t), newKey(t), newKey(t)
			index := func(key string, until time.Time) {
				t.Helper()
				if err := s.IndexUser(ctx, user, key, until); err != nil {
					t.Fatal(err)
				}
			}
			index(a, t0.Add(time.Second))
			index(b, t0.Add(time.Hour))
			set := findUserSet(t, c, p)(user)
			if !userSetName.MatchString(strings.TrimPrefix(set, p)) {
				t.Fatalf("user set %q: want %suser: and 32 hex digits", set, p)
			}
			members := func() []string {
				t.Helper()
				got, err := c.ZRange(ctx, set, 0, -1).Result()
				if err != nil {
					t.Fatal(err)
				}
				slices.Sort(got)
				return got
			}
			ttlWithin := func(lo, hi time.Duration) {
				t.Helper()
				ttl, err := c.PTTL(ctx, set).Result()
				if err != nil || ttl <= lo || ttl > hi {
					t.Fatalf("set TTL = %v (%v), want in (%v, %v]", ttl, err, lo, hi)
				}
			}
			ttlWithin(59*time.Minute, time.Hour)

			clock.add(2 * time.Second) // a has passed
			index(k, t0.Add(30*time.Minute))
			if got, want := members(), sorted(b, k); !slices.Equal(got, want) {
				t.Fatalf("after IndexUser past a's until: members %v, want %v", got, want)
			}
			ttlWithin(59*time.Minute, time.Hour-2*time.Second)

			index(b, t0) // already past: removed, not added
			if got, want := members(), sorted(k); !slices.Equal(got, want) {
				t.Fatalf("after IndexUser with a past until: members %v, want %v", got, want)
			}

			clock.add(31 * time.Minute) // k has passed too
			if keys, err := s.UserKeys(ctx, user); err != nil || len(keys) != 0 {
				t.Fatalf("UserKeys after every until = %v, %v; want none", keys, err)
			}
			if n, err := c.Exists(ctx, set).Result(); err != nil || n != 0 {
				t.Fatalf("set of a user with no live entry still exists (%d, %v)", n, err)
			}
		})
	}
}

func sorted(keys ...string) []string { slices.Sort(keys); return keys }

// TestGenerationKey: a generation counter has no TTL, and its name is
// the same fixed-length digest as the user's set.
func TestGenerationKey(t *testing.T) {
	c := standalone(t)
	p := testPrefix()
	s := newStore(t, c, p)
	user := "gen " + strings.Repeat("{}", 300)
	if g, err := s.NextGeneration(t.Context(), user); err != nil || g != 1 {
		t.Fatalf("NextGeneration = %d, %v", g, err)
	}
	keys, err := c.Keys(t.Context(), p+"*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys under the prefix: %v, %v; want the one counter", keys, err)
	}
	if !regexp.MustCompile(`^gen:[0-9a-f]{32}$`).MatchString(strings.TrimPrefix(keys[0], p)) {
		t.Fatalf("generation key %q", keys[0])
	}
	if ttl, err := c.PTTL(t.Context(), keys[0]).Result(); err != nil || ttl != -1 {
		t.Fatalf("generation key PTTL = %v, %v; want -1 (no TTL)", ttl, err)
	}
}

// TestUserIndexCrossSlot: at the store's level, a user's entries naming
// records on every master of the cluster are listed, loaded (through
// Load's size bound) and deleted in one call each, with no CROSSSLOT
// error; each master is asked directly afterwards.
func TestUserIndexCrossSlot(t *testing.T) {
	c := cluster(t)
	ctx := t.Context()
	p := testPrefix()
	s, err := redisstore.New(c, redisstore.Options{Prefix: p, MaxRecordSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	user := "cross-" + newKey(t)[:8]
	var keys []string
	slots, masters := map[int64]bool{}, map[string]bool{}
	for range 40 {
		k := newKey(t)
		if err := s.Save(ctx, k, live("data-"+k[:8]), sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
			t.Fatal(err)
		}
		if err := s.IndexUser(ctx, user, k, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		slot, err := c.ClusterKeySlot(ctx, p+k).Result()
		if err != nil {
			t.Fatal(err)
		}
		node, err := c.MasterForKey(ctx, p+k)
		if err != nil {
			t.Fatal(err)
		}
		slots[slot], masters[node.Options().Addr] = true, true
		keys = append(keys, k)
	}
	if len(masters) < 2 {
		t.Fatalf("40 keys on %d master(s): the test proves nothing", len(masters))
	}
	big := newKey(t) // over MaxRecordSize: as good as missing
	if err := c.Set(ctx, p+big, strings.Repeat("b", 65), time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	missing := newKey(t)
	got, err := s.UserKeys(ctx, user)
	if err != nil || !slices.Equal(sorted(got...), sorted(slices.Clone(keys)...)) {
		t.Fatalf("UserKeys = %d keys, %v; want the %d indexed", len(got), err, len(keys))
	}
	ask := append(slices.Clone(keys), missing, big)
	recs, err := s.LoadKeys(ctx, ask)
	if err != nil || len(recs) != len(ask) {
		t.Fatalf("LoadKeys = %d records, %v", len(recs), err)
	}
	for i, k := range keys {
		if string(recs[i].Data) != "data-"+k[:8] || recs[i].Expiry.IsZero() {
			t.Fatalf("LoadKeys[%d] = %q, expiry %v", i, recs[i].Data, recs[i].Expiry)
		}
	}
	if recs[len(keys)].Data != nil || recs[len(keys)+1].Data != nil {
		t.Fatalf("missing / oversized records loaded as %q / %q", recs[len(keys)].Data, recs[len(keys)+1].Data)
	}
	if err := s.DeleteKeys(ctx, ask); err != nil {
		t.Fatalf("DeleteKeys across %d slots: %v", len(slots), err)
	}
	for _, k := range append(keys, big) {
		node, err := c.MasterForKey(ctx, p+k)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := node.Exists(ctx, p+k).Result(); err != nil || n != 0 {
			t.Fatalf("%s still on its master %s after DeleteKeys (%d, %v)", k, node.Options().Addr, n, err)
		}
	}
	t.Logf("%d keys on %d slots, %d masters", len(keys), len(slots), len(masters))
}

// TestDjangoCacheNoUserIndex: a DjangoCache has Store's methods, but
// Django writes sessions there without indexing them, so core must not
// use the index: UserSessions answers ErrNoUserIndex.
func TestDjangoCacheNoUserIndex(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true}) // never dialled
	defer c.Close()
	dc, err := redisstore.NewDjangoCache(c, redisstore.DjangoCacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if dc.HasUserIndex() {
		t.Fatal("DjangoCache.HasUserIndex() = true")
	}
	m, err := sessions.New(sessions.Config{Store: dc, Secret: "django-users-secret-0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.UserSessions(t.Context(), "alice"); !errors.Is(err, sessions.ErrNoUserIndex) {
		t.Fatalf("UserSessions over a DjangoCache = %v, want ErrNoUserIndex", err)
	}
}

// TestUserIndexWaitReplicated: with WaitReplicas the index's writes wait
// for the replica like the store's other writes: one WAIT each on the
// master, and the replica has the write when the call returns.
func TestUserIndexWaitReplicated(t *testing.T) {
	pr := startPair(t)
	s := waitStore(t, pr.master, 1, 2*time.Second)
	ctx := t.Context()
	user := "waited-" + newKey(t)[:8]
	k1, k2 := newKey(t), newKey(t)
	for _, k := range []string{k1, k2} {
		if err := s.Save(ctx, k, live("v"), sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
			t.Fatal(err)
		}
	}
	set, gen := findUserSet(t, pr.master, s.Prefix()), func() string {
		keys, err := pr.master.Keys(ctx, s.Prefix()+"gen:*").Result()
		if err != nil || len(keys) != 1 {
			t.Fatalf("generation keys %v, %v", keys, err)
		}
		return keys[0]
	}
	for _, tc := range []struct {
		name    string
		write   func() error
		replica func() bool // the replica has the write
	}{
		{"IndexUser", func() error { return s.IndexUser(ctx, user, k1, time.Now().Add(time.Hour)) },
			func() bool { return pr.replica.ZScore(ctx, set(user), k1).Err() == nil }},
		{"IndexUser again", func() error { return s.IndexUser(ctx, user, k2, time.Now().Add(time.Hour)) },
			func() bool { return pr.replica.ZCard(ctx, set(user)).Val() == 2 }},
		{"UnindexUser", func() error { return s.UnindexUser(ctx, user, k2) },
			func() bool { return pr.replica.ZCard(ctx, set(user)).Val() == 1 }},
		{"NextGeneration", func() error { _, err := s.NextGeneration(ctx, user); return err },
			func() bool { return pr.replica.Get(ctx, gen()).Val() == "1" }},
		{"DeleteKeys", func() error { return s.DeleteKeys(ctx, []string{k1, k2, newKey(t)}) },
			func() bool { return pr.replica.Exists(ctx, s.Prefix()+k1, s.Prefix()+k2).Val() == 0 }},
	} {
		before := waits(t, pr.master)
		if err := tc.write(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		// The first IndexUser meets NOSCRIPT and runs again as EVAL.
		if n := waits(t, pr.master) - before; n < 1 || n > 2 {
			t.Errorf("%s: %d WAITs on the master, want 1 (2 with NOSCRIPT)", tc.name, n)
		}
		if !tc.replica() {
			t.Errorf("%s: the replica does not have the write when the call returns", tc.name)
		}
	}
}

// TestUserIndexWaitCluster: DeleteKeys across masters sends each master's
// deletes with a WAIT of its own, to that master. The shared cluster has
// no replicas: the call answers ErrNotReplicated, and the deletes are
// made.
func TestUserIndexWaitCluster(t *testing.T) {
	c := cluster(t)
	ctx := t.Context()
	s := waitStore(t, c, 1, 5*time.Millisecond)
	var mu sync.Mutex
	before := map[string]int{}
	if err := c.ForEachMaster(ctx, func(_ context.Context, m *redis.Client) error {
		n := waits(t, m)
		mu.Lock()
		defer mu.Unlock()
		before[m.Options().Addr] = n
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var keys []string
	owners := map[string]bool{}
	for range 20 {
		k := newKey(t)
		if err := c.Set(ctx, s.Prefix()+k, "v", time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
		node, err := c.MasterForKey(ctx, s.Prefix()+k)
		if err != nil {
			t.Fatal(err)
		}
		owners[node.Options().Addr] = true
		keys = append(keys, k)
	}
	if err := s.DeleteKeys(ctx, keys); !errors.Is(err, redisstore.ErrNotReplicated) {
		t.Fatalf("DeleteKeys on a cluster without replicas = %v, want ErrNotReplicated", err)
	}
	for _, k := range keys {
		if n, err := c.Exists(ctx, s.Prefix()+k).Result(); err != nil || n != 0 {
			t.Fatalf("%s not deleted (%d, %v)", k, n, err)
		}
	}
	_ = c.ForEachMaster(ctx, func(_ context.Context, m *redis.Client) error {
		if owners[m.Options().Addr] && waits(t, m) <= before[m.Options().Addr] {
			t.Errorf("master %s owns deleted keys but ran no WAIT", m.Options().Addr)
		}
		return nil
	})
}
