package demo

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	sessions "github.com/sessionkit/sessionkit/core"
)

// Session keys.
const (
	keyVisits = "visits"
	keyUser   = "user"
)

// State is what the page shows and the JSON routes answer.
type State struct {
	Visits int     `json:"visits"`
	User   *string `json:"user"` // null when nobody is logged in
}

func currentState(s *sessions.Session) State {
	st := State{Visits: s.GetInt(keyVisits)}
	if u, err := sessions.Get[string](s, keyUser); err == nil {
		st.User = &u
	}
	return st
}

// visit counts one visit and returns the new state. Incr, not Set: two
// tabs loading the page at once both count.
func visit(s *sessions.Session) (State, error) {
	// Load first: a store outage must not look like a first visit.
	if err := s.Load(); err != nil {
		return State{}, err
	}
	s.Incr(keyVisits, 1)
	return currentState(s), nil
}

// Page serves GET /: it counts a visit and renders the HTML page.
func (a *App) Page(w http.ResponseWriter, r *http.Request, s *sessions.Session) {
	st, err := visit(s)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// Render before writing: a template error must still become a 500.
	var buf bytes.Buffer
	if err := a.page.Execute(&buf, newPageData(a, r.Host, st)); err != nil {
		a.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// SessionJSON serves GET /api/session: it counts a visit and answers the
// state as JSON.
func (a *App) SessionJSON(w http.ResponseWriter, r *http.Request, s *sessions.Session) {
	st, err := visit(s)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// Login serves POST /api/login: it reads "user" from the form or the JSON
// body, gives the session a new key (so a key planted before login is
// worthless: session fixation) and stores the user.
func (a *App) Login(w http.ResponseWriter, r *http.Request, s *sessions.Session) {
	user, err := readUser(w, r)
	if err != nil {
		a.badRequest(w, r, err)
		return
	}
	if err := s.CycleKey(); err != nil {
		a.fail(w, r, err)
		return
	}
	s.Set(keyUser, user)
	// The device for "your sessions": the demo trusts no proxy header,
	// so the IP is the connection's.
	if err := s.SetUser(user, sessions.DeviceOf(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	a.done(w, r, currentState(s))
}

// Logout serves POST /api/logout: Flush deletes the record now and the
// middleware deletes the cookie.
func (a *App) Logout(w http.ResponseWriter, r *http.Request, s *sessions.Session) {
	if err := s.Flush(); err != nil {
		a.fail(w, r, err)
		return
	}
	a.done(w, r, State{})
}

// Healthz serves GET /healthz. It never touches the session, so it costs
// no store round trip and sets no cookie.
func Healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// done answers a successful POST: browsers go back to the page (303, so
// that a reload does not post again), API clients get the new state.
func (a *App) done(w http.ResponseWriter, r *http.Request, st State) {
	if wantsHTML(r) {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// badRequest answers a request the client got wrong.
func (a *App) badRequest(w http.ResponseWriter, r *http.Request, err error) {
	if wantsHTML(r) {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error()})
}

// fail answers a server-side failure (the store is down) without saying
// more than that to the client.
func (a *App) fail(w http.ResponseWriter, r *http.Request, err error) {
	a.Log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	code := errorStatus(err)
	if wantsHTML(r) {
		http.Error(w, http.StatusText(code), code)
		return
	}
	writeJSON(w, code, errorBody{Error: http.StatusText(code)})
}

// errorStatus is the status a session error answers with.
func errorStatus(err error) int {
	if errors.Is(err, sessions.ErrSessionDeleted) {
		// Logged out in another tab while this request ran: the client's
		// doing, as Django's SessionInterrupted.
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(append(body, '\n'))
}
