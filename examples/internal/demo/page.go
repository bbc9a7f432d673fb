package demo

import (
	_ "embed"
	"fmt"
	"html/template"
)

//go:embed page.html
var pageHTML string

// pageData is what page.html renders.
type pageData struct {
	Framework string
	Store     string
	Host      string // for the curl lines
	Visits    int
	LoggedIn  bool
	User      string
}

func newPageData(a *App, host string, st State) pageData {
	d := pageData{Framework: a.cfg.Framework, Store: a.cfg.Store, Host: host, Visits: st.Visits}
	if st.User != nil {
		d.LoggedIn, d.User = true, *st.User
	}
	return d
}

// parsePage parses the page template. html/template escapes everything it
// inserts, so a user name like "<script>" shows as text.
func parsePage() (*template.Template, error) {
	t, err := template.New("page").Parse(pageHTML)
	if err != nil {
		return nil, fmt.Errorf("demo: page template: %w", err)
	}
	return t, nil
}
