// Package sessions is Django's session framework (django.contrib.sessions)
// for Go: lazy per-request sessions with Django's semantics and wire format,
// pluggable stores, and a net/http middleware that saves just before the
// response headers go out, without buffering the body.
//
// The package is called sessions although its folder is core: a package
// named core would say nothing at call sites (core.Manager). It imports
// only the standard library.
//
// # Quick start
//
//	store := memstore.New(memstore.Options{}) // or gormstore, redisstore, cookiestore
//	m, err := sessions.New(sessions.Config{Store: store}) // a signed store also needs Secret
//	if err != nil { ... }
//	mux := http.NewServeMux()
//	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
//		s := sessions.FromContext(r.Context())
//		s.Set("visits", s.GetInt("visits")+1)
//		fmt.Fprintf(w, "visit %d", s.GetInt("visits"))
//	})
//	http.ListenAndServe("127.0.0.1:8080", m.Middleware(mux))
//
// # Lifecycle of one request
//
// The middleware reads the session key from the cookie and validates its
// form; nothing is loaded. The handler's first access loads the record
// through the Store (one round trip) and verifies its signature; anything
// missing, expired, tampered or undecodable becomes an empty session
// without a key, so a key chosen by a client is never adopted. Just before
// the first byte of the response headers, the middleware applies Django's rules:
// save when modified (never for a 5xx response), set the cookie, delete
// the cookie of an emptied session, add "Vary: Cookie" when the session
// was accessed. A request that never touches its session costs no store
// round trip, no decode and no header.
//
// # Reading values back
//
// Values come back from the store as JSON types (int64, float64, string,
// bool, []any, map[string]any). The typed getters (GetString, GetInt,
// GetBool, GetFloat, GetTime, ...) return the zero value when a key is
// absent or holds another type; the generic Get and Pop return the type
// stored, structs and slices included, and tell ErrNotSet from
// ErrWrongType.
//
// # Mistakes that are reported, not swallowed
//
//   - FromContext without the middleware in front panics with a message
//     naming the fix.
//   - A change after the response was committed (its first body byte) is
//     logged once through Config.Logger; Save and CycleKey return
//     ErrCommitted.
//   - Save inside a request writes at once, and the commit does not write
//     a second time.
//   - The default error handler logs every store error it answers.
//
// # Concurrent requests
//
// Saves of an existing session are conditional on the bytes this request
// loaded. When another request changed the record meanwhile, the keys this
// request set or deleted are merged into the newer data and the save is
// retried, so requests that change different keys lose nothing. Two
// requests that set the same key: the later save wins that key. A session
// deleted meanwhile (logout in another tab) is never brought back: the
// request answers with ErrSessionDeleted (400 by default), as Django's
// SessionInterrupted does.
//
// # Security
//
// Keys are 32 characters from crypto/rand. Server-side data is signed with
// Django's salted HMAC-SHA256 (Config.Secret), so a row tampered with in the
// store is rejected. Cookies are HttpOnly and SameSite=Lax by default. Call
// CycleKey on login (against session fixation) and Flush on logout. Pair
// sessions with http.CrossOriginProtection against CSRF.
//
// # Stores
//
// A Store keeps opaque bytes under a key with an expiry; core owns the
// codec, signing, expiry rules and keys. memstore is in this module; GORM
// (SQL), Redis and signed cookies are modules of their own under stores/,
// and cachedstore composes a cache over a durable store as Django's
// cached_db. Every store passes storetest.Run. Framework adapters are
// built on package lifecycle; their shared test table is adaptertest.
package sessions
