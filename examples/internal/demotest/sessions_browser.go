package demotest

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/sessionkit/sessionkit/examples/internal/demo"
)

// BrowserSessions drives the "your sessions" page with two real Chromium
// processes, each with its own profile (so its own cookie jar): both log
// in as one user, the page lists two sessions with this one marked,
// browser A logs out B's session from the page, and B's next request is
// logged out.
func BrowserSessions(t *testing.T, framework string, routes demo.Routes) {
	chromium := RequireEnv(t, "SESSIONKIT_CHROMIUM")
	start := time.Now()
	app := OpenApp(t, framework, demo.StoreSQLite)
	srv := httptest.NewServer(routes(app))
	t.Cleanup(srv.Close)
	user := "Lin-" + randomSuffix(t)
	var browsers [2]*browserRun
	for i := range browsers {
		ctx, _ := startBrowser(t, chromium)
		b := &browserRun{t: t, ctx: ctx, base: srv.URL, app: app}
		b.do(chromedp.Navigate(srv.URL + "/"))
		b.do(chromedp.SendKeys(chromedp.ID("user-field"), user))
		b.submit("#login button")
		if got := b.text("#user"); got != user {
			t.Fatalf("browser %d: page shows user %q after login", i, got)
		}
		browsers[i] = b
	}
	a, b := browsers[0], browsers[1]
	if a.sessionCookie().Value == b.sessionCookie().Value {
		t.Fatal("the two profiles share a session cookie: the test would prove nothing")
	}

	a.do(chromedp.Navigate(srv.URL + "/sessions"))
	if n := a.count("tr.session"); n != 2 {
		t.Fatalf("A's sessions page lists %d sessions, want 2", n)
	}
	if n := a.count("tr.session.current"); n != 1 {
		t.Fatalf("A's page marks %d sessions as this device, want 1", n)
	}
	if got := a.text("tr.session.current td"); !strings.Contains(got, "HeadlessChrome") {
		t.Errorf("A's own row names the device %q", got)
	}

	// A logs out the other one, B's, from the page.
	a.submit("tr.session:not(.current) button.revoke")
	if n := a.count("tr.session"); n != 1 {
		t.Fatalf("after logging B out, A's page lists %d sessions, want 1", n)
	}
	if a.count("tr.session.current") != 1 {
		t.Fatal("A's own session is no longer listed as this device")
	}

	// B's next request is logged out.
	b.do(chromedp.Reload())
	if got := b.text("#anonymous"); got != "Not logged in." {
		t.Fatalf("B after being logged out from A shows %q", got)
	}
	a.do(chromedp.Navigate(srv.URL + "/"))
	if got := a.text("#user"); got != user {
		t.Fatalf("A after logging B out shows user %q", got)
	}
	t.Logf("%s: two-browser sessions run took %v", framework, time.Since(start).Round(time.Millisecond))
}

// count returns how many elements match sel.
func (b *browserRun) count(sel string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
	if err != nil {
		b.t.Fatalf("browser: counting %s: %v", sel, err)
	}
	return n
}

// jsString quotes a selector for a JavaScript string literal.
func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
