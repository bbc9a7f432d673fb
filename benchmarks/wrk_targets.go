package benchmarks

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/alexedwards/scs/goredisstore"
	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/gin-gonic/gin"
)

// E2ETargets are the configurations only the wrk runs (cmd/e2e) serve,
// beside Targets: scs has no gin middleware, so there it wraps the gin
// engine, as its README does for routers other than net/http's; and
// sessionkit on PostgreSQL, which needs a server.
func E2ETargets() []Target {
	return []Target{scsGinTarget(StoreRedis), PostgresTarget(FwGin)}
}

// LookupE2E returns the target called name among Targets and
// E2ETargets.
func LookupE2E(name string) (Target, bool) {
	if t, ok := Lookup(name); ok {
		return t, true
	}
	ts := E2ETargets()
	i := slices.IndexFunc(ts, func(t Target) bool { return t.Name() == name })
	if i < 0 {
		return Target{}, false
	}
	return ts[i], true
}

// scsGinTarget is scs around a gin engine, on its memstore or its
// go-redis store.
func scsGinTarget(store string) Target {
	return Target{Framework: FwGin, Library: LibSCS, Store: store, Redis: store == StoreRedis,
		build: func(ctx context.Context, in *Instance) (http.Handler, error) {
			sm := scs.New()
			switch store {
			case StoreMemory:
				// No cleanup goroutine: nothing expires during a run.
				sm.Store = memstore.NewWithCleanupInterval(0)
			case StoreRedis:
				c, err := in.redisClient(ctx)
				if err != nil {
					return nil, err
				}
				sm.Store = goredisstore.NewWithPrefix(c, in.redisPrefix())
			default:
				return nil, fmt.Errorf("unknown store %q", store)
			}
			configureSCS(sm)
			h := ginHandler(ginOps{
				seed: func(c *gin.Context) error {
					ctx := c.Request.Context()
					sm.Put(ctx, UserKey, UserValue)
					sm.Put(ctx, VisitsKey, VisitsStart)
					return nil
				},
				user: func(c *gin.Context) (string, error) {
					return sm.GetString(c.Request.Context(), UserKey), nil
				},
				visits: func(c *gin.Context) (int, error) {
					return sm.GetInt(c.Request.Context(), VisitsKey), nil
				},
				incr: func(c *gin.Context) error {
					ctx := c.Request.Context()
					sm.Put(ctx, VisitsKey, sm.GetInt(ctx, VisitsKey)+1)
					return nil
				},
			})
			return sm.LoadAndSave(h), nil
		}}
}

// configureSCS gives sm the cookie attributes every library here gets.
func configureSCS(sm *scs.SessionManager) {
	sm.Lifetime = CookieMaxAge
	sm.Cookie.Name = CookieName
	sm.Cookie.Path = "/"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Persist = true
	sm.Cookie.Secure = false
}
