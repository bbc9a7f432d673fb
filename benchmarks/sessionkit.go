package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	ginsession "github.com/sessionkit/sessionkit/adapters/gin"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	cookiestore "github.com/sessionkit/sessionkit/stores/cookie"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

// errNoSession means the middleware did not put a session in the request.
var errNoSession = errors.New("benchmarks: no session in the request")

// sessionkitFrameworks lists the frameworks sessionkit is measured with.
func sessionkitFrameworks() []string { return []string{FwGin, FwEcho, FwChi, FwNetHTTP} }

func sessionkitTarget(fw, store string) Target {
	return Target{Framework: fw, Library: LibSessionkit, Store: store, Redis: store == StoreRedis,
		build: func(ctx context.Context, in *Instance) (http.Handler, error) {
			m, err := in.sessionkitManager(ctx, store)
			if err != nil {
				return nil, err
			}
			return sessionkitHandler(fw, m), nil
		}}
}

// sessionkitHandler serves the routes with m on framework fw.
func sessionkitHandler(fw string, m *sessions.Manager) http.Handler {
	switch fw {
	case FwGin:
		return sessionkitGin(m)
	case FwEcho:
		return sessionkitEcho(m)
	case FwChi:
		return sessionkitChi(m)
	}
	return netHTTPHandler(sessionkitHTTPOps(m.Middleware))
}

// sessionkitManager configures a Manager on store the way the README
// shows, with the cookie attributes every library here gets.
func (in *Instance) sessionkitManager(ctx context.Context, store string) (*sessions.Manager, error) {
	return in.sessionkitManagerWith(ctx, store, skTune{})
}

// sessionkitManagerWith is sessionkitManager with the configuration
// changed by tune (features.go).
func (in *Instance) sessionkitManagerWith(ctx context.Context, store string, tune skTune) (*sessions.Manager, error) {
	cfg := sessions.Config{
		Secret: Secret,
		Cookie: sessions.CookieConfig{Name: CookieName, MaxAge: CookieMaxAge},
	}
	switch store {
	case StoreMemory:
		ms := memstore.New(memstore.Options{})
		in.onClose(ms.Close)
		cfg.Store = ms
	case StoreCookie, StoreCookieEnc:
		var o cookiestore.Options
		if store == StoreCookieEnc {
			o.EncryptionKeys = [][]byte{[]byte(EncryptionKey)}
		}
		cs, err := cookiestore.New(o)
		if err != nil {
			return nil, err
		}
		cfg.ClientStore = cs
	case StoreRedis:
		c, err := in.redisClient(ctx)
		if err != nil {
			return nil, err
		}
		ro := redisstore.Options{Prefix: in.redisPrefix()}
		if tune.redis != nil {
			tune.redis(&ro)
		}
		rs, err := redisstore.New(c, ro)
		if err != nil {
			return nil, err
		}
		cfg.Store = rs
	case StoreGorm:
		db, err := in.sqlite()
		if err != nil {
			return nil, err
		}
		gs, err := gormstore.New(db, gormstore.Options{})
		if err != nil {
			return nil, err
		}
		in.onClose(gs.Close)
		if err := gs.Migrate(ctx); err != nil {
			return nil, err
		}
		cfg.Store = gs
	case StorePostgres:
		gs, err := in.postgresStore(ctx)
		if err != nil {
			return nil, err
		}
		cfg.Store = gs
	default:
		return nil, fmt.Errorf("unknown store %q", store)
	}
	if tune.config != nil {
		tune.config(&cfg)
	}
	return sessions.New(cfg)
}

// skSeed, skUser, skVisits and skIncr are the session work of the routes.
func skSeed(s *sessions.Session) error {
	if s == nil {
		return errNoSession
	}
	s.Set(UserKey, UserValue)
	s.Set(VisitsKey, VisitsStart)
	return nil
}

func skUser(s *sessions.Session) (string, error) {
	if s == nil {
		return "", errNoSession
	}
	return s.GetString(UserKey), nil
}

func skVisits(s *sessions.Session) (int, error) {
	if s == nil {
		return 0, errNoSession
	}
	return s.GetInt(VisitsKey), nil
}

func skIncr(s *sessions.Session) error {
	if s == nil {
		return errNoSession
	}
	s.Set(VisitsKey, s.GetInt(VisitsKey)+1)
	return nil
}

// sessionkitHTTPOps serves sessionkit behind a net/http middleware (core's
// own, or the chi adapter).
func sessionkitHTTPOps(mw func(http.Handler) http.Handler) httpOps {
	get := func(r *http.Request) *sessions.Session { return sessions.FromContext(r.Context()) }
	return httpOps{
		wrap:   mw,
		seed:   func(_ http.ResponseWriter, r *http.Request) error { return skSeed(get(r)) },
		user:   func(_ http.ResponseWriter, r *http.Request) (string, error) { return skUser(get(r)) },
		visits: func(_ http.ResponseWriter, r *http.Request) (int, error) { return skVisits(get(r)) },
		incr:   func(_ http.ResponseWriter, r *http.Request) error { return skIncr(get(r)) },
	}
}

func sessionkitGin(m *sessions.Manager) http.Handler {
	return ginHandler(ginOps{
		mw:     []gin.HandlerFunc{ginsession.Middleware(m)},
		seed:   func(c *gin.Context) error { return skSeed(ginsession.From(c)) },
		user:   func(c *gin.Context) (string, error) { return skUser(ginsession.From(c)) },
		visits: func(c *gin.Context) (int, error) { return skVisits(ginsession.From(c)) },
		incr:   func(c *gin.Context) error { return skIncr(ginsession.From(c)) },
	})
}
