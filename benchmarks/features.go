package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	ginsession "github.com/sessionkit/sessionkit/adapters/gin"
	sessions "github.com/sessionkit/sessionkit/core"
	redisstore "github.com/sessionkit/sessionkit/stores/redis"
)

// skTune changes a sessionkit configuration before sessions.New.
type skTune struct {
	config func(*sessions.Config)
	redis  func(*redisstore.Options)
	// user ties the seeded session to a user (Session.SetUser).
	user bool
}

// Features measured by BenchmarkFeatures, each against FeaturePlain on
// the same store in the same round.
const (
	FeaturePlain    = "plain"
	FeatureTimeouts = "timeouts" // idle and absolute timeouts, key renewal
	FeatureEvents   = "events"   // OnEvent with a subscriber that does nothing
	FeatureHashKeys = "hashkeys"
	FeatureUser     = "user" // the session is tied to a user (per-user index where the store has one)
	FeatureAll      = "all"  // all of the above
	FeatureWait     = "wait" // Redis WAIT for one replica after every write
)

// Features lists the features of BenchmarkFeatures, FeaturePlain first.
// FeatureWait is separate: it needs a Redis with a replica.
func Features() []string {
	return []string{FeaturePlain, FeatureTimeouts, FeatureEvents, FeatureHashKeys, FeatureUser, FeatureAll}
}

// RoundTripsUserName names BenchmarkRoundTrips' target whose session is
// tied to a user (FeatureTarget(StoreRedis, FeatureUser)); cmd/report
// reads it under this name.
const RoundTripsUserName = "gin/sessionkit-redis-user"

// FeatureUserName is the user the FeatureUser sessions are tied to.
const FeatureUserName = "user-42"

func featureTune(feature string) (skTune, error) {
	timeouts := func(c *sessions.Config) {
		// Long enough that nothing ends or renews during a run: what is
		// measured is the bookkeeping on every request.
		c.IdleTimeout = 12 * time.Hour
		c.AbsoluteTimeout = 7 * 24 * time.Hour
		c.RenewInterval = 24 * time.Hour
		c.RenewGrace = time.Minute
	}
	events := func(c *sessions.Config) { c.OnEvent = func(context.Context, sessions.Event) {} }
	hash := func(c *sessions.Config) { c.HashKeys = true }
	switch feature {
	case FeaturePlain:
		return skTune{}, nil
	case FeatureTimeouts:
		return skTune{config: timeouts}, nil
	case FeatureEvents:
		return skTune{config: events}, nil
	case FeatureHashKeys:
		return skTune{config: hash}, nil
	case FeatureUser:
		return skTune{user: true}, nil
	case FeatureAll:
		return skTune{user: true, config: func(c *sessions.Config) { timeouts(c); events(c); hash(c) }}, nil
	case FeatureWait:
		return skTune{redis: func(o *redisstore.Options) { o.WaitReplicas = 1; o.WaitTimeout = time.Second }}, nil
	}
	return skTune{}, fmt.Errorf("unknown feature %q", feature)
}

// FeatureTarget is sessionkit on gin and store with feature on. Its name
// is that of the plain target; benchmarks name it by feature.
func FeatureTarget(store, feature string) Target {
	return Target{Framework: FwGin, Library: LibSessionkit, Store: store, Redis: store == StoreRedis,
		build: func(ctx context.Context, in *Instance) (http.Handler, error) {
			tune, err := featureTune(feature)
			if err != nil {
				return nil, err
			}
			m, err := in.sessionkitManagerWith(ctx, store, tune)
			if err != nil {
				return nil, err
			}
			seed := skSeed
			if tune.user {
				seed = func(s *sessions.Session) error {
					if err := skSeed(s); err != nil {
						return err
					}
					return s.SetUser(FeatureUserName, sessions.Device{UserAgent: "bench", IP: "127.0.0.1"})
				}
			}
			return userSessionsRoute(m, ginHandler(ginOps{
				mw:     []gin.HandlerFunc{ginsession.Middleware(m)},
				seed:   func(c *gin.Context) error { return seed(ginsession.From(c)) },
				user:   func(c *gin.Context) (string, error) { return skUser(ginsession.From(c)) },
				visits: func(c *gin.Context) (int, error) { return skVisits(ginsession.From(c)) },
				incr:   func(c *gin.Context) error { return skIncr(ginsession.From(c)) },
			})), nil
		}}
}

// RouteUserSessions, on a feature target, answers with the number of
// live sessions of FeatureUserName the store's per-user index lists, or
// 501 when the store keeps none.
const RouteUserSessions = "/user-sessions"

// userSessionsRoute serves RouteUserSessions in front of next.
func userSessionsRoute(m *sessions.Manager, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != RouteUserSessions {
			next.ServeHTTP(w, r)
			return
		}
		list, err := m.UserSessions(r.Context(), FeatureUserName)
		switch {
		case errors.Is(err, sessions.ErrNoUserIndex):
			http.Error(w, "no per-user index", http.StatusNotImplemented)
		case err != nil:
			http.Error(w, "user sessions failed", http.StatusInternalServerError)
		default:
			fmt.Fprint(w, len(list))
		}
	})
}
