package demotest

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/sessionkit/sessionkit/examples/internal/demo"
)

// browserTimeout bounds one browser run, start to finish.
const browserTimeout = 60 * time.Second

// Browser drives a real headless Chromium (SESSIONKIT_CHROMIUM) through
// the app served on 127.0.0.1 with the SQLite store: two visits, a login
// through the form, a reload, a logout. It checks what the page shows, the
// cookie as the browser stores it, and what the server receives.
//
// With SESSIONKIT_SCREENSHOT_DIR set, it also saves screenshots of the
// page there: FRAMEWORK.png logged in, FRAMEWORK-anonymous.png logged out.
func Browser(t *testing.T, framework string, routes demo.Routes) {
	chromium := RequireEnv(t, "SESSIONKIT_CHROMIUM")
	start := time.Now()
	app := OpenApp(t, framework, demo.StoreSQLite)
	rec := &recorder{}
	srv := httptest.NewServer(rec.wrap(routes(app)))
	t.Cleanup(srv.Close)
	ctx, profile := startBrowser(t, chromium)
	b := &browserRun{t: t, ctx: ctx, base: srv.URL, app: app}

	// Two visits: the count goes 1, 2 on one cookie.
	b.do(chromedp.Navigate(srv.URL + "/"))
	if _, err := os.Stat("/proc/self/cmdline"); err == nil && len(processesUsing(profile)) == 0 {
		// Else the check that no process is left after the test proves nothing.
		t.Error("the running browser is not found in /proc")
	}
	b.wantVisits(1)
	first := b.sessionCookie()
	checkBrowserCookie(t, first)
	b.do(chromedp.Reload())
	b.wantVisits(2)
	if c := b.sessionCookie(); c.Value != first.Value {
		t.Errorf("cookie changed on a plain visit: %q, then %q", first.Value, c.Value)
	}

	// Log in through the form: the key is cycled, the page shows the user
	// (escaped: the markup in the name stays text).
	const user = "Ada <b>&"
	b.do(chromedp.SendKeys(chromedp.ID("user-field"), user))
	b.submit("#login button")
	if got := b.text("#user"); got != user {
		t.Errorf("page shows user %q, want %q", got, user)
	}
	b.wantVisits(3)
	loggedIn := b.sessionCookie()
	checkBrowserCookie(t, loggedIn)
	if loggedIn.Value == first.Value {
		t.Errorf("login kept the cookie value %q: the key was not cycled", first.Value)
	}
	b.wantGone(first.Value)

	// Reload: still logged in, same cookie.
	b.do(chromedp.Reload())
	b.wantVisits(4)
	if got := b.text("#user"); got != user {
		t.Errorf("after reload the page shows user %q, want %q", got, user)
	}
	if c := b.sessionCookie(); c.Value != loggedIn.Value {
		t.Errorf("cookie changed on reload: %q, then %q", loggedIn.Value, c.Value)
	}
	b.screenshot(framework, "")

	// Log out: the browser drops the cookie (the redirected GET / arrives
	// without one), the record is gone and the count restarts on a new
	// session.
	rec.reset()
	b.submit("#logout button")
	b.wantVisits(1)
	if got := b.text("#anonymous"); got != "Not logged in." {
		t.Errorf("after logout the page shows %q", got)
	}
	reqs := rec.requests()
	if len(reqs) != 2 || reqs[0].method != "POST" || reqs[1].method != "GET" || reqs[1].path != "/" {
		t.Fatalf("logout requests: %+v, want POST /api/logout then GET /", reqs)
	}
	if reqs[0].cookie != loggedIn.Value {
		t.Errorf("logout posted cookie %q, want %q", reqs[0].cookie, loggedIn.Value)
	}
	if reqs[1].cookie != "" {
		t.Errorf("after logout the browser still sent cookie %q", reqs[1].cookie)
	}
	b.wantGone(loggedIn.Value)
	if c := b.sessionCookie(); c.Value == loggedIn.Value {
		t.Errorf("the logged-in cookie survived logout")
	}
	b.screenshot(framework, "-anonymous")
	t.Logf("%s: browser run took %v", framework, time.Since(start).Round(time.Millisecond))
}

// startBrowser starts Chromium with exactly the flags below and a fresh
// profile, and makes sure it is gone when the test ends. It returns the
// browser's context and its profile directory.
func startBrowser(t *testing.T, chromium string) (context.Context, string) {
	t.Helper()
	// Created before the cleanup below is registered, so it is removed
	// after the browser has stopped writing to it.
	profile := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		// Not chromedp.Headless, which adds flags of its own.
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// Nothing may reach the network: no updates, no sync, no pings.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	var offsite urlLog
	t.Cleanup(func() {
		// Close the browser gracefully, then make sure: the allocator's
		// cancel kills and waits for the process.
		closeCtx, cancel := context.WithTimeout(bctx, 10*time.Second)
		if err := chromedp.Cancel(closeCtx); err != nil && bctx.Err() == nil {
			t.Logf("closing Chromium: %v", err)
		}
		cancel()
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
		if pids := processesUsing(profile); len(pids) > 0 {
			t.Errorf("Chromium processes left running: %v", pids)
		}
		if urls := offsite.all(); len(urls) > 0 {
			t.Errorf("the browser requested addresses other than 127.0.0.1: %q", urls)
		}
	})
	// Note every request that leaves 127.0.0.1; the cleanup fails the test.
	err := chromedp.Listen(bctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && !loopbackURL(e.Request.URL) {
			offsite.add(e.Request.URL)
		}
	})
	if err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return bctx, profile
}

// loopbackURL reports whether the browser may load u: 127.0.0.1, the
// blank page it starts on, or the page's inline (data:) favicon.
func loopbackURL(u string) bool {
	if u == "about:blank" || strings.HasPrefix(u, "data:") {
		return true
	}
	p, err := url.Parse(u)
	return err == nil && p.Hostname() == "127.0.0.1"
}

// urlLog collects URLs from the browser's event goroutine.
type urlLog struct {
	mu   sync.Mutex
	urls []string
}

func (l *urlLog) add(u string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.urls = append(l.urls, u)
}

func (l *urlLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.urls)
}

// processesUsing returns the PIDs whose command line mentions dir (the
// Chromium profile), from /proc; none where /proc is missing.
func processesUsing(dir string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmd, []byte(dir)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// browserRun runs the steps of one test in one tab; any failure ends the
// test.
type browserRun struct {
	t    *testing.T
	ctx  context.Context
	base string
	app  *demo.App
}

func (b *browserRun) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

func (b *browserRun) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("browser: reading %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// submit clicks a form's button and waits for the page the redirect lands
// on to load.
func (b *browserRun) submit(button string) {
	b.t.Helper()
	_, err := chromedp.Run(b.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(button))))
	if err != nil {
		b.t.Fatalf("browser: clicking %s: %v", button, err)
	}
}

func (b *browserRun) wantVisits(n int) {
	b.t.Helper()
	if got := b.text("#visits"); got != strconv.Itoa(n) {
		b.t.Fatalf("page shows %s visits, want %d", got, n)
	}
}

// sessionCookie returns the session cookie as the browser stores it.
func (b *browserRun) sessionCookie() *network.Cookie {
	b.t.Helper()
	res, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base}})
	if err != nil {
		b.t.Fatalf("browser: getting cookies: %v", err)
	}
	var found *network.Cookie
	for _, c := range res.Cookies {
		if c.Name != cookieName {
			b.t.Errorf("unexpected cookie %q", c.Name)
			continue
		}
		found = c
	}
	if found == nil {
		b.t.Fatalf("the browser holds no %s cookie", cookieName)
	}
	return found
}

// wantGone checks that the store no longer has the session key.
func (b *browserRun) wantGone(key string) {
	b.t.Helper()
	if key == "" {
		return
	}
	ok, err := b.app.Store().Exists(b.t.Context(), key)
	if err != nil || ok {
		b.t.Errorf("session %q still in the store (exists %v, err %v)", key, ok, err)
	}
}

// screenshot saves the page when SESSIONKIT_SCREENSHOT_DIR is set.
func (b *browserRun) screenshot(framework, suffix string) {
	b.t.Helper()
	dir := os.Getenv("SESSIONKIT_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	path := filepath.Join(dir, strings.ToLower(framework)+suffix+".png")
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("browser: screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}

// checkBrowserCookie checks the attributes the browser stored.
func checkBrowserCookie(t *testing.T, c *network.Cookie) {
	t.Helper()
	if !c.HTTPOnly || c.Secure || c.Session || c.Path != "/" || c.SameSite != network.CookieSameSiteLax || c.Domain != "127.0.0.1" {
		t.Errorf("cookie %+v: want HttpOnly, not Secure, persistent, Path=/, SameSite=Lax, Domain=127.0.0.1", c)
	}
	want := float64(time.Now().Add(1209600 * time.Second).Unix())
	if math.Abs(c.Expires-want) > 60 {
		t.Errorf("cookie expires at %v, want about %v (two weeks from now)",
			time.Unix(int64(c.Expires), 0).UTC(), time.Unix(int64(want), 0).UTC())
	}
}

// recorder notes the session cookie each request arrives with.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, path, cookie string
}

func (r *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/favicon.ico" {
			h.ServeHTTP(w, req) // the browser's own request, not the test's
			return
		}
		var value string
		if c, err := req.Cookie(cookieName); err == nil {
			value = c.Value
		}
		r.mu.Lock()
		r.reqs = append(r.reqs, recorded{req.Method, req.URL.Path, value})
		r.mu.Unlock()
		h.ServeHTTP(w, req)
	})
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = nil
}

func (r *recorder) requests() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.reqs)
}
