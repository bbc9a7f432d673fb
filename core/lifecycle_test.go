package sessions_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/lifecycle"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// logBuffer is a concurrency-safe slog destination for assertions.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func withLog(buf *logBuffer) func(*sessions.Config) {
	return func(c *sessions.Config) { c.Logger = slog.New(slog.NewTextHandler(buf, nil)) }
}

func TestMissingMiddlewareNamesTheFix(t *testing.T) {
	f := newFixture(t, nil)
	for name, get := range map[string]func(*http.Request){
		"FromContext":         func(r *http.Request) { sessions.FromContext(r.Context()) },
		"Manager.FromContext": func(r *http.Request) { f.m.FromContext(r.Context()) },
	} {
		t.Run(name, func(t *testing.T) {
			var msg string
			func() {
				defer func() { msg, _ = recover().(string) }()
				get(httptest.NewRequest(http.MethodGet, "/", nil))
			}()
			if !strings.Contains(msg, "m.Middleware") || !strings.Contains(msg, "ginsession.Middleware(m)") {
				t.Fatalf("panic %q does not name the fix", msg)
			}
		})
	}
}

// A change after the first body byte cannot be saved: it is logged once,
// Save and CycleKey say so, and nothing is written.
func TestLateWriteIsReported(t *testing.T) {
	var logs logBuffer
	f := newFixture(t, withLog(&logs))
	var saveErr, cycleErr error
	resp := f.serve(t, "", func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		_, _ = io.WriteString(w, "body first")
		s.Set("cart", "late")
		s.Set("other", "late too")
		saveErr = s.Save()
		cycleErr = s.CycleKey()
	})
	if sessionCookie(t, resp) != nil || f.store.saves.Load() != 0 {
		t.Errorf("late write reached the client or the store: %v, %d saves", resp.Header["Set-Cookie"], f.store.saves.Load())
	}
	if !errors.Is(saveErr, sessions.ErrCommitted) || !errors.Is(cycleErr, sessions.ErrCommitted) {
		t.Errorf("Save %v, CycleKey %v, want ErrCommitted", saveErr, cycleErr)
	}
	got := logs.String()
	if strings.Count(got, "after the response was committed") != 1 || !strings.Contains(got, "key=cart") {
		t.Errorf("log = %q, want one report naming the key", got)
	}
}

// A handler calling Save (a gorilla habit) costs one write, and the cookie
// still goes out; a change after that Save is written at the commit.
func TestSaveInHandlerWritesOnce(t *testing.T) {
	for _, tt := range []struct {
		name      string
		after     bool // change the session again after Save
		wantSaves int32
	}{
		{"save only", false, 1},
		{"change after save", true, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			resp := f.serve(t, "", func(w http.ResponseWriter, r *http.Request) {
				s := sessions.FromContext(r.Context())
				s.Set("a", 1)
				if err := s.Save(); err != nil {
					t.Error(err)
				}
				if tt.after {
					s.Set("b", 2)
				}
			})
			c := sessionCookie(t, resp)
			if c == nil || f.store.saves.Load() != tt.wantSaves {
				t.Fatalf("cookie %v, %d saves, want a cookie and %d", c, f.store.saves.Load(), tt.wantSaves)
			}
			if got := f.m.Open(t.Context(), c.Value).Len(); got != 1+btoi(tt.after) {
				t.Errorf("stored %d keys", got)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The default error handler logs the store error (so an outage shows on
// every framework) and answers with a generic body.
func TestDefaultErrorHandlerLogs(t *testing.T) {
	var logs logBuffer
	f := newFixture(t, withLog(&logs))
	key := f.seed(t, map[string]any{"user": "alice"})
	f.store.down.Store(true)
	resp := f.serve(t, sessions.DefaultCookieName+"="+key, setUser)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || strings.Contains(string(body), "down") {
		t.Errorf("status %d, body %q: want a generic 500", resp.StatusCode, body)
	}
	got := logs.String()
	if !strings.Contains(got, "level=ERROR") || !strings.Contains(got, errDown.Error()) {
		t.Errorf("log = %q, want the store error at ERROR", got)
	}
	if strings.Contains(got, key) {
		t.Errorf("the session key reached the log: %q", got)
	}
}

// Error messages name each layer once.
func TestErrorsDoNotStutter(t *testing.T) {
	var seen error
	f := newFixture(t, func(c *sessions.Config) {
		c.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) { seen = err; w.WriteHeader(500) }
	})
	f.store.down.Store(true)
	f.serve(t, "", setUser)
	if seen == nil || strings.Count(seen.Error(), "sessions:") != 1 {
		t.Errorf("error %q: want one sessions: prefix", seen)
	}
	_, err := sessions.New(sessions.Config{})
	if err == nil || strings.Count(err.Error(), "sessions:") != 1 {
		t.Errorf("config error %q: want one sessions: prefix", err)
	}
}

// The memory store keeps records unsigned, so it needs no secret; every
// store whose data leaves the process does.
func TestSecretRequiredOnlyToSign(t *testing.T) {
	if _, err := sessions.New(sessions.Config{Store: memstore.New(memstore.Options{})}); err != nil {
		t.Errorf("memstore without a secret: %v", err)
	}
	outside := &countingStore{Store: memstore.New(memstore.Options{})} // hides InProcess
	if _, err := sessions.New(sessions.Config{Store: outside}); !errors.Is(err, sessions.ErrInvalidConfig) {
		t.Errorf("a signed store without a secret: %v, want ErrInvalidConfig", err)
	}
}

// The lifecycle adapters use: informational statuses pass, one commit,
// a hijacked connection is never committed.
func TestLifecyclePhases(t *testing.T) {
	f := newFixture(t, nil)
	for _, tt := range []struct {
		name  string
		run   func(*lifecycle.Request, http.Header)
		phase lifecycle.Phase
		saves int32
	}{
		{"early hints then 200", func(lc *lifecycle.Request, h http.Header) {
			_ = lc.Before(h, http.StatusEarlyHints)
			if lc.Phase() != lifecycle.Pending {
				t.Error("103 committed")
			}
			_ = lc.Before(h, http.StatusOK)
		}, lifecycle.Committed, 1},
		{"hijack", func(lc *lifecycle.Request, h http.Header) {
			lc.Hijack()
			_ = lc.Before(h, http.StatusOK)
		}, lifecycle.Hijacked, 0},
		{"store down", func(lc *lifecycle.Request, h http.Header) {
			f.store.down.Store(true)
			defer f.store.down.Store(false)
			if err := lc.Before(h, http.StatusOK); !errors.Is(err, errDown) {
				t.Errorf("Before = %v", err)
			}
			if err := lc.Before(h, http.StatusOK); !errors.Is(err, errDown) {
				t.Errorf("second Before = %v, want the first error again", err)
			}
		}, lifecycle.Failed, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := f.store.saves.Load()
			var lc lifecycle.Request
			r := lc.Begin(f.m, httptest.NewRequest(http.MethodGet, "/", nil))
			if s, ok := lifecycle.Lookup(r.Context()); !ok || s != lc.Session() {
				t.Fatal("Lookup does not find the session Begin opened")
			}
			lc.Session().Set("a", 1)
			tt.run(&lc, http.Header{})
			if lc.Phase() != tt.phase || f.store.saves.Load()-before != tt.saves {
				t.Errorf("phase %v, %d saves; want %v, %d", lc.Phase(), f.store.saves.Load()-before, tt.phase, tt.saves)
			}
		})
	}
}

// A record over MaxRecordSize is never decoded (the request gets a fresh
// session) and never written (the save fails with ErrRecordTooLarge).
func TestMaxRecordSize(t *testing.T) {
	f := newFixture(t, func(c *sessions.Config) { c.MaxRecordSize = 4096 })
	small := f.seed(t, map[string]any{"a": strings.Repeat("x", 1000)})
	if f.m.Open(t.Context(), small).Len() != 1 {
		t.Fatal("a record under the limit was not read")
	}

	big := f.m.Open(t.Context(), "")
	big.Set("a", incompressible(5000))
	if err := big.Save(); !errors.Is(err, sessions.ErrRecordTooLarge) || !strings.Contains(err.Error(), "limit 4096") {
		t.Fatalf("Save of a large session = %v, want ErrRecordTooLarge naming the limit", err)
	}

	// A record someone else wrote past the limit reads as no session.
	unlimited := newFixture(t, func(c *sessions.Config) { c.MaxRecordSize = -1 })
	s := unlimited.m.Open(t.Context(), "")
	s.Set("a", incompressible(5000))
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	limited, err := sessions.New(sessions.Config{Store: unlimited.store, Secret: testSecret, MaxRecordSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	got := limited.Open(t.Context(), s.Key())
	if got.Len() != 0 || got.Key() != "" || got.Load() != nil {
		t.Errorf("an oversized record was read: %d keys, key %q, err %v", got.Len(), got.Key(), got.Load())
	}
}

// incompressible returns n random characters, which deflate cannot shrink
// below the limit the test sets.
func incompressible(n int) string {
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(rand.Text())
	}
	return b.String()[:n]
}
