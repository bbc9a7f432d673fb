package cookiestore_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	cookiestore "github.com/sessionkit/sessionkit/stores/cookie"
)

// A Manager keeping sessions in Django-compatible signed cookies. The
// signing settings are the Manager's: Secret signs the cookies, and
// Cookie.MaxAge (default two weeks) is both the cookie's Max-Age and how
// long its signature is accepted. The clock is pinned so that the output
// is stable.
func Example() {
	cs, err := cookiestore.New(cookiestore.Options{})
	if err != nil {
		panic(err)
	}
	m, err := sessions.New(sessions.Config{
		ClientStore: cs,
		Secret:      "django-insecure-example-secret",
		Clock:       func() time.Time { return time.Unix(1700000000, 0) },
	})
	if err != nil {
		panic(err)
	}
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		if r.URL.Path == "/login" {
			s.Set("user", "gopher")
			return
		}
		fmt.Fprintf(w, "hello %s", s.GetString("user"))
	}))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
	fmt.Println(rec.Header().Get("Set-Cookie"))

	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(rec.Result().Cookies()[0])
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Body.String())
	// Output:
	// sessionid=eyJ1c2VyIjoiZ29waGVyIn0:1r31eq:KdbM4Yej0q1W8kjFwb8VHrh9MaH3k1SfNcfDFmdB7vk; Path=/; SameSite=Lax; Expires=Tue, 28 Nov 2023 22:13:20 GMT; Max-Age=1209600; HttpOnly
	// hello gopher
}
