// Package djangoauth reads the login that django.contrib.auth keeps in a
// session, so a Go service sharing sessions with a Django project can tell
// who is logged in.
//
// Django's login() stores three keys:
//
//	_auth_user_id       the user's primary key, as a string
//	_auth_user_backend  the dotted path of the authentication backend
//	_auth_user_hash     salted_hmac("django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
//	                    user.password, SECRET_KEY).hexdigest()
//
// User reads the first two. The hash ties the session to the user's
// password hash: when the password changes, Django's get_user no longer
// accepts the session. VerifyHash performs the same check, given the
// user's current password hash (the auth_user.password column) and
// SECRET_KEY followed by any SECRET_KEY_FALLBACKS, and accepts the hashes
// that the Django version named in Config.Django accepts: only 3.x takes
// the legacy SHA-1 hash, only 4.1 and later the fallbacks. Check it on
// every request that acts on the user's behalf: a session whose hash does
// not verify belongs to a logged-out user.
//
// The package uses only the standard library and core.
package djangoauth
