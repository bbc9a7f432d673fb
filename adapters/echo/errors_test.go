package echosession_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	echosession "github.com/sessionkit/sessionkit/adapters/echo"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/adaptertest"
)

var errPanic = errors.New("handler panicked")

// handled is what the app's HTTPErrorHandler was given.
type handled struct {
	code      int // of an *echo.HTTPError, else 0
	err       error
	committed bool // c.Response().Committed at the call
}

type errorLog struct {
	mu    sync.Mutex
	calls []handled
}

func (l *errorLog) handler(e *echo.Echo) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		h := handled{err: err, committed: c.Response().Committed}
		var he *echo.HTTPError
		if errors.As(err, &he) {
			h.code = he.Code
		}
		l.mu.Lock()
		l.calls = append(l.calls, h)
		l.mu.Unlock()
		e.DefaultHTTPErrorHandler(err, c)
	}
}

func (l *errorLog) get() []handled {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]handled(nil), l.calls...)
}

// TestCommitErrors: a failed commit reaches the app's HTTPErrorHandler as
// an *echo.HTTPError wrapping the store error, on an unwritten response,
// and nothing of the handler's response leaks.
func TestCommitErrors(t *testing.T) {
	loads := func(c echo.Context) { echosession.From(c).GetString("name") }
	writes := func(c echo.Context) { echosession.From(c).Set("name", "bob") }
	cases := []struct {
		name    string
		opts    []echosession.Option
		outer   echo.MiddlewareFunc
		inner   echo.MiddlewareFunc
		fresh   bool // no cookie: nothing loads, so the save fails
		deleted bool // delete the record mid-request instead of taking the store down
		use     func(echo.Context)
		answer  func(echo.Context) error
		// What HTTPErrorHandler must see, in order (codes; 0 = not an HTTPError).
		wantCalls  []int
		wantStatus int
		wantErr    error
	}{
		{name: "load fails, handler writes", use: loads,
			answer:    func(c echo.Context) error { return c.String(http.StatusOK, "leaked") },
			wantCalls: []int{500}, wantStatus: 500, wantErr: adaptertest.ErrDown},
		{name: "load fails, handler returns an error", use: loads,
			answer:    func(echo.Context) error { return echo.ErrForbidden },
			wantCalls: []int{500}, wantStatus: 500, wantErr: adaptertest.ErrDown},
		{name: "save fails, handler writes", fresh: true, use: writes,
			answer:    func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"leaked": "yes"}) },
			wantCalls: []int{500}, wantStatus: 500, wantErr: adaptertest.ErrDown},
		{name: "save fails, handler writes nothing", fresh: true, use: writes,
			answer:    func(echo.Context) error { return nil },
			wantCalls: []int{500}, wantStatus: 500, wantErr: adaptertest.ErrDown},
		{name: "save fails under the error page", fresh: true, use: writes,
			answer:    func(echo.Context) error { return echo.NewHTTPError(http.StatusUnprocessableEntity, "leaked") },
			wantCalls: []int{422, 500}, wantStatus: 500, wantErr: adaptertest.ErrDown},
		{name: "load fails, then panic", outer: middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}),
			use: loads, answer: func(echo.Context) error { panic("leaked") },
			wantCalls: []int{0, 500}, wantStatus: 500, wantErr: adaptertest.ErrDown},
		{name: "load fails, handler writes, then panic", outer: middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}),
			use: loads, answer: func(c echo.Context) error {
				_ = c.String(http.StatusOK, "leaked")
				panic(errPanic)
			},
			wantCalls: []int{0}, wantStatus: 500, wantErr: errPanic},
		{name: "load fails under gzip", inner: middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 1}),
			use: loads, answer: func(c echo.Context) error { return c.String(http.StatusOK, strings.Repeat("leaked ", 100)) },
			wantCalls: []int{500}, wantStatus: 500, wantErr: adaptertest.ErrDown},
		{name: "load fails under WrapMiddleware", inner: echo.WrapMiddleware(tagged),
			use: loads, answer: func(c echo.Context) error { return c.String(http.StatusOK, "leaked") },
			wantCalls: []int{500}, wantStatus: 500, wantErr: adaptertest.ErrDown},
		{name: "WithHTTPError", use: loads,
			opts: []echosession.Option{echosession.WithHTTPError(func(err error) *echo.HTTPError {
				return echo.NewHTTPError(http.StatusServiceUnavailable, "sessions unavailable").WithInternal(err)
			})},
			answer:    func(c echo.Context) error { return c.String(http.StatusOK, "leaked") },
			wantCalls: []int{503}, wantStatus: 503, wantErr: adaptertest.ErrDown},
		{name: "session deleted", deleted: true, use: writes,
			answer:    func(c echo.Context) error { return c.String(http.StatusOK, "leaked") },
			wantCalls: []int{400}, wantStatus: 400, wantErr: sessions.ErrSessionDeleted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := adaptertest.NewStore(t)
			m := adaptertest.NewManager(t, st, nil)
			e := newEcho()
			var log errorLog
			e.HTTPErrorHandler = log.handler(e)
			if tc.outer != nil {
				e.Use(tc.outer)
			}
			e.Use(echosession.Middleware(m, tc.opts...))
			if tc.inner != nil {
				e.Use(tc.inner)
			}
			e.GET("/seed", func(c echo.Context) error {
				echosession.From(c).Set("name", "alice")
				return c.NoContent(http.StatusNoContent)
			})
			e.GET("/", func(c echo.Context) error {
				if tc.deleted {
					s := echosession.From(c)
					s.GetString("name")
					if err := st.Store.Delete(t.Context(), s.Key()); err != nil {
						return err
					}
				}
				tc.use(c)
				return tc.answer(c)
			})
			client := adaptertest.NewClient(t, e)
			seed := client.Get(t, "/seed", "").SetCookies()
			if len(seed) != 1 {
				t.Fatalf("seed cookies %v", seed)
			}
			cookie := seed[0].Name + "=" + seed[0].Value
			if tc.fresh {
				cookie = ""
			}
			st.SetDown(!tc.deleted)

			resp := client.Send(t, http.MethodGet, "/", http.Header{"Cookie": {cookie}, "Accept-Encoding": {"gzip"}})
			if resp.Status != tc.wantStatus || strings.Contains(resp.Body, "leaked") {
				t.Errorf("got %d %q, want %d without the handler's body", resp.Status, resp.Body, tc.wantStatus)
			}
			if enc := resp.Header.Get("Content-Encoding"); enc != "" {
				t.Errorf("the error page claims Content-Encoding %q", enc)
			}
			if len(resp.SetCookies()) != 0 {
				t.Errorf("an error response carries Set-Cookie %q", resp.Header.Values("Set-Cookie"))
			}
			calls := log.get()
			if len(calls) != len(tc.wantCalls) {
				t.Fatalf("HTTPErrorHandler calls %+v, want codes %v", calls, tc.wantCalls)
			}
			for i, want := range tc.wantCalls {
				if calls[i].code != want || calls[i].committed {
					t.Errorf("call %d: code %d committed %v, want code %d on an unwritten response", i, calls[i].code, calls[i].committed, want)
				}
			}
			if last := calls[len(calls)-1]; !errors.Is(last.err, tc.wantErr) {
				t.Errorf("HTTPErrorHandler got %v, want an error wrapping %v", last.err, tc.wantErr)
			}
		})
	}
}

// TestRecovers: after the outage the same server saves again.
func TestRecovers(t *testing.T) {
	st := adaptertest.NewStore(t)
	m := adaptertest.NewManager(t, st, nil)
	e := newEcho()
	e.Use(echosession.Middleware(m))
	e.GET("/", func(c echo.Context) error {
		echosession.From(c).Set("k", "v")
		return c.String(http.StatusOK, "ok")
	})
	client := adaptertest.NewClient(t, e)
	st.SetDown(true)
	if resp := client.Get(t, "/", ""); resp.Status != http.StatusInternalServerError {
		t.Fatalf("store down: status %d", resp.Status)
	}
	st.SetDown(false)
	st.ResetCalls()
	resp := client.Get(t, "/", "")
	if resp.Status != http.StatusOK || resp.Body != "ok" {
		t.Errorf("after the outage: %d %q", resp.Status, resp.Body)
	}
	checkSaved(t, resp, st, true)
}
