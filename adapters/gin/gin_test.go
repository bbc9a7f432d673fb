package ginsession_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/gin-gonic/gin"
	ginsession "github.com/sessionkit/sessionkit/adapters/gin"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/adaptertest"
)

func TestMain(m *testing.M) {
	// Debug mode prints every route to stdout, which Example output checks.
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

// TestBehaviour runs the table every adapter shares.
func TestBehaviour(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T, m *sessions.Manager, routes adaptertest.Routes) http.Handler {
		r := gin.New()
		r.Use(ginsession.Middleware(m))
		for _, rt := range routes {
			r.GET(rt.Path, func(c *gin.Context) {
				status, body := rt.Handle(ginsession.From(c))
				switch rt.Kind {
				case adaptertest.Respond:
					c.String(status, body)
				case adaptertest.Silent:
					c.Abort()
				case adaptertest.Fail:
					c.AbortWithStatus(http.StatusInternalServerError)
				case adaptertest.Stream:
					c.Status(status)
					if err := adaptertest.WriteStream(c.Writer, c.Writer.Flush, c.Request); err != nil {
						t.Error(err)
					}
				}
			})
		}
		return r
	})
}
