package adaptertest_test

import (
	"net/http"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/adaptertest"
)

// The table checks itself against core's own net/http middleware, the
// reference every adapter must match.
func TestRunNetHTTP(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T, m *sessions.Manager, routes adaptertest.Routes) http.Handler {
		mux := http.NewServeMux()
		for _, rt := range routes {
			mux.HandleFunc("GET "+rt.Path, adaptertest.NetHTTP(t, rt))
		}
		return m.Middleware(mux)
	})
}
