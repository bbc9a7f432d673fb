package ginsession_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	ginsession "github.com/sessionkit/sessionkit/adapters/gin"
	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/adaptertest"
)

// TestCommitErrors: a failed commit lands in c.Errors, the response becomes
// the error response, and the handler's own output is dropped.
func TestCommitErrors(t *testing.T) {
	jsonPage := ginsession.WithErrorHandler(func(c *gin.Context, err error) {
		c.JSON(http.StatusServiceUnavailable, gin.H{"error": "sessions unavailable"})
	})
	silentPage := ginsession.WithErrorHandler(func(*gin.Context, error) {})
	teapot := func(cfg *sessions.Config) {
		cfg.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, err error) {
			http.Error(w, "teapot: "+err.Error(), http.StatusTeapot)
		}
	}
	cases := []struct {
		name       string
		opts       []ginsession.Option
		edit       func(*sessions.Config)
		deleted    bool // delete the record mid-request instead of taking the store down
		fresh      bool // send no cookie: nothing loads, so the save is what fails
		handle     gin.HandlerFunc
		wantStatus int
		wantBody   string
		wantErr    error
	}{
		{name: "load fails, default page", handle: func(c *gin.Context) {
			c.String(http.StatusOK, "hello %s", ginsession.From(c).GetString("name"))
		}, wantStatus: 500, wantBody: "Internal Server Error\n", wantErr: adaptertest.ErrDown},
		{name: "load fails, WriteHeaderNow", handle: func(c *gin.Context) {
			ginsession.From(c).GetString("name")
			c.AbortWithStatus(http.StatusAccepted)
		}, wantStatus: 500, wantBody: "Internal Server Error\n", wantErr: adaptertest.ErrDown},
		{name: "load fails, stream keeps writing", handle: func(c *gin.Context) {
			ginsession.From(c).GetString("name")
			n := 0
			c.Stream(func(w io.Writer) bool {
				_, err := io.WriteString(w, "chunk")
				if !errors.Is(err, adaptertest.ErrDown) {
					t.Errorf("write after a failed commit: %v, want the commit error", err)
				}
				n++
				return n < 3
			})
		}, wantStatus: 500, wantBody: "Internal Server Error\n", wantErr: adaptertest.ErrDown},
		{name: "save fails after the chain", fresh: true, handle: func(c *gin.Context) {
			ginsession.From(c).Set("name", "bob")
			c.Abort()
		}, wantStatus: 500, wantBody: "Internal Server Error\n", wantErr: adaptertest.ErrDown},
		{name: "custom page", fresh: true, opts: []ginsession.Option{jsonPage}, handle: func(c *gin.Context) {
			ginsession.From(c).Set("name", "bob")
			c.JSON(http.StatusOK, gin.H{"name": "bob"})
		}, wantStatus: 503, wantBody: `{"error":"sessions unavailable"}`, wantErr: adaptertest.ErrDown},
		{name: "custom page writes nothing", opts: []ginsession.Option{silentPage}, handle: func(c *gin.Context) {
			c.String(http.StatusOK, "hello %s", ginsession.From(c).GetString("name"))
		}, wantStatus: 500, wantBody: "", wantErr: adaptertest.ErrDown},
		{name: "manager's ErrorHandler", edit: teapot, handle: func(c *gin.Context) {
			c.String(http.StatusOK, "hello %s", ginsession.From(c).GetString("name"))
		}, wantStatus: 418, wantBody: "teapot: ", wantErr: adaptertest.ErrDown},
		{name: "session deleted", deleted: true, handle: func(c *gin.Context) {
			ginsession.From(c).Set("name", "revived")
			c.String(http.StatusOK, "saved?")
		}, wantStatus: 400, wantBody: "deleted", wantErr: sessions.ErrSessionDeleted},
		{name: "session deleted, custom page writes nothing", deleted: true, opts: []ginsession.Option{silentPage},
			handle: func(c *gin.Context) {
				ginsession.From(c).Set("name", "revived")
				c.String(http.StatusOK, "saved?")
			}, wantStatus: 400, wantBody: "", wantErr: sessions.ErrSessionDeleted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := adaptertest.NewStore(t)
			m := adaptertest.NewManager(t, st, tc.edit)
			errs := make(chan []*gin.Error, 1)
			r := gin.New()
			r.Use(func(c *gin.Context) {
				c.Next()
				errs <- c.Errors
			})
			r.Use(ginsession.Middleware(m, tc.opts...))
			r.GET("/seed", func(c *gin.Context) {
				ginsession.From(c).Set("name", "alice")
				c.Status(http.StatusNoContent)
			})
			r.GET("/", func(c *gin.Context) {
				if tc.deleted {
					s := ginsession.From(c)
					s.GetString("name")
					if err := st.Store.Delete(t.Context(), s.Key()); err != nil {
						t.Fatal(err)
					}
				}
				tc.handle(c)
			})
			client := adaptertest.NewClient(t, r)
			seed := client.Get(t, "/seed", "").SetCookies()
			<-errs
			if len(seed) != 1 {
				t.Fatalf("seed cookies %v", seed)
			}
			cookie := seed[0].Name + "=" + seed[0].Value
			if tc.fresh {
				cookie = ""
			}
			st.SetDown(!tc.deleted)

			resp := client.Get(t, "/", cookie)
			got := <-errs
			if resp.Status != tc.wantStatus || !strings.Contains(resp.Body, tc.wantBody) || (tc.wantBody == "" && resp.Body != "") {
				t.Errorf("got %d %q, want %d with %q", resp.Status, resp.Body, tc.wantStatus, tc.wantBody)
			}
			if len(resp.SetCookies()) != 0 {
				t.Errorf("an error response carries Set-Cookie %q", resp.Header.Values("Set-Cookie"))
			}
			if len(got) == 0 || !errors.Is(got[0].Err, tc.wantErr) {
				t.Errorf("c.Errors = %v, want %v first", got, tc.wantErr)
			}
		})
	}
}
