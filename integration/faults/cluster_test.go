//go:build linux

package faults_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sessions "github.com/sessionkit/sessionkit/core"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

// nodeTimeout is the private cluster's cluster-node-timeout: how long a
// master must be silent before its replica takes over.
const nodeTimeout = 1000 * time.Millisecond

// failoverLimit bounds a replica's promotion after its master is killed:
// nodeTimeout, the failure report, and an election delay of up to a few
// seconds.
const failoverLimit = 30 * time.Second

// cluster is a private Redis Cluster of three masters with one replica
// each.
type cluster struct {
	nodes []*server
	ctl   map[string]*redis.Client // a plain client per node, by address
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	cli := requireBinary(t, "redis-cli")
	c := &cluster{ctl: map[string]*redis.Client{}}
	for range 6 {
		s := redisServer(t, t.TempDir(), "--appendonly", "no",
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", strconv.Itoa(int(nodeTimeout/time.Millisecond)),
			"--cluster-port", strconv.Itoa(freePort(t)),
			// A returning node resyncs at once, not after 5s.
			"--repl-diskless-sync-delay", "0")
		c.nodes = append(c.nodes, s)
		ctl := redis.NewClient(&redis.Options{Addr: s.redisAddr(), ContextTimeoutEnabled: true, MaxRetries: -1})
		t.Cleanup(func() { _ = ctl.Close() })
		c.ctl[s.redisAddr()] = ctl
	}
	run(t, nil, append(append([]string{cli, "--cluster", "create"}, c.addrs()...),
		"--cluster-replicas", "1", "--cluster-yes")...)
	c.waitHealthy(t)
	return c
}

func (c *cluster) addrs() []string {
	var out []string
	for _, s := range c.nodes {
		out = append(out, s.redisAddr())
	}
	return out
}

func (c *cluster) node(addr string) *server {
	for _, s := range c.nodes {
		if s.redisAddr() == addr {
			return s
		}
	}
	return nil
}

// clusterNode is one line of CLUSTER NODES.
type clusterNode struct {
	id, addr, master string // master: the id a replica follows, "-" for a master
	flags            []string
	connected        bool
	slots            []string
}

func (n clusterNode) is(flag string) bool { return slices.Contains(n.flags, flag) }

// view returns CLUSTER NODES as seen by addr.
func (c *cluster) view(ctx context.Context, addr string) ([]clusterNode, error) {
	out, err := c.ctl[addr].ClusterNodes(ctx).Result()
	if err != nil {
		return nil, err
	}
	var ns []clusterNode
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			return nil, fmt.Errorf("CLUSTER NODES line %q", line)
		}
		ns = append(ns, clusterNode{
			id: f[0], addr: strings.SplitN(f[1], "@", 2)[0], flags: strings.Split(f[2], ","),
			master: f[3], connected: f[7] == "connected", slots: f[8:],
		})
	}
	return ns, nil
}

// healthy reports why the cluster is not, as every node sees it: three
// masters with slots, each followed by one linked replica, no failure
// flags, cluster_state ok.
func (c *cluster) healthy(ctx context.Context) error {
	for _, addr := range c.addrs() {
		info, err := c.ctl[addr].ClusterInfo(ctx).Result()
		if err != nil {
			return fmt.Errorf("%s: %w", addr, err)
		}
		if !strings.Contains(info, "cluster_state:ok") {
			return fmt.Errorf("%s: cluster_state not ok", addr)
		}
		ns, err := c.view(ctx, addr)
		if err != nil {
			return fmt.Errorf("%s: %w", addr, err)
		}
		masters, replicas := 0, map[string]int{}
		for _, n := range ns {
			if n.is("fail") || n.is("fail?") || n.is("handshake") || n.is("noaddr") || !n.connected {
				return fmt.Errorf("%s sees %s as %v", addr, n.addr, n.flags)
			}
			if n.is("master") && len(n.slots) > 0 {
				masters++
			}
			if n.is("slave") {
				replicas[n.master]++
			}
		}
		if masters != 3 || len(replicas) != 3 {
			return fmt.Errorf("%s sees %d masters with slots and replicas of %d", addr, masters, len(replicas))
		}
		if n, ok := self(ns); ok && n.is("master") {
			if err := c.replicates(ctx, addr, n.slots); err != nil {
				return err
			}
		}
		r, err := c.ctl[addr].Info(ctx, "replication").Result()
		if err != nil {
			return fmt.Errorf("%s: %w", addr, err)
		}
		// Both ends: after a sync a master counts its replica (for WAIT,
		// too) only from the replica's first ACK.
		switch {
		case strings.Contains(r, "role:slave") && !strings.Contains(r, "master_link_status:up"):
			return fmt.Errorf("%s: replication link down", addr)
		case strings.Contains(r, "role:master") && strings.Count(r, "state=online") != 1:
			return fmt.Errorf("%s: not one replica online", addr)
		}
	}
	return nil
}

func self(ns []clusterNode) (clusterNode, bool) {
	for _, n := range ns {
		if n.is("myself") {
			return n, true
		}
	}
	return clusterNode{}, false
}

// replicates checks that a write on the master at addr is acknowledged by
// its replica: a replica that has just synced does not answer WAIT for
// about a second, though both ends report the link up.
func (c *cluster) replicates(ctx context.Context, addr string, slots []string) error {
	lo, hi := slotRange(slots[0])
	ctl := c.ctl[addr]
	for i := 0; ; i++ {
		key := "sessionkit-probe-" + strconv.Itoa(i)
		slot, err := ctl.ClusterKeySlot(ctx, key).Result()
		if err != nil {
			return err
		}
		if slot < lo || slot > hi {
			continue
		}
		var n *redis.IntCmd
		_, err = ctl.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, key, i, time.Minute)
			n = redis.NewIntCmd(ctx, "wait", 1, 100)
			return p.Process(ctx, n)
		})
		if err != nil || n.Val() != 1 {
			return fmt.Errorf("%s: a write acknowledged by %d replicas, %v", addr, n.Val(), err)
		}
		return nil
	}
}

// slotRange parses "lo-hi" or "slot" of CLUSTER NODES.
func slotRange(r string) (lo, hi int64) {
	a, b, _ := strings.Cut(r, "-")
	lo, _ = strconv.ParseInt(a, 10, 64)
	hi = lo
	if b != "" {
		hi, _ = strconv.ParseInt(b, 10, 64)
	}
	return lo, hi
}

func (c *cluster) waitHealthy(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), failoverLimit)
	defer cancel()
	if err := waitReady(ctx, c.healthy); err != nil {
		t.Fatalf("cluster not healthy after %v: %v", failoverLimit, err)
	}
}

// masterWithReplica returns a master that owns slots and its replica, as
// the first node sees them.
func (c *cluster) masterWithReplica(t *testing.T) (master, replica clusterNode) {
	t.Helper()
	ns, err := c.view(t.Context(), c.addrs()[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ns {
		if !m.is("master") || len(m.slots) == 0 {
			continue
		}
		for _, r := range ns {
			if r.is("slave") && r.master == m.id {
				return m, r
			}
		}
	}
	t.Fatalf("no master with a replica in %v", ns)
	return
}

var waitCalls = regexp.MustCompile(`(?m)^cmdstat_wait:calls=(\d+)`)

// waits returns how many WAIT commands each node has run.
func (c *cluster) waits(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for addr, ctl := range c.ctl {
		info, err := ctl.Info(t.Context(), "commandstats").Result()
		if err != nil {
			t.Fatal(err)
		}
		if m := waitCalls.FindStringSubmatch(info); m != nil {
			out[addr], _ = strconv.Atoi(m[1])
		}
	}
	return out
}

// TestClusterFailover kills a master of a private cluster (3 masters, 3
// replicas) under an HTTP load, first with the store's default
// asynchronous replication, then with WaitReplicas 1: the sessions in the
// dead master's slots fail with 500s within the bound and work again once
// its replica is promoted. Acknowledged writes lost in the failover are
// counted: reported without WAIT (Redis replication is asynchronous), none
// allowed with it.
func TestClusterFailover(t *testing.T) {
	requireEnv(t, "SESSIONKIT_REDIS_CLUSTER")
	c := startCluster(t)
	// Warm up: process-wide goroutines started once are not leaks.
	{
		cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.addrs(), ContextTimeoutEnabled: true})
		store, err := redisstore.New(cc, redisstore.Options{Prefix: "sessionkit-failover:" + randHex() + ":"})
		if err != nil {
			t.Fatal(err)
		}
		site := newSite(t, store)
		site.do("POST", "/write?k=warm", "")
		site.close()
		_ = cc.Close()
	}
	before := settledGoroutines(0)
	for _, tc := range []struct {
		name string
		wait int
	}{
		{"async", 0},
		{"wait-1", 1},
	} {
		t.Run(tc.name, func(t *testing.T) { failover(t, c, tc.wait) })
	}
	// Each round closed its client, store and HTTP server; go-redis's
	// slot-map reloads that the store asked for must have ended too.
	after := settledGoroutines(before)
	stacks := make([]byte, 1<<20)
	stacks = stacks[:runtime.Stack(stacks, true)]
	t.Run("goroutines", func(t *testing.T) {
		t.Logf("goroutines: %d before, %d after the failovers", before, after)
		if after > before {
			t.Errorf("%d goroutines left behind:\n%s", after-before, stacks)
		}
	})
}

func failover(t *testing.T, c *cluster, wait int) {
	c.waitHealthy(t)
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.addrs(), ContextTimeoutEnabled: true})
	defer cc.Close()
	prefix := "sessionkit-failover:" + randHex() + ":"
	store, err := redisstore.New(cc, redisstore.Options{Prefix: prefix, OpTimeout: opTimeout,
		WaitReplicas: wait, WaitTimeout: opTimeout * 2 / 3})
	if err != nil {
		t.Fatal(err)
	}
	if wait > 0 {
		waitRouting(t, c, cc, store)
	}
	site := newSite(t, store)
	defer site.close()

	l := startLoad(site, 6, 6)
	stopped := false
	defer func() {
		if !stopped {
			l.stop()
		}
	}()
	if !l.waitFor(20*time.Second, func(rs []result) bool { return summarise(rs, time.Time{}, time.Time{}).ok >= 36*3 }) {
		t.Fatal("the load did not get going before the fault")
	}

	master, replica := c.masterWithReplica(t)
	victim := c.node(master.addr)
	// The sessions in the victim's slots. The slot of a session key is
	// asked of a node that stays up; keys are hashed client-side by
	// go-redis the same way.
	slotOf := map[string]int64{}
	inVictim := func(cookie string) bool {
		if cookie == "" {
			return false
		}
		slot, ok := slotOf[cookie]
		if !ok {
			key := prefix + strings.TrimPrefix(cookie, sessions.DefaultCookieName+"=")
			n, err := c.ctl[replica.addr].ClusterKeySlot(context.Background(), key).Result()
			if err != nil {
				t.Fatalf("CLUSTER KEYSLOT: %v", err)
			}
			slot, slotOf[cookie] = n, n
		}
		for _, r := range master.slots {
			if lo, hi := slotRange(r); slot >= lo && slot <= hi {
				return true
			}
		}
		return false
	}
	// Those the load has before the kill must all work again.
	affected := map[string]bool{}
	for _, r := range l.snapshot() {
		if inVictim(r.cookie) {
			affected[r.cookie] = true
		}
	}
	if len(affected) == 0 {
		t.Fatalf("none of the sessions is in the slots %v of %s", master.slots, master.addr)
	}

	// How far the replica is behind when its master dies: what an
	// asynchronous failover can lose.
	// (The master's INFO shows only the replica's last ACK, sent once a
	// second; the replica's own offset is what it has applied.)
	mi, merr := c.ctl[master.addr].Info(t.Context(), "replication").Result()
	ri, rerr := c.ctl[replica.addr].Info(t.Context(), "replication").Result()
	if merr == nil && rerr == nil {
		mo, ro := replOffset(mi), replOffset(ri)
		t.Logf("just before the kill: master at replication offset %d, replica at %d (%d bytes behind)", mo, ro, mo-ro)
	}
	victim.kill(t)
	killed := time.Now()
	// Promoted: the replica says it is a master and the cluster is ok.
	ctx, cancel := context.WithTimeout(context.Background(), failoverLimit)
	err = waitReady(ctx, func(ctx context.Context) error {
		role, err := c.ctl[replica.addr].Do(ctx, "role").Slice()
		if err != nil {
			return err
		}
		if len(role) == 0 || role[0] != "master" {
			return errors.New("not promoted yet")
		}
		info, err := c.ctl[replica.addr].ClusterInfo(ctx).Result()
		if err != nil {
			return err
		}
		if !strings.Contains(info, "cluster_state:ok") {
			return errors.New("cluster_state not ok")
		}
		return nil
	})
	cancel()
	promoted := time.Now()
	if err != nil {
		t.Fatalf("replica %s not promoted within %v: %v", replica.addr, failoverLimit, err)
	}
	t.Logf("master %s killed; replica %s promoted after %v", master.addr, replica.addr, promoted.Sub(killed))

	// With WaitReplicas the promoted master has no replica of its own
	// until the killed one comes back as one: none of its writes can be
	// acknowledged meanwhile. Without, its sessions work again at once.
	orphaned, back := promoted, promoted // no success before; back since
	if wait > 0 {
		time.Sleep(time.Second)
		orphaned = time.Now()
		victim.start(t)
		ctx, cancel := context.WithTimeout(context.Background(), failoverLimit)
		err := waitReady(ctx, func(ctx context.Context) error {
			info, err := c.ctl[master.addr].Info(ctx, "replication").Result()
			if err != nil {
				return err
			}
			if !strings.Contains(info, "role:slave") || !strings.Contains(info, "master_link_status:up") {
				return errors.New("not linked as a replica yet")
			}
			return nil
		})
		cancel()
		back = time.Now()
		if err != nil {
			t.Fatalf("the killed master %s did not come back as a replica within %v: %v", master.addr, failoverLimit, err)
		}
		t.Logf("killed master restarted %v after the promotion, linked as a replica after %v more",
			orphaned.Sub(promoted).Round(time.Millisecond), back.Sub(orphaned))
	}

	// Every affected session works again.
	firstBack := func(rs []result) map[string]time.Time {
		out := map[string]time.Time{}
		for _, r := range rs {
			if r.ok() && affected[r.cookie] && r.end.After(orphaned) {
				if t0, ok := out[r.cookie]; !ok || r.end.Before(t0) {
					out[r.cookie] = r.end
				}
			}
		}
		return out
	}
	recovered := l.waitFor(recoveryLimit+bound, func(rs []result) bool { return len(firstBack(rs)) == len(affected) })
	time.Sleep(300 * time.Millisecond)
	rs := l.stop()
	stopped = true

	// Negative: back before the probe saw the replica linked.
	var slowest time.Duration
	for _, at := range firstBack(rs) {
		slowest = max(slowest, at.Sub(back))
	}
	w := summarise(rs, killed, promoted)
	// The dead master's requests that ran entirely while it was down, and
	// (with WaitReplicas) while its successor had no replica.
	count := func(from, to time.Time) (n, ok int) {
		for _, r := range rs {
			if affected[r.cookie] && !r.start.Before(from) && r.end.Before(to) {
				n++
				if r.ok() {
					ok++
				}
			}
		}
		return n, ok
	}
	during, duringOK := count(killed, promoted)
	t.Logf("%d requests, statuses %v, slowest %v; %d of the dead master's sessions: %d requests ran entirely before the promotion, %d of them 2xx; all back within %v",
		w.total, w.statuses, w.slowest, len(affected), during, duringOK, slowest)
	// A 400 is a session that vanished between its load and its save: it
	// can happen only if the failover lost it.
	checkBounded(t, rs, http.StatusInternalServerError, http.StatusBadRequest)
	if during == 0 {
		t.Error("no request of the dead master's sessions ran before the promotion: the test proved nothing")
	}
	if duringOK > 0 {
		t.Errorf("%d requests of the dead master's sessions succeeded before its replica was promoted", duringOK)
	}
	if wait > 0 {
		n, ok := count(promoted, orphaned)
		t.Logf("after the promotion, before a replica was back: %d requests of those sessions, %d of them 2xx", n, ok)
		if n == 0 || ok > 0 {
			t.Errorf("%d of %d requests succeeded while the promoted master had no replica to acknowledge their writes", ok, n)
		}
	}
	if !recovered {
		t.Errorf("%d of %d sessions of the dead master worked again within %v", len(firstBack(rs)), len(affected), recoveryLimit+bound)
	} else if slowest > recoveryLimit {
		t.Errorf("the last session of the dead master worked again %v after it could, want within %v", slowest, recoveryLimit)
	}

	missing, acked := l.lost(t)
	elsewhere := 0
	for _, a := range missing {
		if !inVictim(a.cookie) {
			elsewhere++
		}
	}
	t.Logf("WaitReplicas %d: %d writes acknowledged, %d lost in the failover (%s), %d answered 400",
		wait, acked, len(missing), describeLost(missing, killed), w.statuses[http.StatusBadRequest])
	if elsewhere > 0 {
		t.Errorf("%d acknowledged writes lost in sessions outside the dead master's slots", elsewhere)
	}
	if wait > 0 && (len(missing) > 0 || w.statuses[http.StatusBadRequest] > 0) {
		t.Errorf("with WaitReplicas %d: %d acknowledged writes lost, %d sessions vanished",
			wait, len(missing), w.statuses[http.StatusBadRequest])
	}

	// The killed master comes back as a replica of the promoted one.
	if wait == 0 {
		victim.start(t)
	}
	c.waitHealthy(t)
}

// waitRouting checks that each write's WAIT runs on the master that owns
// the key's slot, and only there, and that the replica has the write when
// the store returns.
func waitRouting(t *testing.T, c *cluster, cc *redis.ClusterClient, store *redisstore.Store) {
	t.Helper()
	ctx := t.Context()
	ns, err := c.view(ctx, c.addrs()[0])
	if err != nil {
		t.Fatal(err)
	}
	replicaOf := map[string]string{} // master address -> its replica's
	byID := map[string]string{}
	for _, n := range ns {
		byID[n.id] = n.addr
	}
	for _, n := range ns {
		if n.is("slave") {
			replicaOf[byID[n.master]] = n.addr
		}
	}
	var mu sync.Mutex
	readers := map[string]*redis.Client{}
	reader := func(addr string) *redis.Client {
		mu.Lock()
		defer mu.Unlock()
		if r, ok := readers[addr]; ok {
			return r
		}
		r := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true,
			OnConnect: func(ctx context.Context, cn *redis.Conn) error { return cn.ReadOnly(ctx).Err() }})
		readers[addr] = r
		return r
	}
	defer func() {
		for _, r := range readers {
			_ = r.Close()
		}
	}()

	before := c.waits(t)
	want := map[string]int{}
	for i := range 30 {
		k, _ := sessions.NewKey()
		node, err := cc.MasterForKey(ctx, store.Prefix()+k)
		if err != nil {
			t.Fatal(err)
		}
		addr := node.Options().Addr
		want[addr]++
		v := fmt.Sprintf("routed-%d", i)
		if err := store.Save(ctx, k, live(v), sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
			t.Fatalf("Save with a replica per master: %v", err)
		}
		if got, err := reader(replicaOf[addr]).Get(ctx, store.Prefix()+k).Result(); err != nil || got != v {
			t.Errorf("replica %s of %s right after the Save: %q, %v; want %q", replicaOf[addr], addr, got, err, v)
		}
	}
	got := map[string]int{}
	for addr, n := range c.waits(t) {
		if d := n - before[addr]; d > 0 {
			got[addr] = d
		}
	}
	t.Logf("WAITs per node for 30 saves: %v", got)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("WAITs per node = %v, want one per save on the key's master: %v", got, want)
	}
}

var replOffsetField = regexp.MustCompile(`(?m)^master_repl_offset:(\d+)`)

// replOffset is master_repl_offset from INFO replication: on a master the
// stream it has produced, on a replica the stream it has applied.
func replOffset(info string) int64 {
	m := replOffsetField.FindStringSubmatch(info)
	if m == nil {
		return -1
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}
