package django_test

import (
	"slices"
	"strings"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	gormstore "github.com/sessionkit/sessionkit/stores/gorm"
)

// djMessage is a message as a Django view sees it (op messages_read).
type djMessage struct {
	Level     int     `json:"level"`
	Message   string  `json:"message"`
	ExtraTags *string `json:"extra_tags"`
	IsSafe    bool    `json:"is_safe"`
	LevelTag  string  `json:"level_tag"`
	Tags      string  `json:"tags"`
}

// messagesResult is the result of the messages_* ops: Key (the db key or
// the new cookie value), SessionJSON, Value (the raw _messages) and, for
// messages_read, the messages shown.
type messagesResult struct {
	result
	Messages []djMessage `json:"messages"`
}

// djangoMessages is django() for the messages_* ops, whose results carry
// a message list that result has no field for.
func djangoMessages(t *testing.T, cfg settings, ops ...op) []messagesResult {
	t.Helper()
	return djangoBatch[messagesResult](t, cfg, ops...)
}

// sameMessages compares what a Django view showed with the flashes Go
// meant: level, text, extra tags, safety, and Django's level_tag and tags
// against Level.String and Flash.Tags. strictTags also requires extra_tags
// to be the string "" rather than None when empty: what Django reads from
// a message Go wrote.
func sameMessages(t *testing.T, what string, got []djMessage, want []sessions.Flash, strictTags bool) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: Django shows %d messages %+v, want %d %+v", what, len(got), got, len(want), want)
	}
	for i, w := range want {
		g := got[i]
		tags := ""
		if g.ExtraTags != nil {
			tags = *g.ExtraTags
		}
		if g.Level != int(w.Level) || g.Message != w.Message || tags != w.ExtraTags || g.IsSafe != w.Safe ||
			g.LevelTag != w.Level.String() || g.Tags != w.Tags() || (strictTags && g.ExtraTags == nil) {
			t.Errorf("%s: message %d: Django shows %+v (extra_tags %v), want %+v (tags %q)", what, i, g, g.ExtraTags, w, w.Tags())
		}
	}
}

// messagesSession decodes a session_json and checks it still holds the
// user and holds _messages only when wantMessages.
func messagesSession(t *testing.T, what, sessionJSON string, wantMessages bool) {
	t.Helper()
	v, err := sessions.JSONCodec{}.Decode([]byte(sessionJSON))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if _, ok := v[sessions.FlashKey]; ok != wantMessages || v["user"] != "zoe" {
		t.Errorf("%s: session %s (want user kept, %s present %v)", what, sessionJSON, sessions.FlashKey, wantMessages)
	}
}

// Flash messages shared with Django's messages framework (SessionStorage)
// through a signed-cookie session and a db session on SQLite:
//
//   - flashes a Go handler adds are shown by a Django view with the same
//     level, text, tags and safety, and are gone after it;
//   - messages Django's add_message stores (safe ones, extra tags or none)
//     are read by Go's Flashes, which removes them;
//   - a message Go adds after Django's keeps them, and Django shows them all.
func TestMessages(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{"signed_cookies", "db"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			testMessages(t, engine)
		})
	}
}

func testMessages(t *testing.T, engine string) {
	c := newClock(T0)
	cfg := defaults()
	cfg.Engine = engine
	var m *sessions.Manager
	if engine == "signed_cookies" {
		m = cookieManager(t, c, sessions.Config{})
	} else {
		db := newDB(t, "sqlite")
		cfg.Database = db.dj
		djangoMessages(t, cfg, op{"op": "migrate"})
		store, err := gormstore.New(db.gorm, gormstore.Options{Table: "django_session", Clock: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = store.Close() })
		if m, err = sessions.New(sessions.Config{Store: store, Secret: secret, Clock: c.Now}); err != nil {
			t.Fatal(err)
		}
	}
	// request runs h in a Go view of the session cookie ("" for none) and
	// returns the cookie the browser holds after it: the db key, or the
	// signed value.
	request := func(what, cookie string, h func(s *sessions.Session)) string {
		t.Helper()
		res, set := serve(t, m, cookie, h)
		if res.StatusCode != 200 {
			t.Fatalf("%s: status %d", what, res.StatusCode)
		}
		if set == nil {
			return cookie
		}
		return set.Value
	}

	// 1. Go adds flashes; a Django view shows them.
	goFlashes := []sessions.Flash{
		{Level: sessions.LevelSuccess, Message: "Saved ✓ <b>not safe</b> & \"quoted\""},
		{Level: sessions.LevelDebug, Message: "debug from Go"},
		{Level: 35, Message: "custom level", ExtraTags: "a b"},
		{Level: sessions.LevelError, Message: "Zoë 😀 \\ / \x00 \n", ExtraTags: "ünï"},
	}
	k1 := request("Go adds", "", func(s *sessions.Session) {
		s.Set("user", "zoe")
		for _, f := range goFlashes {
			s.AddFlash(f.Level, f.Message, strings.Fields(f.ExtraTags)...)
		}
	})
	res := djangoMessages(t, cfg, op{"op": "messages_read", "key": k1, "now": T0 + 1})
	sameMessages(t, "Django reads Go's flashes", res[0].Messages, goFlashes, true)
	messagesSession(t, "after Django's view", res[0].SessionJSON, false)
	k2 := res[0].Key
	if engine == "db" && k2 != k1 {
		t.Fatalf("Django changed the session key: %q → %q", k1, k2)
	}
	request("Go after Django read", k2, func(s *sessions.Session) {
		if f := s.Flashes(); f != nil || s.GetString("user") != "zoe" {
			t.Errorf("Go still sees %+v after Django showed them (user %q)", f, s.GetString("user"))
		}
	})

	// 2. Django adds messages, to Go's session and to a new one; Go reads them.
	djAdds := []any{
		map[string]any{"level": 20, "message": "Hello from Django"},
		map[string]any{"level": 25, "message": "<b>safe</b> &amp; sound", "safe": true},
		map[string]any{"level": 30, "message": "tagged", "extra_tags": "a b"},
		map[string]any{"level": 40, "message": "Zoë ✓ 😀", "extra_tags": ""},
		map[string]any{"level": 10, "message": "debug from Django"},
		map[string]any{"level": 35, "message": "custom", "extra_tags": "x"},
	}
	djFlashes := []sessions.Flash{
		{Level: sessions.LevelInfo, Message: "Hello from Django"},
		{Level: sessions.LevelSuccess, Message: "<b>safe</b> &amp; sound", Safe: true},
		{Level: sessions.LevelWarning, Message: "tagged", ExtraTags: "a b"},
		{Level: sessions.LevelError, Message: "Zoë ✓ 😀"},
		{Level: sessions.LevelDebug, Message: "debug from Django"},
		{Level: 35, Message: "custom", ExtraTags: "x"},
	}
	res = djangoMessages(t, cfg,
		op{"op": "messages_add", "key": k2, "messages": djAdds, "storage_level": 10, "now": T0 + 2},
		op{"op": "messages_add", "key": "", "messages": djAdds, "storage_level": 10, "now": T0 + 2},
	)
	k3, djValue := res[0].Key, res[0].Value
	messagesSession(t, "after Django's add", res[0].SessionJSON, true)

	var peeked, read []sessions.Flash
	var readAgain []sessions.Flash
	kNew := request("Go reads Django's messages", res[1].Key, func(s *sessions.Session) {
		s.Set("user", "zoe")
		peeked = s.PeekFlashes()
		read = s.Flashes()
		readAgain = s.Flashes()
	})
	if !slices.Equal(peeked, djFlashes) || !slices.Equal(read, djFlashes) || readAgain != nil {
		t.Errorf("Go reads Django's messages:\npeek %+v\nread %+v\nagain %+v\nwant %+v", peeked, read, readAgain, djFlashes)
	}

	// 3. Go adds one after Django's, without reading; Django shows them all.
	var stored any
	k4 := request("Go appends", k3, func(s *sessions.Session) {
		s.AddFlash(sessions.LevelWarning, "appended by Go", "go")
		stored, _ = s.Get(sessions.FlashKey)
	})
	if str, _ := stored.(string); !strings.HasPrefix(str, strings.TrimSuffix(djValue, "]")+", ") {
		t.Errorf("Go's append did not keep Django's bytes:\n Go %s\n Django %s", str, djValue)
	}
	res = djangoMessages(t, cfg,
		op{"op": "messages_read", "key": k4, "now": T0 + 3},
		op{"op": "messages_read", "key": kNew, "now": T0 + 3},
	)
	want := append(djFlashes[:len(djFlashes):len(djFlashes)], sessions.Flash{Level: sessions.LevelWarning, Message: "appended by Go", ExtraTags: "go"})
	sameMessages(t, "Django reads its messages and Go's", res[0].Messages, want, false)
	messagesSession(t, "after Django's second view", res[0].SessionJSON, false)
	sameMessages(t, "Django after Go read its messages", res[1].Messages, nil, false)
	messagesSession(t, "the session Go read", res[1].SessionJSON, false)

	// 4. Nothing left: a Go view reads none and writes nothing.
	kAfter := res[0].Key
	resp, set := serve(t, m, kAfter, func(s *sessions.Session) {
		if f := s.Flashes(); f != nil {
			t.Errorf("Go sees %+v after Django showed them", f)
		}
	})
	if resp.StatusCode != 200 || set != nil {
		t.Errorf("a Go view with no messages: status %d, Set-Cookie %v", resp.StatusCode, set)
	}
}
