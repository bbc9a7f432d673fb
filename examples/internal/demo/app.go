package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"sync"

	sessions "github.com/sessionkit/sessionkit/core"
)

// App holds what the routes need: the session manager, the CSRF check and
// the page template. Build it with Open and Close it after the server has
// shut down.
type App struct {
	// Manager runs the session lifecycle; each framework's adapter wraps it.
	Manager *sessions.Manager
	// CSRF refuses cross-origin POSTs (the login and logout forms). Its
	// Handler method is a net/http middleware; Check serves frameworks
	// whose middleware has another shape.
	CSRF *http.CrossOriginProtection
	// Log receives the errors the routes and the session manager meet.
	Log *slog.Logger

	cfg   Config
	page  *template.Template
	store *openedStore

	closeOnce sync.Once
	closeErr  error
}

// Store returns the server-side store, or nil with the cookie store.
func (a *App) Store() sessions.Store { return a.store.store }

// Open connects to the store cfg names and builds the App. ctx bounds the
// connection attempts only. Warnings (a random secret) go to stderr.
func Open(ctx context.Context, cfg Config, stderr io.Writer) (*App, error) {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if cfg.Secret == "" {
		cfg.Secret = rand.Text() + rand.Text()
		fmt.Fprint(stderr, randomSecretWarning)
	}
	page, err := parsePage()
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	m, err := sessions.New(sessions.Config{
		Store:       st.store,
		ClientStore: st.client,
		Secret:      cfg.Secret,
		// The defaults are what a browser app wants: HttpOnly, SameSite=Lax,
		// Path=/, two weeks. Behind HTTPS, also set Cookie.Secure.
		// The default error handler logs store errors here and answers
		// 400 or 500 with a generic body.
		Logger: log,
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("demo: %w", err), st.close())
	}
	a := &App{
		Manager: m,
		CSRF:    http.NewCrossOriginProtection(),
		Log:     log,
		cfg:     cfg,
		page:    page,
		store:   st,
	}
	return a, nil
}

const randomSecretWarning = `
**************************************************************************
* WARNING: SECRET_KEY is not set. Using a random secret: every session   *
* ends when this process exits. Set SECRET_KEY to a long random string   *
* (the same on every instance) before using this for anything real.     *
**************************************************************************

`

// Close stops the store's cleanup and closes its connections. Call it
// after the HTTP server has shut down, so that no request is cut off
// half-way through its save.
func (a *App) Close() error {
	a.closeOnce.Do(func() {
		a.closeErr = a.store.close()
	})
	return a.closeErr
}
