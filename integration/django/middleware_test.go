package django_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	"github.com/sessionkit/sessionkit/core/signing"
	cookiestore "github.com/sessionkit/sessionkit/stores/cookie"
)

// views maps each middleware vector to what its Django view did.
func views() map[string]func(s *sessions.Session) {
	return map[string]func(s *sessions.Session){
		"write": func(s *sessions.Session) { s.Set("foo", "bar") },
		"read":  func(s *sessions.Session) { s.Get("foo") },
		"noop":  func(*sessions.Session) {},
		"flush": func(s *sessions.Session) { _ = s.Flush() },
		"expiry0": func(s *sessions.Session) {
			s.Set("foo", "bar")
			s.SetExpireAtBrowserClose()
		},
		"expiry300": func(s *sessions.Session) {
			s.Set("foo", "bar")
			s.SetMaxAge(300 * time.Second)
		},
	}
}

// scenarioView names the view of every middleware scenario in the vectors;
// a new vector fails the test until it is listed here.
func scenarioViews() map[string]string {
	return map[string]string{
		"signed_cookies: new session, view writes foo=bar":                                           "write",
		"signed_cookies: existing cookie, view only reads":                                           "read",
		"signed_cookies: existing cookie, view never touches session":                                "noop",
		"signed_cookies: existing cookie, view flushes":                                              "flush",
		"signed_cookies: invalid cookie, view reads":                                                 "read",
		"signed_cookies: set_expiry(0) -> browser-session cookie":                                    "expiry0",
		"signed_cookies: set_expiry(300)":                                                            "expiry300",
		"signed_cookies: SESSION_EXPIRE_AT_BROWSER_CLOSE=True":                                       "write",
		"signed_cookies: SESSION_SAVE_EVERY_REQUEST=True, view only reads":                           "read",
		"signed_cookies: SESSION_SAVE_EVERY_REQUEST=True, no cookie, view untouched (empty session)": "noop",
		"signed_cookies: status 500 -> not saved":                                                    "write",
		"signed_cookies: status 503 (3.2 saves; 4.2+ skips every status >= 500)":                     "write",
		"signed_cookies: custom cookie settings":                                                     "write",
		"signed_cookies: SESSION_COOKIE_SAMESITE=None string":                                        "write",
		"signed_cookies: SESSION_COOKIE_SAMESITE=False (attribute omitted)":                          "write",
		"db: new session, view writes (random key replaced by a deterministic counter)":              "write",
		"db: unknown session key in cookie, view reads -> cookie deleted":                            "read",
		"db: unknown session key in cookie, view writes -> new key issued":                           "write",
		"db: cookie value shorter than 8 chars, view never touches session -> cookie deleted":        "noop",
		"db: valid-looking but unknown key, view never touches session -> nothing happens":           "noop",
	}
}

// goAnswer is what Go sends instead of Django's answer (Set-Cookie lines,
// Vary), and why.
type goAnswer struct {
	why       string
	setCookie []string
	vary      string
}

// goDiffers lists the scenarios where Go deliberately answers otherwise
// than Django of the given version (as django.get_version prints it).
func goDiffers(version string) map[string]goAnswer {
	differs := map[string]goAnswer{
		"signed_cookies: invalid cookie, view reads": {
			why: "Go deletes an invalid cookie; Django 3.2 re-sends a signed empty dict (e30:...) that only costs bytes",
			setCookie: []string{
				`Set-Cookie: sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax`,
			},
			vary: "Cookie",
		},
	}
	if strings.HasPrefix(version, "3.") {
		differs["signed_cookies: status 503 (3.2 saves; 4.2+ skips every status >= 500)"] = goAnswer{
			why:  "Go follows Django 4.2+: no session is saved on any 5xx response",
			vary: "Cookie",
		}
	}
	return differs
}

// Core's middleware reproduces the SessionMiddleware vectors of Django
// 3.2, 4.2, 5.2 and 6.0: the Set-Cookie attributes (name, value where deterministic, Max-Age, Expires,
// Path, Domain, SameSite, HttpOnly, Secure; order and case ignored) and
// Vary, except in the scenarios of goDiffers, where Go's documented answer
// is asserted instead.
func TestMiddlewareVectors(t *testing.T) {
	t.Parallel()
	for _, v := range loadAllVectors(t) {
		t.Run(v.DjangoVersion, func(t *testing.T) {
			t.Parallel()
			testMiddlewareVectors(t, v)
		})
	}
}

func testMiddlewareVectors(t *testing.T, v *vectors) {
	scenarioView, differs, viewFuncs := scenarioViews(), goDiffers(v.DjangoVersion), views()
	if len(v.Middleware) != len(scenarioView) {
		t.Errorf("%d middleware vectors, %d described here", len(v.Middleware), len(scenarioView))
	}
	for _, sc := range v.Middleware {
		t.Run(sc.Desc, func(t *testing.T) {
			t.Parallel()
			viewName, ok := scenarioView[sc.Desc]
			if !ok {
				t.Fatalf("unknown scenario %q: add it to scenarioView", sc.Desc)
			}
			m, sg := scenarioManager(t, v.Settings.SecretKey, sc)
			header := runScenario(t, m, sc, viewFuncs[viewName])

			wantCookies, wantVary := sc.SetCookie, deref(sc.Vary)
			if d, ok := differs[sc.Desc]; ok {
				t.Logf("Go differs on purpose: %s", d.why)
				wantCookies, wantVary = d.setCookie, d.vary
			}
			if got := strings.Join(header.Values("Vary"), ", "); got != wantVary {
				t.Errorf("Vary = %q, want %q", got, wantVary)
			}
			got := header.Values("Set-Cookie")
			if len(got) != len(wantCookies) {
				t.Fatalf("Set-Cookie = %q, want %q", got, wantCookies)
			}
			for i := range got {
				g := parseSetCookie(t, got[i])
				w := parseSetCookie(t, strings.TrimPrefix(wantCookies[i], "Set-Cookie: "))
				if err := sameCookie(g, w, sc, sg); err != nil {
					t.Errorf("%v\n got: %s\nwant: %s", err, got[i], wantCookies[i])
				}
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// scenarioManager builds the Manager a scenario's Django settings describe.
// It returns the signer of signed-cookie scenarios' cookies (nil for db).
func scenarioManager(t *testing.T, secretKey string, sc middlewareVector) (*sessions.Manager, *signing.Signer) {
	t.Helper()
	cfg := sessions.Config{Clock: func() time.Time { return at(sc.Now) }}
	for k, v := range sc.Settings {
		switch k {
		case "SESSION_EXPIRE_AT_BROWSER_CLOSE":
			cfg.ExpireAtBrowserClose = v.(bool)
		case "SESSION_SAVE_EVERY_REQUEST":
			cfg.SaveEveryRequest = v.(bool)
		case "SESSION_COOKIE_NAME":
			cfg.Cookie.Name = v.(string)
		case "SESSION_COOKIE_DOMAIN":
			cfg.Cookie.Domain = v.(string)
		case "SESSION_COOKIE_PATH":
			cfg.Cookie.Path = v.(string)
		case "SESSION_COOKIE_SECURE":
			cfg.Cookie.Secure = v.(bool)
		case "SESSION_COOKIE_HTTPONLY":
			cfg.Cookie.DisableHTTPOnly = !v.(bool)
		case "SESSION_COOKIE_SAMESITE":
			switch v {
			case false:
				cfg.Cookie.SameSite = http.SameSiteDefaultMode // attribute omitted
			case "Strict":
				cfg.Cookie.SameSite = http.SameSiteStrictMode
			case "None":
				cfg.Cookie.SameSite = http.SameSiteNoneMode
			case "Lax":
				cfg.Cookie.SameSite = http.SameSiteLaxMode
			default:
				t.Fatalf("SESSION_COOKIE_SAMESITE %v", v)
			}
		default:
			t.Fatalf("setting %s is not mapped to Config", k)
		}
	}
	var sg *signing.Signer
	switch sc.Engine {
	case "django.contrib.sessions.backends.signed_cookies":
		cs, err := cookiestore.New(cookiestore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if sg, err = signing.New(signing.Options{Secret: secretKey, Salt: signing.CookieSalt}); err != nil {
			t.Fatal(err)
		}
		cfg.ClientStore, cfg.Secret = cs, secretKey
	case "django.contrib.sessions.backends.db":
		store := memstore.New(memstore.Options{})
		t.Cleanup(func() { _ = store.Close() })
		cfg.Store, cfg.Secret = store, secretKey
	default:
		t.Fatalf("engine %s", sc.Engine)
	}
	m, err := sessions.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m, sg
}

// runScenario serves one request the way the vector's Django request was.
func runScenario(t *testing.T, m *sessions.Manager, sc middlewareVector, view func(*sessions.Session)) http.Header {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if sc.RequestCookie != nil {
		req.Header.Set("Cookie", m.Config().Cookie.Name+"="+*sc.RequestCookie)
	}
	rec := httptest.NewRecorder()
	m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		view(sessions.FromContext(r.Context()))
		w.WriteHeader(sc.Status)
	})).ServeHTTP(rec, req)
	if rec.Code != sc.Status {
		t.Fatalf("status %d, want %d", rec.Code, sc.Status)
	}
	return rec.Header()
}

// setCookie is a Set-Cookie line taken apart: attribute names lower-cased,
// values as written ("" for flags).
type setCookie struct {
	name, value string
	attrs       map[string]string
}

func parseSetCookie(t *testing.T, line string) setCookie {
	t.Helper()
	parts := strings.Split(line, ";")
	name, value, ok := strings.Cut(strings.TrimSpace(parts[0]), "=")
	if !ok {
		t.Fatalf("Set-Cookie %q has no name=value", line)
	}
	if unq, err := strconv.Unquote(value); err == nil && strings.HasPrefix(value, `"`) {
		value = unq // Django writes the deleted value as ""
	}
	c := setCookie{name: name, value: value, attrs: make(map[string]string)}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		c.attrs[strings.ToLower(k)] = v
	}
	return c
}

// sameCookie compares two Set-Cookie lines semantically. Values compare
// by what they carry: signed cookies by their data and signing time (Go
// writes keys sorted, Django in insertion order), db keys by being valid
// keys (Django's were replaced by a counter), deletions by being empty.
func sameCookie(got, want setCookie, sc middlewareVector, sg *signing.Signer) error {
	if got.name != want.name {
		return fmt.Errorf("name %q, want %q", got.name, want.name)
	}
	switch {
	case got.value == "" || want.value == "":
		if got.value != want.value {
			return fmt.Errorf("value %q, want %q", got.value, want.value)
		}
	case sg != nil:
		gd, gt, gerr := sg.LoadsWithTime(got.value, sessions.DefaultCookieAge, at(sc.Now))
		wd, wt, werr := sg.LoadsWithTime(want.value, sessions.DefaultCookieAge, at(sc.Now))
		if gerr != nil || werr != nil {
			return fmt.Errorf("values do not verify: %v / %v", gerr, werr)
		}
		gm, _ := sessions.JSONCodec{}.Decode(gd)
		wm, _ := sessions.JSONCodec{}.Decode(wd)
		if d := diff("cookie", wm, gm); d != "" || !gt.Equal(wt) {
			return fmt.Errorf("cookie data or signing time differ: %s (%v vs %v)", d, gt, wt)
		}
	default:
		if !sessions.ValidKey(got.value) || !sessions.ValidKey(want.value) {
			return fmt.Errorf("session keys %q / %q", got.value, want.value)
		}
	}
	names := func(c setCookie) []string {
		var n []string
		for k := range c.attrs {
			n = append(n, k)
		}
		slices.Sort(n)
		return n
	}
	if g, w := names(got), names(want); !slices.Equal(g, w) {
		return fmt.Errorf("attributes %v, want %v", g, w)
	}
	for k, w := range want.attrs {
		g := got.attrs[k]
		switch k {
		case "expires":
			gt, gerr := http.ParseTime(g)
			wt, werr := http.ParseTime(w)
			if gerr != nil || werr != nil || !gt.Equal(wt) {
				return fmt.Errorf("expires %q, want %q", g, w)
			}
		case "samesite":
			if !strings.EqualFold(g, w) {
				return fmt.Errorf("SameSite %q, want %q", g, w)
			}
		default:
			if g != w {
				return fmt.Errorf("%s %q, want %q", k, g, w)
			}
		}
	}
	return nil
}
