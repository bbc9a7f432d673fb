package echosession_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
	echosession "github.com/sessionkit/sessionkit/adapters/echo"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/adaptertest"
)

var errHandler = errors.New("handler failed")

// TestBehaviour runs the table every adapter shares.
func TestBehaviour(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T, m *sessions.Manager, routes adaptertest.Routes) http.Handler {
		e := echo.New()
		e.Use(echosession.Middleware(m))
		for _, rt := range routes {
			e.GET(rt.Path, func(c echo.Context) error {
				status, body := rt.Handle(echosession.From(c))
				switch rt.Kind {
				case adaptertest.Silent:
					return nil
				case adaptertest.Fail:
					return errHandler // HTTPErrorHandler answers 500
				case adaptertest.Stream:
					res := c.Response()
					res.WriteHeader(status)
					return adaptertest.WriteStream(res, res.Flush, c.Request())
				}
				return c.String(status, body)
			})
		}
		return e
	})
}
