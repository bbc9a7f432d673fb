package benchmarks

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

// ginOps is what a gin session library does in the routes. Libraries that
// need an explicit save do it inside incr and seed.
type ginOps struct {
	mw     []gin.HandlerFunc
	seed   func(*gin.Context) error
	user   func(*gin.Context) (string, error)
	visits func(*gin.Context) (int, error)
	incr   func(*gin.Context) error
}

// ginHandler returns a gin engine without gin's default logger and
// recovery middleware, serving the routes behind the library's middleware.
func ginHandler(o ginOps) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.Use(o.mw...)
	fail := func(c *gin.Context, err error) { c.String(http.StatusInternalServerError, err.Error()) }
	chunk := newChunk()
	e.GET(RouteSeed, func(c *gin.Context) {
		if err := o.seed(c); err != nil {
			fail(c, err)
			return
		}
		c.String(http.StatusOK, okBody)
	})
	e.GET(RouteA, func(c *gin.Context) { c.String(http.StatusOK, okBody) })
	e.GET(RouteB, func(c *gin.Context) {
		u, err := o.user(c)
		if err != nil {
			fail(c, err)
			return
		}
		c.String(http.StatusOK, u)
	})
	e.GET(RouteC, func(c *gin.Context) {
		if err := o.incr(c); err != nil {
			fail(c, err)
			return
		}
		c.String(http.StatusOK, okBody)
	})
	e.GET(RouteVisits, func(c *gin.Context) {
		n, err := o.visits(c)
		if err != nil {
			fail(c, err)
			return
		}
		c.String(http.StatusOK, strconv.Itoa(n))
	})
	e.GET(RouteStream, func(c *gin.Context) {
		size, err := streamSize(c.Request)
		if err == nil {
			err = o.incr(c)
		}
		if err != nil {
			fail(c, err)
			return
		}
		c.Status(http.StatusOK)
		_ = writeStream(c.Writer, chunk, size)
	})
	return e
}
