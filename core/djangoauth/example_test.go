package djangoauth_test

import (
	"context"
	"fmt"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/djangoauth"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// A session written by django.contrib.auth.login, read from Go. In a real
// service the session comes from the request (sessions.FromContext) and
// the password hash from the auth_user table.
func Example() {
	const secretKey = "django-insecure-example-secret"
	store := memstore.New(memstore.Options{})
	defer store.Close()
	m, err := sessions.New(sessions.Config{Store: store, Secret: secretKey})
	if err != nil {
		panic(err)
	}
	s := m.Open(context.Background(), "")
	s.Set("_auth_user_id", "1")
	s.Set("_auth_user_backend", "django.contrib.auth.backends.ModelBackend")
	s.Set("_auth_user_hash", "f15c2d33e2c01ada60363ac5bda6344099d21c5f9deb3a155f1a9fe53e3c6008")

	password := "pbkdf2_sha256$260000$examplesalt$Ab3J4nXyNhT4RkLOrCkWYr5lDgBFrJ0T0pKPHO0UKrA="
	id, backend, ok := djangoauth.User(s)
	fmt.Println(id, backend, ok)
	fmt.Println("valid:", djangoauth.VerifyHash(s, password, secretKey))
	fmt.Println("after a password change:", djangoauth.VerifyHash(s, "pbkdf2_sha256$260000$newsalt$...", secretKey))
	// Output:
	// 1 django.contrib.auth.backends.ModelBackend true
	// valid: true
	// after a password change: false
}
