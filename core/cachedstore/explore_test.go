package cachedstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/cachedstore"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// The explorer runs a few operations on one session key concurrently and
// forces every order of their store calls, one call at a time. It also
// decides each cache call's fate: answered, failed without effect, or
// "late": failed for the caller but applied later, at any point the
// explorer chooses (a write held by a frozen cache or a slow network).
// It may also advance the clock past the cache bypass, so the cache comes
// back in the middle. Then, with every late write landed and each store
// swept once the cache answers, it checks the state rule.
//
// A run is one path of choices; runs are replayed from scratch, depth
// first, until every path has been taken.

// errFault is what a failed or late call returns.
var errFault = errors.New("injected fault")

const none = "∅" // the value of a missing record

type verdict int

const (
	proceed verdict = iota
	fail            // error, no effect
	late            // error now, effect when the explorer lands it
	lostAck         // effect now, error (durable writes only)
)

func (v verdict) String() string {
	return [...]string{"ok", "fail", "late", "lost-ack"}[v]
}

// request is a store call waiting for its verdict.
type request struct {
	store string // "cache" or "durable"
	what  string // e.g. "save(update-only)"
	write bool
	reply chan verdict
}

// message is what an operation's goroutine tells the explorer: it is
// waiting on a call, or it has finished.
type message struct {
	op   int
	req  *request
	done bool
	val  string // a read's value
	err  error
}

type opKey struct{}

// gate is a store whose calls, made inside an explored operation, wait
// for the explorer's verdict.
type gate struct {
	w       *world
	name    string
	inner   *memstore.Store
	durable bool
}

func (g *gate) do(ctx context.Context, what string, write bool, apply func(context.Context) error) error {
	op, ok := ctx.Value(opKey{}).(int)
	if !ok {
		return apply(ctx)
	}
	req := &request{store: g.name, what: what, write: write, reply: make(chan verdict)}
	g.w.msgs <- message{op: op, req: req}
	switch <-req.reply {
	case fail:
		return errFault
	case late:
		g.w.mu.Lock()
		g.w.late = append(g.w.late, lateWrite{what: fmt.Sprintf("op%d %s", op, what), apply: apply})
		g.w.mu.Unlock()
		return errFault
	case lostAck:
		_ = apply(context.WithoutCancel(ctx))
		g.w.recordDurable()
		return errFault
	}
	err := apply(ctx)
	if g.durable && write {
		g.w.recordDurable()
	}
	return err
}

func (g *gate) Load(ctx context.Context, k string) (sessions.Record, error) {
	var r sessions.Record
	err := g.do(ctx, "load", false, func(ctx context.Context) error {
		var err error
		r, err = g.inner.Load(ctx, k)
		return err
	})
	return r, err
}

func (g *gate) Save(ctx context.Context, k string, r sessions.Record, c sessions.Condition) error {
	what := "save(" + c.Mode.String() + ")"
	if strings.HasPrefix(string(r.Data), "\x00") {
		what = "lease(" + c.Mode.String() + ")"
	}
	sent := g.w.clock.Now()
	return g.do(ctx, what, true, func(ctx context.Context) error {
		// Like Redis, count the TTL from the write's arrival: a late
		// write lives as long as if it had been on time.
		r := r
		r.Expiry = r.Expiry.Add(g.w.clock.Now().Sub(sent))
		return g.inner.Save(ctx, k, r, c)
	})
}

func (g *gate) Delete(ctx context.Context, k string) error {
	return g.do(ctx, "delete", true, func(ctx context.Context) error { return g.inner.Delete(ctx, k) })
}

func (g *gate) Exists(ctx context.Context, k string) (bool, error) {
	var ok bool
	err := g.do(ctx, "exists", false, func(ctx context.Context) error {
		var err error
		ok, err = g.inner.Exists(ctx, k)
		return err
	})
	return ok, err
}

type lateWrite struct {
	what  string
	apply func(context.Context) error
}

// fakeClock is the time of one world, shared by its stores.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now().Truncate(time.Second)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Every backoff a run can reach (32 × 1s) is over after recoverAfter;
// copies (5 minutes) are not.
const recoverAfter = 40 * time.Second

const exploreKey = "explorekey0123456789abcdefghijkl"

// op is one operation of a scenario.
type op struct {
	name    string
	inst    int   // the store instance it runs on
	after   []int // it starts, when the explorer chooses, after these are done
	write   bool
	healthy bool // its cache calls always get an answer
	run     func(ctx context.Context, s *cachedstore.Store) (string, error)
}

func loadOp(name string, inst int, after ...int) op {
	return op{name: name, inst: inst, after: after, run: func(ctx context.Context, s *cachedstore.Store) (string, error) {
		r, err := s.Load(ctx, exploreKey)
		if err != nil {
			return none, err
		}
		return string(r.Data), nil
	}}
}

func saveOp(name string, inst int, data string, cond sessions.Condition, after ...int) op {
	return op{name: name, inst: inst, after: after, write: true, run: func(ctx context.Context, s *cachedstore.Store) (string, error) {
		return "", s.Save(ctx, exploreKey, sessions.Record{Data: []byte(data), Expiry: clockOf(ctx).Now().Add(time.Hour)}, cond)
	}}
}

func deleteOp(name string, inst int, after ...int) op {
	return op{name: name, inst: inst, after: after, write: true, run: func(ctx context.Context, s *cachedstore.Store) (string, error) {
		return "", s.Delete(ctx, exploreKey)
	}}
}

type clockKey struct{}

func clockOf(ctx context.Context) *fakeClock { return ctx.Value(clockKey{}).(*fakeClock) }

// scenario is what one exploration runs.
type scenario struct {
	name      string
	instances int
	initial   string // durable data at the start; none for no record
	cached    bool   // the cache starts with a copy of initial
	ops       []op
	faults    int  // at most this many failed, late or lost-ack calls per run
	durable   bool // durable writes may lose their acknowledgement
	ticks     int  // times the clock may jump past the bypass mid-run
}

// world is the state of one run.
type world struct {
	t       *testing.T
	sc      *scenario
	clock   *fakeClock
	cache   *memstore.Store
	durable *memstore.Store
	stores  []*cachedstore.Store
	msgs    chan message

	mu   sync.Mutex // guards late, written by operations
	late []lateWrite

	now     int // logical time: one tick per event
	history []change
	log     []logEntry // formatted only when a check fails
	stuck   chan struct{}
}

type logEntry struct {
	format string
	args   []any
}

func (w *world) logf(format string, args ...any) { w.log = append(w.log, logEntry{format, args}) }

func (w *world) path() string {
	var b strings.Builder
	for _, e := range w.log {
		fmt.Fprintf(&b, e.format+"\n", e.args...)
	}
	return b.String()
}

// change is a durable value and the logical time it took effect.
type change struct {
	at  int
	val string
}

func (w *world) recordDurable() {
	r, err := w.durable.Load(context.Background(), exploreKey)
	v := none
	if err == nil {
		v = string(r.Data)
	}
	if w.history[len(w.history)-1].val != v {
		w.history = append(w.history, change{w.now, v})
	}
}

func (w *world) valueAt(at int) string {
	v := none
	for _, c := range w.history {
		if c.at > at {
			break
		}
		v = c.val
	}
	return v
}

func newWorld(t *testing.T, sc *scenario) *world {
	w := &world{t: t, sc: sc, clock: newFakeClock(), msgs: make(chan message), stuck: make(chan struct{})}
	w.cache = memstore.New(memstore.Options{Clock: w.clock.Now})
	w.durable = memstore.New(memstore.Options{Clock: w.clock.Now})
	ctx := context.Background()
	w.history = []change{{0, none}}
	if sc.initial != none {
		rec := sessions.Record{Data: []byte(sc.initial), Expiry: w.clock.Now().Add(time.Hour)}
		if err := w.durable.Save(ctx, exploreKey, rec, create); err != nil {
			t.Fatal(err)
		}
		w.history[0].val = sc.initial
		if sc.cached {
			cp := sessions.Record{Data: rec.Data, Expiry: w.clock.Now().Add(cachedstore.DefaultMaxCacheTTL)}
			if err := w.cache.Save(ctx, exploreKey, cp, create); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range sc.instances {
		w.stores = append(w.stores, w.newStore(t))
	}
	return w
}

func (w *world) newStore(t *testing.T) *cachedstore.Store {
	s, err := cachedstore.New(
		&gate{w: w, name: "cache", inner: w.cache},
		&gate{w: w, name: "durable", inner: w.durable, durable: true},
		cachedstore.Options{
			Clock:        w.clock.Now,
			CacheTimeout: -1, // the explorer's waits must not time out
			OnCacheError: func(string, error) {},
		})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// choice is one decision of a run: which of n enabled events was taken.
type choice struct{ chosen, n int }

// opState tracks one operation (scenario ops, then one recovery per
// instance) through a run.
type opState struct {
	op         op
	started    bool
	done       bool
	start, end int
	req        *request
	val        string
	err        error
	faulted    bool // a fault was injected into one of its durable calls
}

type event struct {
	kind string // grant, land, tick, start
	i    int    // op or late write index
	v    verdict
}

// runOnce runs one path: the choices in prefix, then the first enabled
// event at each further step. It returns every choice made.
func runOnce(t *testing.T, sc *scenario, prefix []int) []choice {
	w := newWorld(t, sc)
	watchdog := time.AfterFunc(30*time.Second, func() { close(w.stuck) })
	defer watchdog.Stop()
	ops := make([]*opState, 0, len(sc.ops)+sc.instances)
	for _, o := range sc.ops {
		ops = append(ops, &opState{op: o})
	}
	// After every scenario op: recovery, with the cache back for good.
	regular := len(ops)
	for i := range sc.instances {
		deps := make([]int, regular)
		for j := range deps {
			deps[j] = j
		}
		ops = append(ops, &opState{op: op{name: fmt.Sprintf("recover%d", i), inst: i, after: deps, healthy: true,
			run: func(ctx context.Context, s *cachedstore.Store) (string, error) { return "", s.Sweep(ctx) }}})
	}

	var trace []choice
	faults, ticks, recovered := 0, 0, false
	// await takes the next message of op i, which is the only one running.
	await := func(i int) {
		select {
		case m := <-w.msgs:
			if m.op != i {
				t.Fatalf("message from op %d while op %d runs", m.op, i)
			}
			st := ops[i]
			if m.done {
				st.done, st.end, st.val, st.err = true, w.now, m.val, m.err
				w.logf("%d: %s returns %q, %v", w.now, st.op.name, m.val, m.err)
				return
			}
			st.req = m.req
		case <-w.stuck:
			t.Fatalf("op %s is stuck outside a store call; path so far:\n%s", ops[i].op.name, w.path())
		}
	}
	launch := func(i int) {
		st := ops[i]
		st.started, st.start = true, w.now
		ctx := context.WithValue(context.WithValue(context.Background(), opKey{}, i), clockKey{}, w.clock)
		s := w.stores[st.op.inst]
		go func() {
			v, err := st.op.run(ctx, s)
			w.msgs <- message{op: i, done: true, val: v, err: err}
		}()
		await(i)
	}
	// startReady starts, in order, every operation whose predecessors
	// are done: a read after a logout starts the moment it returns.
	startReady := func() {
		for i := 0; i < len(ops); i++ {
			st := ops[i]
			if st.started {
				continue
			}
			ready := true
			for _, d := range st.op.after {
				ready = ready && ops[d].done
			}
			if !ready {
				continue
			}
			if i >= regular && !recovered {
				// The first recovery: the cache is back, the bypass over.
				recovered = true
				w.clock.Advance(recoverAfter)
				w.logf("%d: clock +%v, cache back", w.now, recoverAfter)
			}
			w.logf("%d: start %s", w.now, st.op.name)
			launch(i)
			i = -1 // it may have finished already: look again
		}
	}
	startReady()

	for {
		var enabled []event
		for i, st := range ops {
			if st.req == nil {
				continue
			}
			enabled = append(enabled, event{"grant", i, proceed})
			if st.op.healthy || faults >= sc.faults {
				continue
			}
			switch {
			case st.req.store == "cache":
				enabled = append(enabled, event{"grant", i, fail})
				// A delete landing late can only empty the entry.
				if st.req.write && st.req.what != "delete" {
					enabled = append(enabled, event{"grant", i, late})
				}
			case sc.durable && st.req.write:
				enabled = append(enabled, event{"grant", i, lostAck})
			}
		}
		w.mu.Lock()
		nlate := len(w.late)
		w.mu.Unlock()
		for i := range nlate {
			enabled = append(enabled, event{"land", i, 0})
		}
		if faults > 0 && ticks < sc.ticks && !recovered {
			enabled = append(enabled, event{"tick", 0, 0})
		}
		if len(enabled) == 0 {
			break
		}
		c := 0
		if len(trace) < len(prefix) {
			c = prefix[len(trace)]
		}
		trace = append(trace, choice{c, len(enabled)})
		w.now++
		e := enabled[c]
		switch e.kind {
		case "grant":
			st := ops[e.i]
			req := st.req
			st.req = nil
			if e.v != proceed {
				faults++
				if req.store == "durable" {
					st.faulted = true
				}
			}
			w.logf("%d: %s: %s %s → %v", w.now, st.op.name, req.store, req.what, e.v)
			req.reply <- e.v
			await(e.i)
		case "land":
			w.mu.Lock()
			lw := w.late[e.i]
			w.late = append(w.late[:e.i:e.i], w.late[e.i+1:]...)
			w.mu.Unlock()
			err := lw.apply(context.Background())
			w.logf("%d: late %s lands: %v", w.now, lw.what, err)
		case "tick":
			ticks++
			w.clock.Advance(recoverAfter)
			w.logf("%d: clock +%v", w.now, recoverAfter)
		}
		startReady()
	}
	w.check(ops, regular)
	return trace
}

// check asserts the state rule on a finished run.
func (w *world) check(ops []*opState, regular int) {
	t := w.t
	fatal := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s: %s\npath:\n%s\ndurable history: %v", w.sc.name, fmt.Sprintf(format, args...), w.path(), w.history)
	}
	for _, st := range ops[:regular] {
		err := st.err
		ok := err == nil ||
			(!st.op.write && errors.Is(err, sessions.ErrNotFound)) ||
			(st.op.write && (errors.Is(err, sessions.ErrNotFound) || errors.Is(err, sessions.ErrConflict))) ||
			(st.faulted && errors.Is(err, errFault))
		if !ok {
			fatal("%s returned %v", st.op.name, err)
		}
		if st.op.write {
			continue
		}
		// A read returns what the durable store held at some instant
		// from the end of the last write that had returned before the
		// read began, to the read's own end: never anything older.
		last := 0
		for _, o := range ops[:regular] {
			if o.op.write && o.done && o.end < st.start && o.end > last {
				last = o.end
			}
		}
		allowed := map[string]bool{w.valueAt(last): true}
		for _, c := range w.history {
			if c.at > last && c.at <= st.end {
				allowed[c.val] = true
			}
		}
		if !allowed[st.val] {
			fatal("%s (from %d to %d) read %q; the durable store held %v from %d on", st.op.name, st.start, st.end, st.val, keys(allowed), last)
		}
	}
	for _, st := range ops[regular:] {
		if st.err != nil {
			fatal("%s: Sweep = %v with the cache back", st.op.name, st.err)
		}
	}
	// Everything has landed and every store has swept: each store, and
	// a new one (another process, or this one restarted), reads what the
	// durable store holds, and the cache holds no other copy.
	want := w.history[len(w.history)-1].val
	ctx := context.Background()
	stores := append(w.stores[:len(w.stores):len(w.stores)], w.newStore(t))
	for i, s := range stores {
		if n := s.Pending(); n != 0 {
			fatal("store %d still has %d pending keys", i, n)
		}
		got := none
		if r, err := s.Load(ctx, exploreKey); err == nil {
			got = string(r.Data)
		} else if !errors.Is(err, sessions.ErrNotFound) {
			fatal("final Load on store %d: %v", i, err)
		}
		if got != want {
			fatal("final Load on store %d = %q, the durable store holds %q", i, got, want)
		}
	}
	if r, err := w.cache.Load(ctx, exploreKey); err == nil && !strings.HasPrefix(string(r.Data), "\x00") && string(r.Data) != want {
		fatal("the cache holds %q, the durable store %q", r.Data, want)
	}
}

func keys(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// explore runs every path of sc and returns how many there were.
func explore(t *testing.T, sc *scenario) int {
	var prefix []int
	for runs := 1; ; runs++ {
		trace := runOnce(t, sc, prefix)
		i := len(trace) - 1
		for i >= 0 && trace[i].chosen == trace[i].n-1 {
			i--
		}
		if i < 0 {
			return runs
		}
		prefix = prefix[:0]
		for _, c := range trace[:i] {
			prefix = append(prefix, c.chosen)
		}
		prefix = append(prefix, trace[i].chosen+1)
	}
}

func TestExploreStateRule(t *testing.T) {
	v1 := sessions.Condition{Mode: sessions.UpdateIfUnchanged, Loaded: []byte("v1")}
	scenarios := []scenario{
		{
			// Logout racing a save of the same session, cache warm; a
			// read with the old cookie after the logout.
			name: "flush races save", instances: 1, initial: "v1", cached: true,
			ops: []op{
				saveOp("save", 0, "v2", v1),
				deleteOp("flush", 0),
				loadOp("old-cookie", 0, 1),
			},
			faults: 2, ticks: 1,
		},
		{
			// The same with a cold cache and a read filling it meanwhile:
			// every order, no faults (one fault makes this 300,000 runs).
			name: "flush races save and fill", instances: 1, initial: "v1",
			ops: []op{
				loadOp("fill", 0),
				saveOp("save", 0, "v2", v1),
				deleteOp("flush", 0),
				loadOp("old-cookie", 0, 2),
			},
		},
		{
			// A fill racing a logout through a failing cache.
			name: "flush races fill", instances: 1, initial: "v1",
			ops: []op{
				loadOp("fill", 0),
				deleteOp("flush", 0),
				loadOp("old-cookie", 0, 1),
			},
			faults: 2, ticks: 1,
		},
		{
			// A write while the cache fails, a read racing it that may
			// fill with the older data, and a read after it.
			name: "write during outage", instances: 1, initial: "v1", cached: true,
			ops: []op{
				saveOp("save", 0, "v2", v1),
				loadOp("racing-read", 0),
				loadOp("read-after", 0, 0),
			},
			faults: 2, ticks: 1,
		},
		{
			// Two unconditional writes racing, then a read.
			name: "saves race", instances: 1, initial: "v1", cached: true,
			ops: []op{
				saveOp("save-a", 0, "va", update),
				saveOp("save-b", 0, "vb", update),
				loadOp("read-after", 0, 0, 1),
			},
			faults: 1, ticks: 1,
		},
		{
			// The durable delete answers with an error but happened.
			name: "flush loses its ack", instances: 1, initial: "v1", cached: true,
			ops: []op{
				loadOp("racing-read", 0),
				deleteOp("flush", 0),
				loadOp("old-cookie", 0, 1),
			},
			faults: 2, durable: true, ticks: 1,
		},
		{
			// The durable save answers with an error but happened.
			name: "save loses its ack", instances: 1, initial: "v1", cached: true,
			ops: []op{
				saveOp("save", 0, "v2", v1),
				loadOp("read-after", 0, 0),
			},
			faults: 2, durable: true, ticks: 1,
		},
		{
			// Two processes: one saves through a failing cache, the other
			// logs out with a healthy one, and both read afterwards.
			name: "two processes", instances: 2, initial: "v1", cached: true,
			ops: []op{
				saveOp("save@0", 0, "v2", v1),
				{name: "flush@1", inst: 1, write: true, healthy: true, run: deleteOp("", 1).run},
				{name: "old-cookie@1", inst: 1, after: []int{1}, healthy: true, run: loadOp("", 1).run},
				loadOp("old-cookie@0", 0, 0, 1),
			},
			faults: 2, ticks: 1,
		},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			if testing.Short() {
				// About 80,000 runs in all take a minute with -race on two
				// cores; -short keeps one fault per run.
				sc.faults = min(sc.faults, 1)
			}
			n := explore(t, &sc)
			t.Logf("%d interleavings explored", n)
		})
	}
}
