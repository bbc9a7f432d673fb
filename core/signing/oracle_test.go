package signing

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// djangoPython returns a Python interpreter that can import Django, or
// skips the test. Debian's python3-django provides one at /usr/bin/python3.
func djangoPython(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: not running Django")
	}
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if err := exec.Command(py, "-c", "import django").Run(); err == nil {
			return py
		}
	}
	t.Skip("no Python with Django available")
	return ""
}

// oracleLoads asks real Django to run signing.loads and returns the result
// re-serialized compactly, or ok=false when Django raised.
const oracleLoads = `
import sys, json, django
from django.conf import settings
settings.configure(SECRET_KEY=sys.argv[1])
django.setup()
from django.core import signing
out = []
for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    req = json.loads(line)
    try:
        v = signing.loads(req["value"], salt=req["salt"], max_age=req["max_age"])
        out.append({"ok": True, "data": json.dumps(v, separators=(",", ":"))})
    except Exception as e:
        out.append({"ok": False, "error": type(e).__name__})
print(json.dumps(out))
`

// TestDjangoOracle feeds values made by this package, including Go-zlib
// compressed ones, to real Django's signing.loads.
func TestDjangoOracle(t *testing.T) {
	py := djangoPython(t)
	secret := "oracle-secret-\u00e9-key"
	s := mustNew(t, Options{Secret: secret, Salt: CookieSalt})
	now := time.Now()
	docs := []string{
		`{}`,
		`{"foo":"bar"}`,
		`{"k":"` + strings.Repeat("ab", 300) + `"}`,
		`{"cart":[` + strings.TrimSuffix(strings.Repeat(`{"sku":"X1","qty":2},`, 40), ",") + `],"u":"\u00e9\ud83d\ude00"}`,
		`[1,2,3]`,
	}
	type req struct {
		Value  string `json:"value"`
		Salt   string `json:"salt"`
		MaxAge *int   `json:"max_age"`
	}
	var lines []string
	var want []string
	age := 60
	for _, d := range docs {
		for _, compress := range []bool{false, true} {
			v := s.Dumps([]byte(d), compress, now)
			b, _ := json.Marshal(req{v, CookieSalt, &age})
			lines = append(lines, string(b))
			want = append(want, d)
		}
	}
	// One expired value and one with the wrong salt must be rejected.
	expired := s.Dumps([]byte(`{}`), true, now.Add(-time.Hour))
	b, _ := json.Marshal(req{expired, CookieSalt, &age})
	lines = append(lines, string(b))
	b, _ = json.Marshal(req{s.Dumps([]byte(`{}`), true, now), SessionSalt, nil})
	lines = append(lines, string(b))

	cmd := exec.Command(py, "-c", oracleLoads, secret)
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("django: %v", err)
	}
	var res []struct {
		OK    bool   `json:"ok"`
		Data  string `json:"data"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(lines) {
		t.Fatalf("django output %q: %v", out, err)
	}
	for i, w := range want {
		if !res[i].OK || !jsonEqual(t, []byte(res[i].Data), []byte(w)) {
			t.Errorf("doc %d (%s): django says %+v", i, lines[i], res[i])
		}
	}
	if r := res[len(want)]; r.OK || r.Error != "SignatureExpired" {
		t.Errorf("expired value: django says %+v", r)
	}
	if r := res[len(want)+1]; r.OK || r.Error != "BadSignature" {
		t.Errorf("wrong salt: django says %+v", r)
	}
}
