package demotest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sessionkit/sessionkit/examples/internal/demo"
)

// cookieName is the session cookie's name (the default).
const cookieName = "sessionid"

// cookieWant says what a response must do to the session cookie.
type cookieWant int

const (
	cookieUntouched cookieWant = iota // no Set-Cookie
	cookieNew                         // set, and the client had none
	cookieSame                        // re-sent with the value the client has
	cookieChanged                     // set to a new value (login)
	cookieDeleted                     // deleted (logout)
)

func (c cookieWant) String() string {
	return [...]string{"untouched", "new", "same", "changed", "deleted"}[c]
}

// smokeStep is one request of the smoke test and what must come back.
type smokeStep struct {
	name        string
	method      string
	path        string
	header      map[string]string
	body        string
	wantStatus  int
	wantBody    []string // substrings of the body
	notInBody   []string
	wantJSON    string // the exact JSON state, when set
	wantCookie  cookieWant
	wantRedir   string // Location of a redirect
	oldKeyGone  bool   // the key the client sent no longer exists in the store
	forgetFirst bool   // drop the client's cookie before the request
}

const (
	acceptHTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	formType   = "application/x-www-form-urlencoded"
)

// smokeSteps walks the whole route set the way a browser and curl would.
func smokeSteps() []smokeStep {
	browser := map[string]string{"Accept": acceptHTML}
	browserForm := map[string]string{"Accept": acceptHTML, "Content-Type": formType, "Sec-Fetch-Site": "same-origin"}
	return []smokeStep{
		{name: "healthz sets no cookie", method: "GET", path: "/healthz",
			wantStatus: 200, wantBody: []string{"ok"}, wantCookie: cookieUntouched},
		{name: "first visit", method: "GET", path: "/api/session",
			wantStatus: 200, wantJSON: `{"visits":1,"user":null}`, wantCookie: cookieNew},
		{name: "second visit", method: "GET", path: "/api/session",
			wantStatus: 200, wantJSON: `{"visits":2,"user":null}`, wantCookie: cookieSame},
		{name: "page counts a visit", method: "GET", path: "/", header: browser,
			wantStatus: 200, wantBody: []string{`id="visits">3<`, "Not logged in", `action="/api/login"`}, wantCookie: cookieSame},
		{name: "healthz with a session touches nothing", method: "GET", path: "/healthz",
			wantStatus: 200, wantCookie: cookieUntouched},
		{name: "login form redirects and cycles the key", method: "POST", path: "/api/login", header: browserForm,
			body: "user=alice", wantStatus: 303, wantRedir: "/", wantCookie: cookieChanged, oldKeyGone: true},
		{name: "visits survive login", method: "GET", path: "/api/session",
			wantStatus: 200, wantJSON: `{"visits":4,"user":"alice"}`, wantCookie: cookieSame},
		{name: "page shows the user", method: "GET", path: "/", header: browser,
			wantStatus: 200, wantBody: []string{`id="visits">5<`, `<strong id="user">alice</strong>`, `action="/api/logout"`}, wantCookie: cookieSame},
		{name: "JSON login answers JSON", method: "POST", path: "/api/login",
			header: map[string]string{"Content-Type": "application/json"}, body: `{"user": "<b>bob</b>"}`,
			wantStatus: 200, wantJSON: `{"visits":5,"user":"<b>bob</b>"}`, wantCookie: cookieChanged, oldKeyGone: true},
		{name: "page escapes the user", method: "GET", path: "/", header: browser,
			wantStatus: 200, wantBody: []string{`&lt;b&gt;bob&lt;/b&gt;`}, notInBody: []string{"<b>bob"}, wantCookie: cookieSame},
		{name: "curl form login answers JSON", method: "POST", path: "/api/login",
			header: map[string]string{"Content-Type": formType}, body: "user=carol",
			wantStatus: 200, wantJSON: `{"visits":6,"user":"carol"}`, wantCookie: cookieChanged, oldKeyGone: true},
		{name: "blank user is refused", method: "POST", path: "/api/login",
			header: map[string]string{"Content-Type": formType}, body: "user=+",
			wantStatus: 400, wantBody: []string{`"error"`}, wantCookie: cookieUntouched},
		{name: "bad JSON is refused", method: "POST", path: "/api/login",
			header: map[string]string{"Content-Type": "application/json"}, body: `{"user":`,
			wantStatus: 400, wantCookie: cookieUntouched},
		{name: "cross-site login is refused", method: "POST", path: "/api/login",
			header: map[string]string{"Content-Type": formType, "Sec-Fetch-Site": "cross-site"}, body: "user=mallory",
			wantStatus: 403, wantCookie: cookieUntouched},
		{name: "cross-origin logout is refused", method: "POST", path: "/api/logout",
			header:     map[string]string{"Origin": "https://evil.example"},
			wantStatus: 403, wantCookie: cookieUntouched},
		{name: "session intact after refusals", method: "GET", path: "/api/session",
			wantStatus: 200, wantJSON: `{"visits":7,"user":"carol"}`, wantCookie: cookieSame},
		{name: "logout deletes the cookie", method: "POST", path: "/api/logout",
			wantStatus: 200, wantJSON: `{"visits":0,"user":null}`, wantCookie: cookieDeleted, oldKeyGone: true},
		{name: "count restarts", method: "GET", path: "/api/session",
			wantStatus: 200, wantJSON: `{"visits":1,"user":null}`, wantCookie: cookieNew},
		{name: "logout form redirects", method: "POST", path: "/api/logout", header: browserForm,
			wantStatus: 303, wantRedir: "/", wantCookie: cookieDeleted, oldKeyGone: true},
		{name: "logout without a session", method: "POST", path: "/api/logout",
			wantStatus: 200, wantJSON: `{"visits":0,"user":null}`, wantCookie: cookieUntouched},
		{name: "login without a session", method: "POST", path: "/api/login", forgetFirst: true,
			header: map[string]string{"Content-Type": formType}, body: "user=dave",
			wantStatus: 200, wantJSON: `{"visits":0,"user":"dave"}`, wantCookie: cookieNew},
		{name: "unknown route", method: "GET", path: "/nope",
			wantStatus: 404, wantCookie: cookieUntouched},
	}
}

// Smoke runs the whole route set against routes, served by httptest, on
// every store: those without a server always, the others when their server
// is configured (see OpenApp). The steps depend on each other (one client,
// one cookie), so they run in order.
func Smoke(t *testing.T, framework string, routes demo.Routes) {
	for _, store := range demo.StoreNames() {
		t.Run(store, func(t *testing.T) {
			t.Parallel()
			app := OpenApp(t, framework, store)
			// A cookie store's value is the data: it changes with every save.
			clientSide := app.Store() == nil
			srv := httptest.NewServer(routes(app))
			t.Cleanup(srv.Close)
			client := srv.Client()
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

			var cookie string // the session cookie value the client holds
			for _, st := range smokeSteps() {
				if st.forgetFirst {
					cookie = ""
				}
				sent := cookie
				resp := smokeRequest(t, client, srv.URL, st, sent)
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					t.Fatalf("%s: reading the body: %v", st.name, err)
				}
				if resp.StatusCode != st.wantStatus {
					t.Fatalf("%s: status %d, want %d; body %q", st.name, resp.StatusCode, st.wantStatus, body)
				}
				checkBody(t, st, resp, body)
				cookie = checkCookie(t, st, resp, sent, clientSide)
				if st.oldKeyGone && !clientSide {
					ok, err := app.Store().Exists(t.Context(), sent)
					if err != nil || ok {
						t.Errorf("%s: old key still in the store (exists %v, err %v)", st.name, ok, err)
					}
				}
			}
		})
	}
}

func smokeRequest(t *testing.T, c *http.Client, base string, st smokeStep, cookie string) *http.Response {
	t.Helper()
	var body io.Reader
	if st.body != "" {
		body = strings.NewReader(st.body)
	}
	req, err := http.NewRequestWithContext(t.Context(), st.method, base+st.path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range st.header {
		req.Header.Set(k, v)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: cookieName, Value: cookie})
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", st.name, err)
	}
	return resp
}

func checkBody(t *testing.T, st smokeStep, resp *http.Response, body []byte) {
	t.Helper()
	for _, s := range st.wantBody {
		if !strings.Contains(string(body), s) {
			t.Errorf("%s: body lacks %q:\n%s", st.name, s, body)
		}
	}
	for _, s := range st.notInBody {
		if strings.Contains(string(body), s) {
			t.Errorf("%s: body has %q:\n%s", st.name, s, body)
		}
	}
	if st.wantJSON != "" {
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q, want application/json", st.name, ct)
		}
		var got, want demo.State
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%s: decoding %q: %v", st.name, body, err)
		}
		if err := json.Unmarshal([]byte(st.wantJSON), &want); err != nil {
			t.Fatal(err)
		}
		if !sameState(got, want) {
			t.Errorf("%s: got %s, want %s", st.name, strings.TrimSpace(string(body)), st.wantJSON)
		}
	}
	if st.wantRedir != "" {
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || loc.Path != st.wantRedir {
			t.Errorf("%s: Location %q, want %q", st.name, resp.Header.Get("Location"), st.wantRedir)
		}
	}
}

func sameState(a, b demo.State) bool {
	if a.Visits != b.Visits || (a.User == nil) != (b.User == nil) {
		return false
	}
	return a.User == nil || *a.User == *b.User
}

// checkCookie checks the response's Set-Cookie against st and returns the
// cookie value the client holds afterwards.
func checkCookie(t *testing.T, st smokeStep, resp *http.Response, sent string, clientSide bool) string {
	t.Helper()
	var set *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == cookieName {
			if set != nil {
				t.Errorf("%s: two session cookies in one response", st.name)
			}
			set = c
		}
	}
	got := cookieUntouched
	held := sent
	switch {
	case set == nil:
	case set.MaxAge < 0:
		got, held = cookieDeleted, ""
	case sent == "":
		got, held = cookieNew, set.Value
	case set.Value == sent:
		got = cookieSame
	default:
		got, held = cookieChanged, set.Value
	}
	if clientSide && st.wantCookie == cookieSame && got == cookieChanged {
		got = cookieSame // the value is the data, and the data changed
	}
	if got != st.wantCookie {
		t.Errorf("%s: session cookie %v, want %v (Set-Cookie %q)", st.name, got, st.wantCookie, resp.Header.Values("Set-Cookie"))
	}
	if set != nil && set.MaxAge > 0 {
		checkAttributes(t, st.name, set)
	}
	return held
}

// checkAttributes checks what the demo promises about the cookie.
func checkAttributes(t *testing.T, step string, c *http.Cookie) {
	t.Helper()
	if !c.HttpOnly || c.Secure || c.Path != "/" || c.SameSite != http.SameSiteLaxMode || c.MaxAge != 1209600 {
		t.Errorf("%s: cookie attributes %+v, want HttpOnly, not Secure, Path=/, SameSite=Lax, Max-Age=1209600", step, c)
	}
}
