package sessions

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/sessionkit/sessionkit/core/internal/pyjson"
)

// FlashKey is the session key that holds the flash messages. Django's
// messages framework uses the same key when it stores messages in the
// session (django.contrib.messages.storage.session.SessionStorage).
const FlashKey = "_messages"

// Level is the level of a flash message. The constants have the values of
// django.contrib.messages.constants, and any other int is a valid custom
// level, as in Django.
type Level int

// Django's message levels.
const (
	LevelDebug   Level = 10
	LevelInfo    Level = 20
	LevelSuccess Level = 25
	LevelWarning Level = 30
	LevelError   Level = 40
)

// String returns the level's tag from Django's DEFAULT_TAGS: "debug",
// "info", "success", "warning" or "error". Any other level has no tag and
// gives "", as LEVEL_TAGS.get(level, "") does. A project's MESSAGE_TAGS
// setting is not applied.
func (l Level) String() string {
	switch l {
	case LevelDebug:
		return "debug"
	case LevelInfo:
		return "info"
	case LevelSuccess:
		return "success"
	case LevelWarning:
		return "warning"
	case LevelError:
		return "error"
	}
	return ""
}

// Flash is a one-shot message: Django's Message from the messages
// framework.
type Flash struct {
	Level   Level
	Message string
	// ExtraTags are the message's extra tags, separated by spaces. Django's
	// None (what Django 3.2 reads back for a message added without tags)
	// reads as "".
	ExtraTags string
	// Safe reports that Django marked the message safe (mark_safe): it is
	// HTML to render as is. Messages added by AddFlash are never safe;
	// escape them as any text.
	Safe bool
}

// Tags returns the CSS classes of the message, as Django's Message.tags:
// the extra tags and the level's tag joined by a space, leaving out
// whichever is empty.
func (f Flash) Tags() string {
	level := f.Level.String()
	switch {
	case f.ExtraTags == "":
		return level
	case level == "":
		return f.ExtraTags
	}
	return f.ExtraTags + " " + level
}

// AddFlash adds a message for the next request that reads the flashes,
// typically the one after a redirect. Extra tags are joined with spaces.
//
// The message is appended to the messages already under FlashKey, whoever
// added them: Django's messages keep their exact encoding. Elements that
// are not messages Django could show are dropped, and content that is not
// a JSON list is replaced by a list holding only the new message.
// As Django's add_message does, AddFlash ignores an empty message; unlike
// it, it stores every level (Django drops levels below MESSAGE_LEVEL,
// default LevelInfo, when they are added).
//
// The messages are stored the way Django's SessionStorage stores them: the
// value is a string holding the JSON that Django's MessageEncoder writes,
//
//	[["__json_message", 0, 20, "Saved.", ""], ...]
//
// with each message as ["__json_message", is_safe (0 or 1), level,
// message, extra_tags], json.dumps's default ", " separators and
// ensure_ascii escaping. Those are the bytes Django 4.1 and later write
// for add_message(request, level, message, extra_tags). Django 3.2 leaves
// out an empty extra_tags element; it reads the element back as "".
func (s *Session) AddFlash(level Level, message string, extraTags ...string) {
	if message == "" {
		return
	}
	// Under the session's lock: the read-modify-write is atomic for the
	// goroutines of one request, as every Session method is.
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureLoaded()
	prev, _ := s.values[FlashKey].(string)
	buf := make([]byte, 0, len(prev)+len(message)+48)
	buf = append(buf, '[')
	flashDecode(prev, func(raw []byte, _ Flash) {
		buf = append(buf, raw...)
		buf = append(buf, ", "...)
	})
	buf = append(buf, `["__json_message", 0, `...)
	buf = strconv.AppendInt(buf, int64(level), 10)
	buf = append(buf, ", "...)
	buf, _ = pyjson.AppendValue(buf, message) // strings never fail
	buf = append(buf, ", "...)
	buf, _ = pyjson.AppendValue(buf, strings.Join(extraTags, " "))
	buf = append(buf, "]]"...)
	s.values[FlashKey] = string(buf)
	s.markChanged(FlashKey, "AddFlash")
}

// Flashes returns the flash messages, oldest first, and removes them from
// the session, so they are shown once; Django's messages are among them.
// With none stored, it returns nil and leaves the session unmodified, so
// a request that only reads costs no save. Stored content it cannot decode
// is skipped, and removed with the rest.
func (s *Session) Flashes() []Flash {
	v, ok := s.Pop(FlashKey)
	if !ok {
		return nil
	}
	return flashList(v)
}

// PeekFlashes returns the flash messages without removing them.
func (s *Session) PeekFlashes() []Flash {
	v, ok := s.Get(FlashKey)
	if !ok {
		return nil
	}
	return flashList(v)
}

func flashList(v any) []Flash {
	data, _ := v.(string)
	var out []Flash
	flashDecode(data, func(_ []byte, f Flash) { out = append(out, f) })
	return out
}

// flashMarker opens every encoded message.
const flashMarker = "__json_message"

// flashDecode calls keep with the exact JSON text and the decoded message
// of each element of data that Django's MessageDecoder would turn into a
// Message, skipping other elements. data that is not a JSON array yields
// nothing.
//
// Django builds Message(*element[2:]) from any non-empty list whose first
// item is "__json_message", and Message.__init__ runs int(level); the
// rules below accept the elements for which that works and yields a
// message string: four or five items, a level Python's int() takes (an
// integer, a float, which truncates, a bool or an integer string) and that
// fits an int, a string message and a string or null extra_tags. is_safe
// is true when Python finds it truthy. Django fails on the other elements
// (or, for a list that is not a message, returns it as is), so Go skipping
// them loses nothing a Django view could show.
func flashDecode(data string, keep func(raw []byte, f Flash)) {
	if data == "" {
		return
	}
	var elems []json.RawMessage
	if json.Unmarshal([]byte(data), &elems) != nil {
		return
	}
	for _, raw := range elems {
		if f, ok := flashParse(raw); ok {
			keep(raw, f)
		}
	}
}

func flashParse(raw []byte) (Flash, bool) {
	var parts []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &parts) != nil || len(parts) < 4 || len(parts) > 5 {
		return Flash{}, false
	}
	var f Flash
	var marker string
	if !flashString(parts[0], &marker) || marker != flashMarker || !flashString(parts[3], &f.Message) {
		return Flash{}, false
	}
	if len(parts) == 5 && string(parts[4]) != "null" && !flashString(parts[4], &f.ExtraTags) {
		return Flash{}, false
	}
	level, ok := flashLevel(parts[2])
	if !ok {
		return Flash{}, false
	}
	f.Level = level
	f.Safe = flashTruthy(parts[1])
	return f, true
}

// flashString decodes a JSON string (not null) into *dst.
func flashString(raw json.RawMessage, dst *string) bool {
	return len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, dst) == nil
}

// flashLevel is Python's int() of a decoded JSON value.
func flashLevel(raw json.RawMessage) (Level, bool) {
	switch {
	case len(raw) == 0:
		return 0, false
	case raw[0] == '"':
		var s string
		if !flashString(raw, &s) {
			return 0, false
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, strconv.IntSize)
		return Level(n), err == nil
	case string(raw) == "true":
		return 1, true
	case string(raw) == "false":
		return 0, true
	case raw[0] == '-' || '0' <= raw[0] && raw[0] <= '9':
		s := string(raw)
		if !strings.ContainsAny(s, ".eE") {
			n, err := strconv.ParseInt(s, 10, strconv.IntSize)
			return Level(n), err == nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil { // ±Inf: Python's int() raises OverflowError
			return 0, false
		}
		f = math.Trunc(f)
		if f < float64(math.MinInt) || f >= -float64(math.MinInt) {
			return 0, false
		}
		return Level(f), true
	}
	return 0, false
}

// flashTruthy is Python's truth value of a decoded JSON value.
func flashTruthy(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return false
	}
	switch raw[0] {
	case 't':
		return true
	case 'f', 'n':
		return false
	case '"':
		return len(raw) > 2
	case '[':
		var a []json.RawMessage
		return json.Unmarshal(raw, &a) == nil && len(a) > 0
	case '{':
		var m map[string]json.RawMessage
		return json.Unmarshal(raw, &m) == nil && len(m) > 0
	}
	f, _ := strconv.ParseFloat(string(raw), 64) // too large: ±Inf, still true
	return f != 0
}
