// Package djangocache holds the integration tests of sessions shared with
// Django's cache and cached_db session engines over Redis: picklecodec,
// redisstore.DjangoCache and redisstore.DjangoCachedDB against the
// cache_backend vectors of Django 3.2, 4.2, 5.2 and 6.0 (no Django
// needed), and live, both ways, against Debian's Django 3.2 with
// python3-django-redis on the real Redis. It has no API: everything is in
// its _test.go files. The live tests need SESSIONKIT_REDIS_URL and
// SESSIONKIT_PYTHON; each run uses a KEY_PREFIX of its own.
package djangocache
