package otelsessions_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	"github.com/sessionkit/sessionkit/core/signing"
)

type (
	djangoer interface{ Django() sessions.Django }
	limiter  interface{ MaxRecordSize() int }
	binder   interface {
		BindUnsigned(*signing.Signer) sessions.Store
	}
)

// The aliases variant (variants_gen_test.go) embeds.
type (
	S = sessions.Store
	T = sessions.Toucher
	E = sessions.ExpiredDeleter
	P = sessions.InProcess
	D = djangoer
	U = binder
	L = limiter
)

// parts are the values variant embeds.
type parts struct {
	S S
	T T
	E E
	P P
	D D
	U U
	L L
}

// djangoSettings stands in for a store that keeps Django's expire_date.
type djangoSettings struct{ dj sessions.Django }

func (d djangoSettings) Django() sessions.Django { return d.dj }

// notInProcess has the InProcess method but answers false.
type notInProcess struct{}

func (notInProcess) InProcess() bool { return false }

// limit is a store's own MaxRecordSize.
type limit int

func (l limit) MaxRecordSize() int { return int(l) }

// binding records the signer core binds an UnsignedStore with, and
// returns bound.
type binding struct {
	bound sessions.Store
	got   **signing.Signer
}

func (b binding) BindUnsigned(sg *signing.Signer) sessions.Store {
	*b.got = sg
	return b.bound
}

// view is what core finds on a store.
type view struct {
	caps      int
	inProcess bool
	django    sessions.Django
	limit     int
	unsigned  bool
}

func viewOf(s sessions.Store) view {
	var v view
	if _, ok := s.(sessions.Toucher); ok {
		v.caps |= 1 << 0
	}
	if _, ok := s.(sessions.ExpiredDeleter); ok {
		v.caps |= 1 << 1
	}
	if p, ok := s.(sessions.InProcess); ok {
		v.caps |= 1 << 2
		v.inProcess = p.InProcess()
	}
	if d, ok := s.(djangoer); ok {
		v.caps |= 1 << 3
		v.django = d.Django()
	}
	if _, ok := s.(sessions.UnsignedStore); ok {
		v.caps |= 1 << 4
		v.unsigned = true
	}
	if l, ok := s.(limiter); ok {
		v.caps |= 1 << 5
		v.limit = l.MaxRecordSize()
	}
	return v
}

// The wrapper shows core exactly the optional interfaces of the store it
// wraps, for every combination, with the wrapped store's answers, and
// core decides alike for both.
func TestWrapStoreKeepsCapabilities(t *testing.T) {
	h := newHarness(t)
	ms := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = ms.Close() })
	dj := djangoSettings{sessions.Django{Version: sessions.Django42, NaiveTime: true, TimeZone: time.FixedZone("X", 3600)}}
	decisions := map[string]bool{}
	for caps := range 1 << numCaps {
		for _, ip := range []sessions.InProcess{ms, notInProcess{}} {
			if caps&(1<<2) == 0 && ip != sessions.InProcess(ms) {
				continue
			}
			var bound *signing.Signer
			inner := variant(caps, parts{S: ms, T: ms, E: ms, P: ip, D: dj, U: binding{bound: ms, got: &bound}, L: limit(4096)})
			t.Run(fmt.Sprintf("caps=%06b/inprocess=%v", caps, ip.InProcess()), func(t *testing.T) {
				want := viewOf(inner)
				if want.caps != caps {
					t.Fatalf("test variant has %06b, want %06b", want.caps, caps)
				}
				wrapped := h.tel.WrapStore(inner)
				if got := viewOf(wrapped); got != want {
					t.Fatalf("wrapped: %+v, want %+v", got, want)
				}
				if u, ok := wrapped.(interface{ Unwrap() sessions.Store }); !ok || u.Unwrap() != inner {
					t.Fatal("Unwrap does not return the wrapped store")
				}
				for _, c := range []struct {
					name string
					cfg  sessions.Config
				}{
					// A store that is not InProcess needs a Secret.
					{"no secret", sessions.Config{Django: dj.dj, MaxRecordSize: 1024}},
					// The store's Django settings must agree with Config's.
					{"other Django", sessions.Config{Secret: testSecret, MaxRecordSize: 1024}},
					// Config may not allow records the store refuses.
					{"over the store's limit", sessions.Config{Secret: testSecret, Django: dj.dj}},
				} {
					c.cfg.Store = inner
					_, errInner := sessions.New(c.cfg)
					c.cfg.Store = wrapped
					_, errWrapped := sessions.New(c.cfg)
					refused := errors.Is(errInner, sessions.ErrInvalidConfig)
					if errors.Is(errWrapped, sessions.ErrInvalidConfig) != refused {
						t.Fatalf("%s: New with the store: %v, with it wrapped: %v", c.name, errInner, errWrapped)
					}
					decisions[c.name+fmt.Sprint(refused)] = true
				}
			})
		}
	}
	// Each check was both passed and failed, so it told the stores apart.
	for _, name := range []string{"no secret", "other Django", "over the store's limit"} {
		if !decisions[name+"true"] || !decisions[name+"false"] {
			t.Errorf("%s: New decided one way only: %v", name, decisions)
		}
	}
	if h.tel.WrapStore(nil) != nil {
		t.Fatal("WrapStore(nil) is not nil")
	}
}

// Core binds an UnsignedStore through the wrapper: the store bound is the
// inner store's, wrapped, so its calls are traced too.
func TestWrapStoreBindsUnsigned(t *testing.T) {
	h := newHarness(t)
	ms := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = ms.Close() })
	var bound *signing.Signer
	inner := variant(1<<4, parts{S: ms, U: binding{bound: ms, got: &bound}})
	m, err := sessions.New(sessions.Config{Store: h.tel.WrapStore(inner), Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	if bound == nil {
		t.Fatal("BindUnsigned was not called with the Manager's signer")
	}
	s := m.Open(t.Context(), "")
	s.Set("a", 1)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	rec, err := ms.Load(t.Context(), s.Key())
	if err != nil || string(rec.Data) != `{"a":1}` {
		t.Fatalf("record %q, %v: want the codec's bytes, unsigned", rec.Data, err)
	}
	if spans := spanNames(h.spans.GetSpans()); !slices.Equal(spans, []string{"sessionkit.store.save"}) {
		t.Fatalf("spans %v, want the bound store's save", spans)
	}
}

// Touch and DeleteExpired pass through the wrapper to the store, each in
// a span of its own.
func TestWrapStoreOptionalCalls(t *testing.T) {
	h := newHarness(t)
	now := time.Unix(1700000000, 0)
	clock := func() time.Time { return now }
	ms := memstore.New(memstore.Options{Clock: clock})
	t.Cleanup(func() { _ = ms.Close() })
	store := h.tel.WrapStore(ms)
	ctx := context.Background()
	key, _ := sessions.NewKey()
	if err := store.Save(ctx, key, sessions.Record{Data: []byte("x"), Expiry: now.Add(time.Minute)}, sessions.Condition{Mode: sessions.CreateOnly}); err != nil {
		t.Fatal(err)
	}
	if err := store.(sessions.Toucher).Touch(ctx, key, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if rec, err := ms.Load(ctx, key); err != nil || !rec.Expiry.Equal(now.Add(time.Hour)) {
		t.Fatalf("Touch did not reach the store: %v %v", rec.Expiry, err)
	}
	now = now.Add(2 * time.Hour)
	if n, err := store.(sessions.ExpiredDeleter).DeleteExpired(ctx); err != nil || n != 1 {
		t.Fatalf("DeleteExpired = %d, %v; want 1", n, err)
	}
	var names []string
	for _, s := range h.spans.GetSpans() {
		names = append(names, s.Name)
	}
	want := []string{"sessionkit.store.save", "sessionkit.store.touch", "sessionkit.store.delete_expired"}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Fatalf("spans %v, want %v", names, want)
	}
}

// capabilities_gen.go and variants_gen_test.go are what the generator
// writes now.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	dir := t.TempDir()
	code, test := filepath.Join(dir, "code.go"), filepath.Join(dir, "test.go")
	out, err := exec.Command(goTool, "run", "gen_capabilities.go", "-code", code, "-test", test).CombinedOutput()
	if err != nil {
		t.Fatalf("generator: %v\n%s", err, out)
	}
	for have, fresh := range map[string]string{"capabilities_gen.go": code, "variants_gen_test.go": test} {
		a, errA := os.ReadFile(have)
		b, errB := os.ReadFile(fresh)
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s is stale (%v, %v): run go generate", have, errA, errB)
		}
	}
}
