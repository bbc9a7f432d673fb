package demo

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxUserLen caps the user name, in characters.
const maxUserLen = 64

// maxLoginBody caps the login request body, form or JSON.
const maxLoginBody = 4 << 10

// Errors a login request can fail with.
var (
	errNoUser      = errors.New("demo: field \"user\" is missing or blank")
	errInvalidUser = fmt.Errorf("demo: field \"user\" must be printable text of at most %d characters", maxUserLen)
	errBadBody     = errors.New("demo: the body is neither a form nor a JSON object")
)

// wantsHTML reports whether the client asked for HTML: a browser's page
// load or form post does (Accept: text/html,...); curl (*/*) and fetch
// calls asking for JSON do not.
func wantsHTML(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		for part := range strings.SplitSeq(v, ",") {
			mt, _, _ := strings.Cut(part, ";")
			if strings.EqualFold(strings.TrimSpace(mt), "text/html") {
				return true
			}
		}
	}
	return false
}

// readUser returns the "user" of a login request: a JSON body
// {"user": "..."} when the Content-Type says JSON, a form field otherwise.
func readUser(w http.ResponseWriter, r *http.Request) (string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
	var user string
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		var body struct {
			User string `json:"user"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return "", fmt.Errorf("%w: %w", errBadBody, err)
		}
		user = body.User
	} else {
		if err := r.ParseForm(); err != nil {
			return "", fmt.Errorf("%w: %w", errBadBody, err)
		}
		user = r.PostForm.Get("user")
	}
	return validUser(user)
}

// validUser trims the name and checks it is short printable text. The page
// escapes it anyway (html/template); this keeps the session small and logs
// clean.
func validUser(user string) (string, error) {
	user = strings.TrimSpace(user)
	switch {
	case user == "":
		return "", errNoUser
	case !utf8.ValidString(user), utf8.RuneCountInString(user) > maxUserLen:
		return "", errInvalidUser
	}
	for _, c := range user {
		if !unicode.IsPrint(c) {
			return "", errInvalidUser
		}
	}
	return user, nil
}
