package benchmarks

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	ginsessions "github.com/gin-contrib/sessions"
	gincookie "github.com/gin-contrib/sessions/cookie"
	ginredis "github.com/gin-contrib/sessions/redis"
	"github.com/gin-gonic/gin"
)

// ginContribTarget is github.com/gin-contrib/sessions as its README shows
// it: sessions.Sessions middleware, sessions.Default, an explicit Save.
func ginContribTarget(store string) Target {
	return Target{Framework: FwGin, Library: LibGinContrib, Store: store, Redis: store == StoreRedis,
		build: func(ctx context.Context, in *Instance) (http.Handler, error) {
			var st ginsessions.Store
			switch store {
			case StoreCookie:
				st = gincookie.NewStore([]byte(HashKey))
			case StoreRedis:
				o, err := in.redisOptions()
				if err != nil {
					return nil, err
				}
				rs, err := ginredis.NewStoreWithDB(10, "tcp", o.Addr, o.Username, o.Password, strconv.Itoa(o.DB), []byte(HashKey))
				if err != nil {
					return nil, fmt.Errorf("gin-contrib redis: %w", err)
				}
				if err := ginredis.SetKeyPrefix(rs, in.redisPrefix()); err != nil {
					return nil, err
				}
				// The prefix cleanup needs a go-redis client.
				if _, err := in.redisClient(ctx); err != nil {
					return nil, err
				}
				if inner, err := ginredis.GetRedisStore(rs); err == nil {
					in.onClose(inner.Close)
				}
				st = rs
			default:
				return nil, fmt.Errorf("unknown store %q", store)
			}
			st.Options(ginsessions.Options{
				Path:     "/",
				MaxAge:   int(CookieMaxAge.Seconds()),
				HttpOnly: true,
				SameSite: http.SameSiteLaxMode,
			})
			return ginHandler(ginOps{
				mw: []gin.HandlerFunc{ginsessions.Sessions(CookieName, st)},
				seed: func(c *gin.Context) error {
					s := ginsessions.Default(c)
					s.Set(UserKey, UserValue)
					s.Set(VisitsKey, VisitsStart)
					return s.Save()
				},
				user: func(c *gin.Context) (string, error) {
					u, _ := ginsessions.Default(c).Get(UserKey).(string)
					return u, nil
				},
				visits: func(c *gin.Context) (int, error) {
					n, _ := ginsessions.Default(c).Get(VisitsKey).(int)
					return n, nil
				},
				incr: func(c *gin.Context) error {
					s := ginsessions.Default(c)
					n, _ := s.Get(VisitsKey).(int)
					s.Set(VisitsKey, n+1)
					return s.Save()
				},
			}), nil
		}}
}
