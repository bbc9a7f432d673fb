// Command sessionkit is the operator's tool for sessionkit's stores: what
// Django's manage.py clearsessions and a Django shell give an operator.
//
//	sessionkit clear                          delete expired sessions, in batches
//	sessionkit show KEY                       one session, decoded with the secret
//	sessionkit users list USER                a user's sessions and devices
//	sessionkit users revoke USER ID... | --all [--except ID]
//	sessionkit count [--user USER]            live sessions
//
// The store comes from --store (sqlite, postgres, mysql, redis,
// redis-cluster) and --dsn, --redis-url or --redis-addrs, or from the
// environment variables SESSIONKIT_STORE, SESSIONKIT_DSN,
// SESSIONKIT_REDIS_URL, SESSIONKIT_REDIS_ADDRS; flags win. The secret is
// read from SESSIONKIT_SECRET (a --secret flag exists, but it shows in the
// shell's history and in ps) and is never printed.
//
// Exit codes: 0 done, 1 the store failed, 2 usage error, 3 not found (an
// unknown or invalid key, an ID that is not one of the user's sessions).
package main
