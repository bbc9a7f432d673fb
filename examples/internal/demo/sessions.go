package demo

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
)

// The "your sessions" page: the logged-in user's sessions, as the store's
// per-user index finds them, with "log out this one" for each other
// session and "log out all other devices". The list comes from the store,
// so it is the same on every instance; the IDs it shows are not keys.

//go:embed sessions.html
var sessionsHTML string

var sessionsPage = template.Must(template.New("sessions").Parse(sessionsHTML))

// SessionRow is one listed session, as the page and the JSON route show it.
type SessionRow struct {
	ID       string `json:"id"`
	Device   string `json:"device"`
	IP       string `json:"ip"`
	Login    string `json:"login"`
	LastSeen string `json:"last_seen"`
	Expiry   string `json:"expiry"`
	Current  bool   `json:"current"`
}

// SessionList is what GET /sessions answers.
type SessionList struct {
	User string `json:"user"`
	// Unsupported: the store keeps no per-user index (the cookie store).
	Unsupported bool         `json:"unsupported,omitempty"`
	Sessions    []SessionRow `json:"sessions"`
}

// Sessions serves GET /sessions: the logged-in user's sessions, this one
// marked. Anonymous requests go back to the page (401 for API clients).
func (a *App) Sessions(w http.ResponseWriter, r *http.Request, s *sessions.Session) {
	if err := s.Load(); err != nil {
		a.fail(w, r, err)
		return
	}
	user := s.User()
	if user == "" {
		a.anonymous(w, r)
		return
	}
	list := SessionList{User: user, Sessions: []SessionRow{}}
	found, err := a.Manager.UserSessions(r.Context(), user)
	switch {
	case errors.Is(err, sessions.ErrNoUserIndex):
		list.Unsupported = true
	case err != nil:
		a.fail(w, r, err)
		return
	}
	current := s.ID()
	for _, us := range found {
		list.Sessions = append(list.Sessions, SessionRow{
			ID: us.ID, Device: shortAgent(us.UserAgent), IP: us.IP,
			Login: stamp(us.Login), LastSeen: stamp(us.LastSeen), Expiry: stamp(us.Expiry),
			Current: us.ID == current,
		})
	}
	if !wantsHTML(r) {
		writeJSON(w, http.StatusOK, list)
		return
	}
	var buf bytes.Buffer
	data := struct {
		SessionList
		Framework string
	}{list, a.cfg.Framework}
	if err := sessionsPage.Execute(&buf, data); err != nil {
		a.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// RevokeSession serves POST /api/sessions/revoke: it ends the session of
// the logged-in user whose ID the form names. Another user's ID, or one
// that is gone, is 404 and changes nothing.
func (a *App) RevokeSession(w http.ResponseWriter, r *http.Request, s *sessions.Session) {
	if err := s.Load(); err != nil {
		a.fail(w, r, err)
		return
	}
	user := s.User()
	if user == "" {
		a.anonymous(w, r)
		return
	}
	id := r.PostFormValue("id")
	err := a.Manager.RevokeSession(r.Context(), user, id)
	switch {
	case errors.Is(err, sessions.ErrNotFound):
		a.notFound(w, r, "no such session")
		return
	case err != nil:
		a.fail(w, r, err)
		return
	}
	a.doneAt(w, r, "/sessions")
}

// RevokeOthers serves POST /api/sessions/revoke-others: "log out all
// other devices".
func (a *App) RevokeOthers(w http.ResponseWriter, r *http.Request, s *sessions.Session) {
	if err := s.Load(); err != nil {
		a.fail(w, r, err)
		return
	}
	if s.User() == "" {
		a.anonymous(w, r)
		return
	}
	if _, err := s.LogoutOtherDevices(); err != nil {
		a.fail(w, r, err)
		return
	}
	a.doneAt(w, r, "/sessions")
}

// anonymous answers a sessions route without a logged-in user.
func (a *App) anonymous(w http.ResponseWriter, r *http.Request) {
	if wantsHTML(r) {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusUnauthorized, errorBody{Error: "not logged in"})
}

func (a *App) notFound(w http.ResponseWriter, r *http.Request, msg string) {
	if wantsHTML(r) {
		http.Error(w, msg, http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusNotFound, errorBody{Error: msg})
}

// doneAt is done for a route whose browser users go back to path.
func (a *App) doneAt(w http.ResponseWriter, r *http.Request, path string) {
	if wantsHTML(r) {
		http.Redirect(w, r, path, http.StatusSeeOther)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// stamp formats a time for the page, "" for an unknown one.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// shortAgent names a browser by the product tokens people recognise, or
// the User-Agent's first 60 bytes.
func shortAgent(ua string) string {
	for _, p := range []string{"Edg/", "Firefox/", "HeadlessChrome/", "Chrome/", "Safari/", "curl/", "Go-http-client/"} {
		if i := strings.Index(ua, p); i >= 0 {
			name, _, _ := strings.Cut(ua[i:], " ")
			return name
		}
	}
	if ua == "" {
		return "unknown device"
	}
	return fmt.Sprintf("%.60s", ua)
}
