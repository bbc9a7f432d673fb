package adaptertest_test

import (
	"io"
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
			mux.HandleFunc("GET "+rt.Path, func(w http.ResponseWriter, r *http.Request) {
				status, body := rt.Handle(sessions.FromContext(r.Context()))
				switch rt.Kind {
				case adaptertest.Respond:
					w.WriteHeader(status)
					_, _ = io.WriteString(w, body)
				case adaptertest.Silent:
				case adaptertest.Fail:
					http.Error(w, "fail", http.StatusInternalServerError)
				case adaptertest.Stream:
					w.WriteHeader(status)
					rc := http.NewResponseController(w)
					if err := adaptertest.WriteStream(w, func() { _ = rc.Flush() }, r); err != nil {
						t.Error(err)
					}
				}
			})
		}
		return m.Middleware(mux)
	})
}
