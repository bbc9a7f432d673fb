package demo

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestWantsHTML(t *testing.T) {
	tests := []struct {
		accept []string
		want   bool
	}{
		{nil, false},
		{[]string{"*/*"}, false},
		{[]string{"application/json"}, false},
		{[]string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, true},
		{[]string{"application/json", "Text/HTML; q=0.1"}, true},
		{[]string{"text/htmlx"}, false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		for _, a := range tt.accept {
			r.Header.Add("Accept", a)
		}
		if got := wantsHTML(r); got != tt.want {
			t.Errorf("wantsHTML(%q) = %v, want %v", tt.accept, got, tt.want)
		}
	}
}

func TestReadUser(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		want        string
		wantErr     error
	}{
		{"form", "application/x-www-form-urlencoded", "user=alice", "alice", nil},
		{"form trimmed", "application/x-www-form-urlencoded", "user=+alice+", "alice", nil},
		{"form unicode", "application/x-www-form-urlencoded", "user=J%C3%BCrgen", "Jürgen", nil},
		{"JSON", "application/json", `{"user":"bob"}`, "bob", nil},
		{"JSON with charset", "application/json; charset=utf-8", `{"user":"bob"}`, "bob", nil},
		{"markup is kept (the page escapes it)", "application/json", `{"user":"<b>x</b>"}`, "<b>x</b>", nil},
		{"missing", "application/x-www-form-urlencoded", "name=alice", "", errNoUser},
		{"blank", "application/json", `{"user":"  "}`, "", errNoUser},
		{"control character", "application/json", `{"user":"a\u0007b"}`, "", errInvalidUser},
		{"newline", "application/x-www-form-urlencoded", "user=a%0Ab", "", errInvalidUser},
		{"too long", "application/json", `{"user":"` + strings.Repeat("é", maxUserLen+1) + `"}`, "", errInvalidUser},
		{"longest", "application/json", `{"user":"` + strings.Repeat("é", maxUserLen) + `"}`, strings.Repeat("é", maxUserLen), nil},
		{"bad JSON", "application/json", `{"user":`, "", errBadBody},
		{"JSON not an object", "application/json", `["alice"]`, "", errBadBody},
		{"body too large", "application/x-www-form-urlencoded", "user=" + strings.Repeat("a", maxLoginBody), "", errBadBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/login", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.contentType)
			got, err := readUser(httptest.NewRecorder(), r)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("readUser = %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// FuzzReadUser checks that any login body gives either an error or a
// short, printable, trimmed name.
func FuzzReadUser(f *testing.F) {
	f.Add("application/json", `{"user":"alice"}`)
	f.Add("application/x-www-form-urlencoded", "user=bob&user=carol")
	f.Add("application/x-www-form-urlencoded", "user=%ZZ")
	f.Add("text/plain", "user=x")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		r := httptest.NewRequest("POST", "/api/login", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		user, err := readUser(httptest.NewRecorder(), r)
		if err != nil {
			if user != "" {
				t.Fatalf("user %q with error %v", user, err)
			}
			return
		}
		if user == "" || user != strings.TrimSpace(user) || !utf8.ValidString(user) || utf8.RuneCountInString(user) > maxUserLen {
			t.Fatalf("accepted user %q", user)
		}
		if strings.IndexFunc(user, func(c rune) bool { return !unicode.IsPrint(c) }) >= 0 {
			t.Fatalf("accepted unprintable user %q", user)
		}
	})
}
