package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	ginsession "github.com/sessionkit/sessionkit/adapters/gin"
)

// The contention scenario: many concurrent requests of one user (browser
// tabs, API clients) increment one counter of the same session, as the
// concurrent-writers test of core/storetest does for stores. Every
// library uses the increment its API offers: sessionkit's Session.Incr,
// which survives concurrent saves; the peers' get, add and put, the only
// way their APIs have.

// ContentionTarget is one library on one store under contention: gin,
// with the library's middleware, serving the usual routes.
type ContentionTarget struct {
	Library, Store string
	target         Target
}

// Name is store/library.
func (c ContentionTarget) Name() string { return c.Store + "/" + c.Library }

// MissingEnv is Target.MissingEnv for the target under contention.
func (c ContentionTarget) MissingEnv(o Options) string { return c.target.MissingEnv(o) }

// ContentionTargets lists the targets of the contention scenario. The
// cookie stores are not in it: with the state in the cookie, concurrent
// requests carrying one cookie cannot see each other's writes, whatever
// the library does, so there is nothing to compare.
func ContentionTargets() []ContentionTarget {
	return []ContentionTarget{
		{Library: LibSessionkit, Store: StoreMemory, target: skContentionTarget(StoreMemory)},
		{Library: LibSCS, Store: StoreMemory, target: scsGinTarget(StoreMemory)},
		{Library: LibSessionkit, Store: StoreGorm, target: skContentionTarget(StoreGorm)},
		{Library: LibSessionkit, Store: StorePostgres, target: skContentionTarget(StorePostgres)},
		{Library: LibSessionkit, Store: StoreRedis, target: skContentionTarget(StoreRedis)},
		{Library: LibSCS, Store: StoreRedis, target: scsGinTarget(StoreRedis)},
		{Library: LibGinContrib, Store: StoreRedis, target: ginContribTarget(StoreRedis)},
	}
}

// skContentionTarget is sessionkit on gin, incrementing with Incr.
func skContentionTarget(store string) Target {
	return Target{Framework: FwGin, Library: LibSessionkit, Store: store, Redis: store == StoreRedis, Postgres: store == StorePostgres,
		build: func(ctx context.Context, in *Instance) (http.Handler, error) {
			m, err := in.sessionkitManager(ctx, store)
			if err != nil {
				return nil, err
			}
			return ginHandler(ginOps{
				mw:     []gin.HandlerFunc{ginsession.Middleware(m)},
				seed:   func(c *gin.Context) error { return skSeed(ginsession.From(c)) },
				user:   func(c *gin.Context) (string, error) { return skUser(ginsession.From(c)) },
				visits: func(c *gin.Context) (int, error) { return skVisits(ginsession.From(c)) },
				incr: func(c *gin.Context) error {
					s := ginsession.From(c)
					if s == nil {
						return errNoSession
					}
					s.Incr(VisitsKey, 1)
					return nil
				},
			}), nil
		}}
}

// ContentionResult is what one run of the scenario measured.
type ContentionResult struct {
	Requests int
	Elapsed  time.Duration
	P50, P99 time.Duration
	// Non2xx counts answers other than 2xx.
	Non2xx int
	// Lost counts increments answered 2xx that the final counter does
	// not contain.
	Lost int
}

// RPS is requests per second.
func (r ContentionResult) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// BenchLine formats r as a Go benchmark result line called name.
func (r ContentionResult) BenchLine(name string) string {
	ns := 0.0
	if r.Requests > 0 {
		ns = float64(r.Elapsed.Nanoseconds()) / float64(r.Requests)
	}
	return fmt.Sprintf("%s\t%d\t%.0f ns/op\t%.1f req/s\t%.1f p50-us\t%.1f p99-us\t%d non-2xx\t%d lost-updates",
		name, max(r.Requests, 1), ns, r.RPS(), us(r.P50), us(r.P99), r.Non2xx, r.Lost)
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// StartContention starts t with a session of its own.
func StartContention(ctx context.Context, t ContentionTarget, o Options) (*Instance, error) {
	return Start(ctx, t.target, o)
}

// RunContention sends writers × perWriter concurrent increments of the
// seeded session to in, all carrying the seeded cookie, and reads the
// counter before and after.
func RunContention(ctx context.Context, in *Instance, writers, perWriter int) (ContentionResult, error) {
	if writers < 1 || perWriter < 1 {
		return ContentionResult{}, errors.New("benchmarks: writers and requests must be positive")
	}
	before, err := readVisits(ctx, in)
	if err != nil {
		return ContentionResult{}, fmt.Errorf("counter before: %w", err)
	}
	took := make([]time.Duration, writers*perWriter)
	var (
		mu     sync.Mutex
		non2xx int
		wg     sync.WaitGroup
	)
	start := time.Now()
	for w := range writers {
		wg.Go(func() {
			bad := 0
			rw := NewDiscardWriter()
			req := new(http.Request)
			tmpl := in.Request(ctx, RouteC)
			for i := range perWriter {
				rw.Reset()
				*req = *tmpl
				t0 := time.Now()
				in.Handler.ServeHTTP(rw, req)
				took[w*perWriter+i] = time.Since(t0)
				if rw.Status/100 != 2 {
					bad++
				}
			}
			mu.Lock()
			non2xx += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	res := ContentionResult{Requests: len(took), Elapsed: time.Since(start), Non2xx: non2xx}
	slices.Sort(took)
	res.P50, res.P99 = took[len(took)/2], took[len(took)*99/100]
	after, err := readVisits(ctx, in)
	if err != nil {
		return res, fmt.Errorf("counter after: %w", err)
	}
	res.Lost = before + (res.Requests - res.Non2xx) - after
	return res, nil
}

// readVisits reads the counter of the seeded session.
func readVisits(ctx context.Context, in *Instance) (int, error) {
	rec := httptest.NewRecorder()
	in.Handler.ServeHTTP(rec, in.Request(ctx, RouteVisits))
	if rec.Code != http.StatusOK {
		return 0, fmt.Errorf("status %d", rec.Code)
	}
	n, err := strconv.Atoi(strings.TrimSpace(rec.Body.String()))
	if err != nil {
		return 0, fmt.Errorf("counter %q: %w", rec.Body.String(), err)
	}
	return n, nil
}
