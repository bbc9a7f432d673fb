package signing_test

import (
	"fmt"
	"time"

	"github.com/sessionkit/sessionkit/core/signing"
)

// The worked example of the Django vectors: a signed-cookie session holding
// {"foo": "bar"}, signed at 1700000000 ("1r31eq" in base62).
func Example() {
	s, err := signing.New(signing.Options{
		Secret: "vectors-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-!@#$%^&*(-_=+)",
		Salt:   signing.CookieSalt,
	})
	if err != nil {
		panic(err)
	}
	now := time.Unix(1700000000, 0)
	cookie := s.Dumps([]byte(`{"foo":"bar"}`), true, now)
	fmt.Println(cookie)

	data, err := s.Loads(cookie, 14*24*time.Hour, now.Add(time.Minute))
	fmt.Println(string(data), err)
	// Output:
	// eyJmb28iOiJiYXIifQ:1r31eq:A-sIm9mFy_lF5bVAjLyV23-ZNSfybFkgMKo_5ZhGgVw
	// {"foo":"bar"} <nil>
}
