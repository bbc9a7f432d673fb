package sessions_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	"github.com/sessionkit/sessionkit/core/signing"
)

// flashT0 is the vectors' fixed time, 2023-11-14T22:13:20Z.
var flashT0 = time.Unix(1700000000, 0).UTC()

// flashManager is a Manager over a fresh memstore with a clock at flashT0.
func flashManager(t testing.TB) *sessions.Manager {
	t.Helper()
	now := func() time.Time { return flashT0 }
	store := memstore.New(memstore.Options{Clock: now})
	t.Cleanup(func() { _ = store.Close() })
	m, err := sessions.New(sessions.Config{Store: store, Secret: "flash-test-secret", Clock: now})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// flashSeed saves values as a new session and returns its key.
func flashSeed(t *testing.T, m *sessions.Manager, values map[string]any) string {
	t.Helper()
	s := m.Open(t.Context(), "")
	for k, v := range values {
		s.Set(k, v)
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	return s.Key()
}

// flashSaveReopen saves s and opens its key again: what the next request
// sees.
func flashSaveReopen(t *testing.T, m *sessions.Manager, s *sessions.Session) *sessions.Session {
	t.Helper()
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	return m.Open(t.Context(), s.Key())
}

func flashStored(t *testing.T, s *sessions.Session) string {
	t.Helper()
	v, ok := s.Get(sessions.FlashKey)
	if !ok {
		t.Fatalf("%s is not set", sessions.FlashKey)
	}
	str, ok := v.(string)
	if !ok {
		t.Fatalf("%s is a %T, want a string", sessions.FlashKey, v)
	}
	return str
}

func flashEqual(t *testing.T, what string, got, want []sessions.Flash) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// ---------------------------------------------------------------- vectors --

// flashVectorFile is what these tests read of one Django version's
// vectors (testdata/django/vectors*.json): the "messages" section.
type flashVectorFile struct {
	DjangoVersion string `json:"django_version"`
	FixedTime     int64  `json:"fixed_time"`
	Settings      struct {
		SecretKey string `json:"SECRET_KEY"`
	} `json:"settings"`
	Messages struct {
		SessionKey string            `json:"session_key"`
		Cases      []flashVectorCase `json:"cases"`
		Consumed   struct {
			SessionBefore map[string]any `json:"session_before"`
			SessionAfter  map[string]any `json:"session_after"`
			Modified      bool           `json:"modified"`
		} `json:"consumed"`
	} `json:"messages"`
}

type flashVectorCase struct {
	Name  string `json:"name"`
	Input []struct {
		Level     int     `json:"level"`
		Message   string  `json:"message"`
		ExtraTags *string `json:"extra_tags"`
		IsSafe    bool    `json:"is_safe"`
	} `json:"input"`
	StoredValue string `json:"stored_value"`
	Decoded     []struct {
		Level     int     `json:"level"`
		Message   string  `json:"message"`
		ExtraTags *string `json:"extra_tags"`
		IsSafe    bool    `json:"is_safe"`
		LevelTag  string  `json:"level_tag"`
		Tags      string  `json:"tags"`
	} `json:"decoded"`
	SignedCookie struct {
		Value          string `json:"value"`
		Compressed     bool   `json:"compressed"`
		SerializedJSON string `json:"serialized_json"`
		Salt           string `json:"salt"`
	} `json:"signed_cookie"`
}

// want is what Go must decode: Django's decoded messages, None as "".
func (c flashVectorCase) want() []sessions.Flash {
	var out []sessions.Flash
	for _, d := range c.Decoded {
		f := sessions.Flash{Level: sessions.Level(d.Level), Message: d.Message, Safe: d.IsSafe}
		if d.ExtraTags != nil {
			f.ExtraTags = *d.ExtraTags
		}
		out = append(out, f)
	}
	return out
}

// goWritable reports whether AddFlash can add the case's input: Go adds
// neither safe messages nor a None extra_tags.
func (c flashVectorCase) goWritable() bool {
	for _, in := range c.Input {
		if in.IsSafe || in.ExtraTags == nil {
			return false
		}
	}
	return true
}

func flashLoadVectors(t testing.TB) []flashVectorFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "django", "vectors*.json"))
	if err != nil || len(paths) != 4 {
		t.Fatalf("want the vectors of 4 Django versions, found %v (%v)", paths, err)
	}
	var files []flashVectorFile
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var f flashVectorFile
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if f.Messages.SessionKey != sessions.FlashKey || len(f.Messages.Cases) == 0 {
			t.Fatalf("%s: session_key %q, %d cases", p, f.Messages.SessionKey, len(f.Messages.Cases))
		}
		files = append(files, f)
	}
	return files
}

// flashModern returns the vectors of the newest Django; Go writes what it
// writes.
func flashModern(t *testing.T, files []flashVectorFile) map[string]string {
	t.Helper()
	for _, f := range files {
		if f.DjangoVersion == "6.0.5" {
			out := map[string]string{}
			for _, c := range f.Messages.Cases {
				out[c.Name] = c.StoredValue
			}
			return out
		}
	}
	t.Fatal("no Django 6.0 vectors")
	return nil
}

// Every recorded _messages value of Django 3.2, 4.2, 5.2 and 6.0, stored in
// a session, saved and loaded, reads as the messages Django decoded, with
// Django's level_tag and tags. Flashes removes them; PeekFlashes does not.
func TestFlashVectorsDecode(t *testing.T) {
	for _, file := range flashLoadVectors(t) {
		for _, c := range file.Messages.Cases {
			t.Run(file.DjangoVersion+"/"+c.Name, func(t *testing.T) {
				m := flashManager(t)
				key := flashSeed(t, m, map[string]any{sessions.FlashKey: c.StoredValue, "other": "kept"})
				s := m.Open(t.Context(), key)
				want := c.want()
				flashEqual(t, "PeekFlashes", s.PeekFlashes(), want)
				if s.Modified() {
					t.Error("PeekFlashes modified the session")
				}
				got := s.Flashes()
				flashEqual(t, "Flashes", got, want)
				for i, f := range got {
					if d := c.Decoded[i]; f.Tags() != d.Tags || f.Level.String() != d.LevelTag {
						t.Errorf("message %d: Tags() %q, Level %q; Django: tags %q, level_tag %q", i, f.Tags(), f.Level, d.Tags, d.LevelTag)
					}
				}
				if !s.Modified() || s.Has(sessions.FlashKey) {
					t.Errorf("after Flashes: modified %v, %s present %v", s.Modified(), sessions.FlashKey, s.Has(sessions.FlashKey))
				}
				next := flashSaveReopen(t, m, s)
				if got := next.Values(); len(got) != 1 || got["other"] != "kept" {
					t.Errorf("next request's session: %v", got)
				}
				if f := next.Flashes(); f != nil {
					t.Errorf("next request's Flashes: %+v, want none", f)
				}
			})
		}
	}
}

// The signed_cookies values Django set for every case carry the stored
// value in the session JSON that Go's codec writes byte for byte, and the
// cookies Django did not compress are exactly what Go's signer makes.
func TestFlashVectorsSignedCookie(t *testing.T) {
	for _, file := range flashLoadVectors(t) {
		sg, err := signing.New(signing.Options{Secret: file.Settings.SecretKey, Salt: signing.CookieSalt})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Unix(file.FixedTime, 0)
		for _, c := range file.Messages.Cases {
			t.Run(file.DjangoVersion+"/"+c.Name, func(t *testing.T) {
				ck := c.SignedCookie
				if ck.Salt != signing.CookieSalt {
					t.Fatalf("salt %q", ck.Salt)
				}
				data, err := sg.Loads(ck.Value, 0, now)
				if err != nil || string(data) != ck.SerializedJSON {
					t.Fatalf("Loads(Django's cookie) = %q, %v; want %q", data, err, ck.SerializedJSON)
				}
				values, err := sessions.JSONCodec{}.Decode(data)
				if err != nil || len(values) != 1 || values[sessions.FlashKey] != c.StoredValue {
					t.Fatalf("Django's cookie holds %v (%v), want only %s = %q", values, err, sessions.FlashKey, c.StoredValue)
				}
				enc, err := sessions.JSONCodec{}.Append(nil, map[string]any{sessions.FlashKey: c.StoredValue})
				if err != nil || string(enc) != ck.SerializedJSON {
					t.Fatalf("Go's session JSON %s (%v), Django's %s", enc, err, ck.SerializedJSON)
				}
				if !ck.Compressed {
					if got := sg.Dumps(enc, true, now); got != ck.Value {
						t.Errorf("Go's cookie %s\nDjango's  %s", got, ck.Value)
					}
				}
			})
		}
	}
}

// AddFlash writes what Django 4.2, 5.2 and 6.0 store for the same
// add_message calls, byte for byte, through a real save and load. Django
// 3.2 writes the same but for the empty extra_tags element, which it leaves
// out (and reads back as "" from Go).
func TestFlashVectorsEncode(t *testing.T) {
	files := flashLoadVectors(t)
	modern := flashModern(t, files)
	for _, file := range files {
		for _, c := range file.Messages.Cases {
			if !c.goWritable() {
				continue
			}
			t.Run(file.DjangoVersion+"/"+c.Name, func(t *testing.T) {
				m := flashManager(t)
				s := m.Open(t.Context(), "")
				for _, in := range c.Input {
					var tags []string
					if *in.ExtraTags != "" {
						tags = strings.Fields(*in.ExtraTags) // joined back with single spaces
					}
					s.AddFlash(sessions.Level(in.Level), in.Message, tags...)
				}
				next := flashSaveReopen(t, m, s)
				got := flashStored(t, next)
				want := c.StoredValue
				if strings.HasPrefix(file.DjangoVersion, "3.") {
					if strings.ReplaceAll(got, `, ""]`, "]") != want {
						t.Errorf("Go's value, empty extra_tags left out:\n got %s\nwant %s", got, want)
					}
					want = modern[c.Name]
				}
				if got != want {
					t.Errorf("Go wrote\n  %s\nDjango %s wrote\n  %s", got, file.DjangoVersion, want)
				}
				var wantFlashes []sessions.Flash
				for _, in := range c.Input {
					wantFlashes = append(wantFlashes, sessions.Flash{Level: sessions.Level(in.Level), Message: in.Message, ExtraTags: *in.ExtraTags})
				}
				flashEqual(t, "read back", next.Flashes(), wantFlashes)
			})
		}
	}
}

// A message Go adds after Django's keeps Django's messages byte for byte,
// including safe ones and those without extra_tags, which Go cannot add.
func TestFlashVectorsAppend(t *testing.T) {
	const added = `["__json_message", 0, 30, "From Go \u2713 <b>", "go x"]`
	for _, file := range flashLoadVectors(t) {
		for _, c := range file.Messages.Cases {
			t.Run(file.DjangoVersion+"/"+c.Name, func(t *testing.T) {
				m := flashManager(t)
				s := m.Open(t.Context(), flashSeed(t, m, map[string]any{sessions.FlashKey: c.StoredValue}))
				s.AddFlash(sessions.LevelWarning, "From Go ✓ <b>", "go", "x")
				next := flashSaveReopen(t, m, s)
				want := strings.TrimSuffix(c.StoredValue, "]") + ", " + added + "]"
				if got := flashStored(t, next); got != want {
					t.Errorf("after AddFlash:\n got %s\nwant %s", got, want)
				}
				wantFlashes := append(c.want(), sessions.Flash{Level: sessions.LevelWarning, Message: "From Go ✓ <b>", ExtraTags: "go x"})
				flashEqual(t, "Flashes", next.Flashes(), wantFlashes)
			})
		}
	}
}

// Django's "consumed" vector: reading every message and updating leaves
// the session without _messages, and modified.
func TestFlashVectorsConsumed(t *testing.T) {
	for _, file := range flashLoadVectors(t) {
		t.Run(file.DjangoVersion, func(t *testing.T) {
			cv := file.Messages.Consumed
			m := flashManager(t)
			s := m.Open(t.Context(), flashSeed(t, m, cv.SessionBefore))
			if len(s.Flashes()) == 0 {
				t.Fatal("no messages")
			}
			if s.Modified() != cv.Modified {
				t.Errorf("modified %v, Django %v", s.Modified(), cv.Modified)
			}
			if got := flashSaveReopen(t, m, s).Values(); len(got) != len(cv.SessionAfter) {
				t.Errorf("session after: %v, Django %v", got, cv.SessionAfter)
			}
		})
	}
}

// ------------------------------------------------------------------ units --

func TestFlashLevelString(t *testing.T) {
	tests := []struct {
		level sessions.Level
		want  string
	}{
		{sessions.LevelDebug, "debug"},
		{sessions.LevelInfo, "info"},
		{sessions.LevelSuccess, "success"},
		{sessions.LevelWarning, "warning"},
		{sessions.LevelError, "error"},
		{0, ""}, {5, ""}, {11, ""}, {35, ""}, {50, ""}, {-10, ""},
	}
	for _, tt := range tests {
		if got := tt.level.String(); got != tt.want {
			t.Errorf("Level(%d).String() = %q, want %q", int(tt.level), got, tt.want)
		}
	}
	if v := []int{int(sessions.LevelDebug), int(sessions.LevelInfo), int(sessions.LevelSuccess), int(sessions.LevelWarning), int(sessions.LevelError)}; !slices.Equal(v, []int{10, 20, 25, 30, 40}) {
		t.Errorf("levels %v, want Django's 10 20 25 30 40", v)
	}
}

func TestFlashTags(t *testing.T) {
	tests := []struct {
		f    sessions.Flash
		want string
	}{
		{sessions.Flash{Level: sessions.LevelInfo}, "info"},
		{sessions.Flash{Level: sessions.LevelError, ExtraTags: "a b"}, "a b error"},
		{sessions.Flash{Level: 35, ExtraTags: "a b"}, "a b"},
		{sessions.Flash{Level: 35}, ""},
		{sessions.Flash{Level: sessions.LevelDebug, ExtraTags: " "}, "  debug"}, // Django does not trim
	}
	for _, tt := range tests {
		if got := tt.f.Tags(); got != tt.want {
			t.Errorf("%+v.Tags() = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestFlashAdd(t *testing.T) {
	m := flashManager(t)
	s := m.Open(t.Context(), "")
	s.AddFlash(sessions.LevelError, "Failed", "a", "b")
	s.AddFlash(sessions.LevelInfo, "") // ignored, as by Django
	s.AddFlash(sessions.Level(7), "custom", "")
	s.AddFlash(sessions.LevelDebug, "quote \" \\ \x7f é 😀 \u2028")
	want := `[["__json_message", 0, 40, "Failed", "a b"], ` +
		`["__json_message", 0, 7, "custom", ""], ` +
		`["__json_message", 0, 10, "quote \" \\ \u007f \u00e9 \ud83d\ude00 \u2028", ""]]`
	if got := flashStored(t, s); got != want {
		t.Errorf("stored\n  %s\nwant\n  %s", got, want)
	}
	next := flashSaveReopen(t, m, s)
	flashEqual(t, "Flashes", next.Flashes(), []sessions.Flash{
		{Level: sessions.LevelError, Message: "Failed", ExtraTags: "a b"},
		{Level: 7, Message: "custom"},
		{Level: sessions.LevelDebug, Message: "quote \" \\ \x7f é 😀 \u2028"},
	})
}

// No message stored: reading costs no write, and an empty AddFlash changes
// nothing.
func TestFlashReadOnlyNoWrite(t *testing.T) {
	m := flashManager(t)
	key := flashSeed(t, m, map[string]any{"user": "zoe"})
	s := m.Open(t.Context(), key)
	if f := s.PeekFlashes(); f != nil {
		t.Errorf("PeekFlashes = %+v", f)
	}
	if f := s.Flashes(); f != nil {
		t.Errorf("Flashes = %+v", f)
	}
	s.AddFlash(sessions.LevelInfo, "")
	if s.Modified() {
		t.Error("session modified by reading no messages")
	}
	if empty := m.Open(t.Context(), ""); empty.Flashes() != nil || empty.Modified() {
		t.Error("a new session changed by Flashes")
	}
}

// The point of flashes: a message added before a redirect is shown by the
// next request, once, and reading it is the only write it costs.
func TestFlashSurvivesRedirect(t *testing.T) {
	m := flashManager(t)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /save", func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		s.Set("user", "zoe") // so the session outlives its messages
		s.AddFlash(sessions.LevelSuccess, "Saved.")
		s.AddFlash(sessions.LevelWarning, "Check your e-mail.", "mail")
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		for _, f := range sessions.FromContext(r.Context()).Flashes() {
			fmt.Fprintf(w, "[%s] %s\n", f.Tags(), f.Message)
		}
	})
	app := m.Middleware(mux)
	do := func(method, target, cookie string) (*http.Response, string) {
		req := httptest.NewRequest(method, target, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		return rec.Result(), rec.Body.String()
	}
	res, _ := do(http.MethodPost, "/save", "")
	setCookie := res.Header.Get("Set-Cookie")
	if res.StatusCode != http.StatusSeeOther || setCookie == "" {
		t.Fatalf("POST: %d, Set-Cookie %q", res.StatusCode, setCookie)
	}
	cookie := strings.SplitN(setCookie, ";", 2)[0]
	if _, body := do(http.MethodGet, "/", cookie); body != "[success] Saved.\n[mail warning] Check your e-mail.\n" {
		t.Errorf("after the redirect: %q", body)
	}
	res, body := do(http.MethodGet, "/", cookie)
	if body != "" {
		t.Errorf("second view shows %q again", body)
	}
	if c := res.Header.Get("Set-Cookie"); c != "" {
		t.Errorf("a view with no messages set a cookie: %q", c)
	}
}

// Malformed content is never a panic: Flashes returns what Django could
// decode and removes the rest, and AddFlash keeps only the messages.
func TestFlashMalformed(t *testing.T) {
	const added = `["__json_message", 0, 20, "new", ""]`
	fresh := "[" + added + "]"
	info := func(msg string) sessions.Flash { return sessions.Flash{Level: sessions.LevelInfo, Message: msg} }
	tests := []struct {
		name  string
		value any
		want  []sessions.Flash
		// wantAdd is _messages after AddFlash(LevelInfo, "new"); "" means fresh.
		wantAdd string
	}{
		{name: "int", value: int64(5)},
		{name: "float", value: 1.5},
		{name: "bool", value: true},
		{name: "null", value: nil},
		{name: "list", value: []any{[]any{"__json_message", int64(0), int64(20), "x"}}},
		{name: "dict", value: map[string]any{"a": "b"}},
		{name: "empty string", value: ""},
		{name: "not JSON", value: "garbage"},
		{name: "truncated", value: `[["__json_message", 0, 20, "x"]`},
		{name: "trailing data", value: `[["__json_message", 0, 20, "x"]] x`},
		{name: "NaN level", value: `[["__json_message", 0, NaN, "x"]]`},
		{name: "JSON null", value: "null"},
		{name: "JSON object", value: `{"a": ["__json_message", 0, 20, "x"]}`},
		{name: "JSON string", value: `"[]"`},
		{name: "empty list", value: "[]"},
		{name: "one bare message", value: `["__json_message", 0, 20, "x"]`},
		{name: "nested", value: `[[["__json_message", 0, 20, "x"]]]`},
		{name: "scalars", value: `[1, "a", null, true, {}]`},
		{name: "too short", value: `[["__json_message", 0, 20]]`},
		{name: "too long", value: `[["__json_message", 0, 20, "x", "t", "u"]]`},
		{name: "other marker", value: `[["__json_msg", 0, 20, "x"]]`},
		{name: "marker not a string", value: `[[1, 0, 20, "x"]]`},
		{name: "null message", value: `[["__json_message", 0, 20, null]]`},
		{name: "int message", value: `[["__json_message", 0, 20, 5]]`},
		{name: "int extra_tags", value: `[["__json_message", 0, 20, "x", 5]]`},
		{name: "null level", value: `[["__json_message", 0, null, "x"]]`},
		{name: "list level", value: `[["__json_message", 0, [20], "x"]]`},
		{name: "word level", value: `[["__json_message", 0, "info", "x"]]`},
		{name: "huge float level", value: `[["__json_message", 0, 1e400, "x"]]`},
		{name: "huge int level", value: `[["__json_message", 0, 100000000000000000000, "x"]]`},
		{
			name: "mixed", value: `[1, ["__json_message", 0, 20, "a"], ["__json_message", 0], ["__json_message", 1, 25, "b", null], "z"]`,
			want:    []sessions.Flash{info("a"), {Level: sessions.LevelSuccess, Message: "b", Safe: true}},
			wantAdd: `[["__json_message", 0, 20, "a"], ["__json_message", 1, 25, "b", null], ` + added + `]`,
		},
		{
			name: "odd spacing kept", value: " [ [\"__json_message\",0,20,\"a\"] ,\n[\"__json_message\" , 0 , 20 , \"b\" , \"t\"] ] ",
			want:    []sessions.Flash{info("a"), {Level: sessions.LevelInfo, Message: "b", ExtraTags: "t"}},
			wantAdd: `[["__json_message",0,20,"a"], ["__json_message" , 0 , 20 , "b" , "t"], ` + added + `]`,
		},
		// Levels Python's int() takes.
		{name: "float level truncates", value: `[["__json_message", 0, 20.9, "x"]]`, want: []sessions.Flash{info("x")}, wantAdd: flashKeep},
		{name: "negative float level", value: `[["__json_message", 0, -20.9, "x"]]`, want: []sessions.Flash{{Level: -20, Message: "x"}}, wantAdd: flashKeep},
		{name: "exponent level", value: `[["__json_message", 0, 2e1, "x"]]`, want: []sessions.Flash{info("x")}, wantAdd: flashKeep},
		{name: "string level", value: `[["__json_message", 0, " 20 ", "x"]]`, want: []sessions.Flash{info("x")}, wantAdd: flashKeep},
		{name: "bool level", value: `[["__json_message", 0, true, "x"]]`, want: []sessions.Flash{{Level: 1, Message: "x"}}, wantAdd: flashKeep},
		// is_safe is Python's truth value.
		{name: "safe 2", value: `[["__json_message", 2, 20, "x"]]`, want: []sessions.Flash{{Level: 20, Message: "x", Safe: true}}, wantAdd: flashKeep},
		{name: "safe true", value: `[["__json_message", true, 20, "x"]]`, want: []sessions.Flash{{Level: 20, Message: "x", Safe: true}}, wantAdd: flashKeep},
		{name: "safe string", value: `[["__json_message", "no", 20, "x"]]`, want: []sessions.Flash{{Level: 20, Message: "x", Safe: true}}, wantAdd: flashKeep},
		{name: "safe list", value: `[["__json_message", [0], 20, "x"]]`, want: []sessions.Flash{{Level: 20, Message: "x", Safe: true}}, wantAdd: flashKeep},
		{name: "safe dict", value: `[["__json_message", {"a": 0}, 20, "x"]]`, want: []sessions.Flash{{Level: 20, Message: "x", Safe: true}}, wantAdd: flashKeep},
		{name: "unsafe empty string", value: `[["__json_message", "", 20, "x"]]`, want: []sessions.Flash{info("x")}, wantAdd: flashKeep},
		{name: "unsafe -0.0", value: `[["__json_message", -0.0, 20, "x"]]`, want: []sessions.Flash{info("x")}, wantAdd: flashKeep},
		{name: "unsafe null", value: `[["__json_message", null, 20, "x"]]`, want: []sessions.Flash{info("x")}, wantAdd: flashKeep},
		{name: "unsafe empty list", value: `[["__json_message", [], 20, "x"]]`, want: []sessions.Flash{info("x")}, wantAdd: flashKeep},
		{name: "unsafe empty dict", value: `[["__json_message", {}, 20, "x"]]`, want: []sessions.Flash{info("x")}, wantAdd: flashKeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := flashManager(t)
			key := flashSeed(t, m, map[string]any{sessions.FlashKey: tt.value})

			s := m.Open(t.Context(), key)
			flashEqual(t, "PeekFlashes", s.PeekFlashes(), tt.want)
			flashEqual(t, "Flashes", s.Flashes(), tt.want)
			if s.Has(sessions.FlashKey) || !s.Modified() {
				t.Errorf("Flashes left %s (modified %v)", sessions.FlashKey, s.Modified())
			}

			s = m.Open(t.Context(), key)
			s.AddFlash(sessions.LevelInfo, "new")
			want := tt.wantAdd
			switch want {
			case "":
				want = fresh
			case flashKeep:
				want = strings.TrimSuffix(tt.value.(string), "]") + ", " + added + "]"
			}
			if got := flashStored(t, flashSaveReopen(t, m, s)); got != want {
				t.Errorf("after AddFlash:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// flashKeep in TestFlashMalformed: AddFlash appends to the value as it is.
const flashKeep = "keep"

// Flashes and AddFlash from many goroutines of one request: every message
// is read exactly once.
func TestFlashConcurrent(t *testing.T) {
	m := flashManager(t)
	s := m.Open(t.Context(), "")
	const writers, each = 8, 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[string]int{}
	read := func() {
		for _, f := range s.Flashes() {
			mu.Lock()
			seen[f.Message]++
			mu.Unlock()
		}
	}
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				s.AddFlash(sessions.LevelInfo, fmt.Sprintf("%d/%d", w, i))
			}
		})
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					read()
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	read()
	if len(seen) != writers*each {
		t.Errorf("%d distinct messages read, want %d", len(seen), writers*each)
	}
	for msg, n := range seen {
		if n != 1 {
			t.Errorf("%q read %d times", msg, n)
		}
	}
}

// FuzzFlashDecode: any _messages string decodes without a panic, and
// AddFlash appends to exactly what was decoded.
func FuzzFlashDecode(f *testing.F) {
	for _, file := range flashLoadVectors(f) {
		for _, c := range file.Messages.Cases {
			f.Add(c.StoredValue)
		}
	}
	for _, s := range []string{"", "[]", "null", "garbage", `[1, "a", null]`, `[["__json_message", 0, 20]]`,
		`[["__json_message", 1, "20", "x", null]]`, `[["__json_message", [], 1e400, "x"]]`, `[[[["__json_message", 0, 20, "x"]]]]`} {
		f.Add(s)
	}
	m := flashManager(f)
	f.Fuzz(func(t *testing.T, data string) {
		s := m.Open(t.Context(), "")
		s.Set(sessions.FlashKey, data)
		before := s.PeekFlashes()
		for _, fl := range before {
			_ = fl.Tags()
		}
		s.AddFlash(sessions.LevelError, "fuzz", "t")
		want := append(slices.Clone(before), sessions.Flash{Level: sessions.LevelError, Message: "fuzz", ExtraTags: "t"})
		if got := s.Flashes(); !slices.Equal(got, want) {
			t.Fatalf("after AddFlash on %q:\n got %+v\nwant %+v", data, got, want)
		}
		if s.Has(sessions.FlashKey) {
			t.Fatal("Flashes left the key")
		}
	})
}
