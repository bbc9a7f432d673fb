package cookiestore_test

import (
	"crypto/rand"
	"testing"
	"time"

	cookiestore "github.com/sessionkit/sessionkit/stores/cookie"
)

// FuzzDecode checks that Decode never panics and never accepts a value it
// did not produce. Secret and keys are random per process, so the only
// values that can verify are the seeds made below; anything else that
// decodes is a forgery.
func FuzzDecode(f *testing.F) {
	sg := signer(f, rand.Text())
	material := []byte(rand.Text() + rand.Text())
	signed := mustNew(f, cookiestore.Options{})
	sealed := mustNew(f, cookiestore.Options{EncryptionKeys: [][]byte{material}})
	now := time.Unix(djangoTime, 0)

	valid := make(map[string]string)
	for _, data := range []string{`{}`, `{"foo":"bar"}`, `{"k":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}`} {
		for _, s := range []*cookiestore.Store{signed, sealed} {
			v := mustEncode(f, s, sg, data, now)
			valid[v] = data
			f.Add(v)
		}
	}
	for _, seed := range []string{"", ":", "::", "e30::", ".:", "v1.", "v1.AAAA", djangoFooBar, djangoEmpty, ".eJyrVkrLz1eyUkpKLFKqBQAdegQ0:1r31eq:x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		for _, s := range []*cookiestore.Store{signed, sealed} {
			got, err := s.Decode(sg, value, time.Hour, now.Add(time.Minute))
			if err != nil {
				continue
			}
			want, ok := valid[value]
			if !ok {
				t.Fatalf("accepted a value it never produced: %q -> %q", value, got)
			}
			if string(got) != want {
				t.Fatalf("Decode(%q) = %q, want %q", value, got, want)
			}
		}
	})
}
