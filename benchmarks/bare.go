package benchmarks

import (
	"context"
	"net/http"
	"sync/atomic"

	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
)

// bareTarget is a framework without sessions: the handler does the same
// work around a counter kept in memory.
func bareTarget(fw string) Target {
	return Target{Framework: fw, Library: LibBare, build: func(context.Context, *Instance) (http.Handler, error) {
		visits := new(atomic.Int64)
		visits.Store(VisitsStart)
		switch fw {
		case FwGin:
			return ginHandler(ginOps{
				seed:   func(*gin.Context) error { return nil },
				user:   func(*gin.Context) (string, error) { return UserValue, nil },
				visits: func(*gin.Context) (int, error) { return int(visits.Load()), nil },
				incr:   func(*gin.Context) error { visits.Add(1); return nil },
			}), nil
		case FwEcho:
			return echoHandler(echoOps{
				seed:   func(echo.Context) error { return nil },
				user:   func(echo.Context) (string, error) { return UserValue, nil },
				visits: func(echo.Context) (int, error) { return int(visits.Load()), nil },
				incr:   func(echo.Context) error { visits.Add(1); return nil },
			}), nil
		}
		ops := httpOps{
			seed:   func(http.ResponseWriter, *http.Request) error { return nil },
			user:   func(http.ResponseWriter, *http.Request) (string, error) { return UserValue, nil },
			visits: func(http.ResponseWriter, *http.Request) (int, error) { return int(visits.Load()), nil },
			incr:   func(http.ResponseWriter, *http.Request) error { visits.Add(1); return nil },
		}
		if fw == FwChi {
			return chiHandler(ops), nil
		}
		return netHTTPHandler(ops), nil
	}}
}
