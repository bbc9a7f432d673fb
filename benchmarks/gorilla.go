package benchmarks

import (
	"context"
	"net/http"

	gsessions "github.com/gorilla/sessions"
)

// newGorillaCookieStore returns a gorilla CookieStore signed with HashKey
// (HMAC-SHA256) and, with encrypt, encrypted with BlockKey (AES-256-CTR),
// with the cookie attributes every library here gets.
func newGorillaCookieStore(encrypt bool) *gsessions.CookieStore {
	keys := [][]byte{[]byte(HashKey)}
	if encrypt {
		keys = append(keys, []byte(BlockKey))
	}
	st := gsessions.NewCookieStore(keys...)
	st.Options = &gsessions.Options{
		Path:     "/",
		MaxAge:   int(CookieMaxAge.Seconds()),
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
	st.MaxAge(st.Options.MaxAge) // the codecs' max age too
	return st
}

// gorillaTarget is github.com/gorilla/sessions' CookieStore on net/http as
// its README shows it: store.Get in the handler, session.Save before the
// body.
func gorillaTarget(store string) Target {
	return Target{Framework: FwNetHTTP, Library: LibGorilla, Store: store,
		build: func(context.Context, *Instance) (http.Handler, error) {
			st := newGorillaCookieStore(store == StoreCookieEnc)
			return netHTTPHandler(httpOps{
				seed: func(w http.ResponseWriter, r *http.Request) error {
					s, err := st.Get(r, CookieName)
					if err != nil {
						return err
					}
					s.Values[UserKey] = UserValue
					s.Values[VisitsKey] = VisitsStart
					return s.Save(r, w)
				},
				user: func(_ http.ResponseWriter, r *http.Request) (string, error) {
					s, err := st.Get(r, CookieName)
					if err != nil {
						return "", err
					}
					u, _ := s.Values[UserKey].(string)
					return u, nil
				},
				visits: func(_ http.ResponseWriter, r *http.Request) (int, error) {
					s, err := st.Get(r, CookieName)
					if err != nil {
						return 0, err
					}
					n, _ := s.Values[VisitsKey].(int)
					return n, nil
				},
				incr: func(w http.ResponseWriter, r *http.Request) error {
					s, err := st.Get(r, CookieName)
					if err != nil {
						return err
					}
					n, _ := s.Values[VisitsKey].(int)
					s.Values[VisitsKey] = n + 1
					return s.Save(r, w)
				},
			}), nil
		}}
}
