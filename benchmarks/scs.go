package benchmarks

import (
	"context"
	"fmt"
	"net/http"

	"github.com/alexedwards/scs/goredisstore"
	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
)

// scsTarget is github.com/alexedwards/scs/v2 on net/http as its README
// shows it: LoadAndSave around the handler, Get*/Put in it.
func scsTarget(store string) Target {
	return Target{Framework: FwNetHTTP, Library: LibSCS, Store: store, Redis: store == StoreRedis,
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
			sm.Lifetime = CookieMaxAge
			sm.Cookie.Name = CookieName
			sm.Cookie.Path = "/"
			sm.Cookie.HttpOnly = true
			sm.Cookie.SameSite = http.SameSiteLaxMode
			sm.Cookie.Persist = true
			sm.Cookie.Secure = false
			return netHTTPHandler(httpOps{
				wrap: sm.LoadAndSave,
				seed: func(_ http.ResponseWriter, r *http.Request) error {
					sm.Put(r.Context(), UserKey, UserValue)
					sm.Put(r.Context(), VisitsKey, VisitsStart)
					return nil
				},
				user: func(_ http.ResponseWriter, r *http.Request) (string, error) {
					return sm.GetString(r.Context(), UserKey), nil
				},
				visits: func(_ http.ResponseWriter, r *http.Request) (int, error) {
					return sm.GetInt(r.Context(), VisitsKey), nil
				},
				incr: func(_ http.ResponseWriter, r *http.Request) error {
					ctx := r.Context()
					sm.Put(ctx, VisitsKey, sm.GetInt(ctx, VisitsKey)+1)
					return nil
				},
			}), nil
		}}
}
