package benchmarks

import (
	"io"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
)

// httpOps is what a net/http-style session library does in the routes.
// Libraries that need an explicit save do it inside incr and seed, before
// the body is written, as their documentation says.
type httpOps struct {
	// wrap is the library's middleware; nil for none.
	wrap   func(http.Handler) http.Handler
	seed   func(w http.ResponseWriter, r *http.Request) error
	user   func(w http.ResponseWriter, r *http.Request) (string, error)
	visits func(w http.ResponseWriter, r *http.Request) (int, error)
	incr   func(w http.ResponseWriter, r *http.Request) error
}

// routes returns the handler of each route.
func (o httpOps) routes() map[string]http.HandlerFunc {
	fail := func(w http.ResponseWriter, err error) {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
	chunk := newChunk()
	return map[string]http.HandlerFunc{
		RouteSeed: func(w http.ResponseWriter, r *http.Request) {
			if err := o.seed(w, r); err != nil {
				fail(w, err)
				return
			}
			_, _ = io.WriteString(w, okBody)
		},
		RouteA: func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, okBody)
		},
		RouteB: func(w http.ResponseWriter, r *http.Request) {
			u, err := o.user(w, r)
			if err != nil {
				fail(w, err)
				return
			}
			_, _ = io.WriteString(w, u)
		},
		RouteC: func(w http.ResponseWriter, r *http.Request) {
			if err := o.incr(w, r); err != nil {
				fail(w, err)
				return
			}
			_, _ = io.WriteString(w, okBody)
		},
		RouteVisits: func(w http.ResponseWriter, r *http.Request) {
			n, err := o.visits(w, r)
			if err != nil {
				fail(w, err)
				return
			}
			_, _ = io.WriteString(w, strconv.Itoa(n))
		},
		RouteStream: func(w http.ResponseWriter, r *http.Request) {
			size, err := streamSize(r)
			if err == nil {
				err = o.incr(w, r)
			}
			if err != nil {
				fail(w, err)
				return
			}
			_ = writeStream(w, chunk, size)
		},
	}
}

// netHTTPHandler serves the routes with a switch on the path, the least a
// net/http application does, behind the library's middleware.
func netHTTPHandler(o httpOps) http.Handler {
	rs := o.routes()
	seed, a, b, c, visits, stream := rs[RouteSeed], rs[RouteA], rs[RouteB], rs[RouteC], rs[RouteVisits], rs[RouteStream]
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case RouteA:
			a(w, r)
		case RouteB:
			b(w, r)
		case RouteC:
			c(w, r)
		case RouteSeed:
			seed(w, r)
		case RouteVisits:
			visits(w, r)
		case RouteStream:
			stream(w, r)
		default:
			http.NotFound(w, r)
		}
	})
	if o.wrap != nil {
		h = o.wrap(h)
	}
	return h
}

// chiHandler serves the routes with a chi router, the library's
// middleware installed with Use.
func chiHandler(o httpOps) http.Handler {
	r := chi.NewRouter()
	if o.wrap != nil {
		r.Use(o.wrap)
	}
	for path, h := range o.routes() {
		r.Get(path, h)
	}
	return r
}
