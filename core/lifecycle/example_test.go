package lifecycle_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/lifecycle"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// writer is a minimal adapter's response writer: the session lives in it,
// and the first Write commits.
type writer struct {
	http.ResponseWriter
	r      *http.Request
	lc     lifecycle.Request
	failed bool
}

func (w *writer) Write(p []byte) (int, error) {
	if w.failed {
		return 0, nil
	}
	if err := w.lc.Before(w.Header(), http.StatusOK); err != nil {
		w.failed = true
		w.lc.RenderError(w.ResponseWriter, w.r, err)
		return 0, err
	}
	return w.ResponseWriter.Write(p)
}

// An adapter for a framework that owns its writer embeds a Request.
func Example() {
	m, err := sessions.New(sessions.Config{Store: memstore.New(memstore.Options{})})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec := httptest.NewRecorder()
	w := &writer{ResponseWriter: rec}
	w.r = w.lc.Begin(m, httptest.NewRequest(http.MethodGet, "/", nil))

	// The framework's handler runs with w.r.
	sessions.FromContext(w.r.Context()).Set("visits", 1)
	fmt.Fprint(w, "hello")

	fmt.Println(w.lc.Phase() == lifecycle.Committed, len(rec.Result().Cookies()), rec.Body.String())
	// Output: true 1 hello
}
