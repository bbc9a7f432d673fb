"""Drive Django 3.2's cache and cached_db session engines over django-redis
for integration/djangocache's tests.

Usage: python3 djangocache.py < request.json > response.json

The request is {"settings": {...}, "ops": [{"op": NAME, ...}, ...]}; the
response is {"django_version", "django_redis_version", "results": [...]},
one result per op. An op that raises reports "error" and "traceback"
unless it expected it ("expect_error": true), which is then in "raised".

settings:
    secret        SECRET_KEY
    redis_url     the cache's LOCATION (redis://host:port/db)
    key_prefix    the cache's KEY_PREFIX
    version       the cache's VERSION
    engine        "cache" or "cached_db"
    database      SQLite file for cached_db's django_session
    cookie_age    SESSION_COOKIE_AGE (default 1209600)

ops (key is a session key; values and session_json are JSON objects):
    migrate                       create django_session
    create   {values, expiry?}    a new session, saved; returns key
    load     {key}                returns found, session_json, expiry info
    modify   {key, set?, delete?, expiry?}
                                  load, change, save (as SessionMiddleware
                                  does for a modified session)
    delete   {key}                SessionStore.delete(key)
    exists   {key}
    raw      {key}                the Redis value (b64) and TTL of the
                                  session's cache key, and the key itself
    put_raw  {key, b64}           SET the session's cache key to bytes

expiry is an int (set_expiry(int)), {"timedelta": seconds} or
{"datetime": ISO} (set_expiry(datetime)).
"""
import base64
import datetime
import importlib
import json
import sys
import traceback


def configure(cfg):
    from django.conf import settings
    caches = {"default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": cfg["redis_url"],
        "KEY_PREFIX": cfg.get("key_prefix", ""),
        "VERSION": cfg.get("version", 1),
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
    }}
    settings.configure(
        SECRET_KEY=cfg["secret"],
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.sessions"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                               "NAME": cfg.get("database") or ":memory:"}},
        CACHES=caches,
        SESSION_ENGINE="django.contrib.sessions.backends." + cfg["engine"],
        SESSION_COOKIE_AGE=cfg.get("cookie_age", 1209600),
        USE_TZ=True,
        TIME_ZONE="UTC",
    )
    import django
    django.setup()


def store_class():
    from django.conf import settings
    return importlib.import_module(settings.SESSION_ENGINE).SessionStore


def apply_expiry(s, e):
    if e is None:
        return
    if isinstance(e, dict) and "timedelta" in e:
        s.set_expiry(datetime.timedelta(seconds=e["timedelta"]))
    elif isinstance(e, dict) and "datetime" in e:
        s.set_expiry(datetime.datetime.fromisoformat(e["datetime"]))
    else:
        s.set_expiry(e)


def plain(v):
    if isinstance(v, datetime.datetime):
        return {"$datetime": v.isoformat()}
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def info(s):
    age = s.get_expiry_age()
    return {
        "found": s.session_key is not None,
        "session_json": json.dumps(plain(dict(s.items())), sort_keys=True),
        "expiry_age": age if isinstance(age, int) else None,
        "expiry_age_repr": repr(age),
        "expiry_date": s.get_expiry_date().isoformat() if isinstance(age, int) else None,
        "expire_at_browser_close": s.get_expire_at_browser_close(),
    }


def op_migrate(o):
    from django.core.management import call_command
    call_command("migrate", "sessions", verbosity=0, interactive=False)
    return {"ok": True}


def op_create(o):
    s = store_class()()
    s.update(o.get("values") or {})
    apply_expiry(s, o.get("expiry"))
    s.save()
    return {"key": s.session_key}


def op_load(o):
    s = store_class()(o["key"])
    s._get_session()  # load now
    return info(s)


def op_modify(o):
    s = store_class()(o["key"])
    s._get_session()
    if s.session_key is None:
        return {"found": False}
    for k, v in (o.get("set") or {}).items():
        s[k] = v
    for k in o.get("delete") or []:
        del s[k]
    apply_expiry(s, o.get("expiry"))
    # SessionMiddleware computes the cookie's max age before saving.
    max_age = s.get_expiry_age()
    expires = datetime.datetime.now().timestamp() + max_age
    s.save()
    return dict(info(s), cookie_expires=expires)


def op_delete(o):
    store_class()().delete(o["key"])
    return {"ok": True}


def op_exists(o):
    return {"found": bool(store_class()().exists(o["key"]))}


def cache_key(o):
    from django.core.cache import caches
    s = store_class()(o["key"])
    return caches["default"], s.cache_key


def op_raw(o):
    from django_redis import get_redis_connection
    cache, skey = cache_key(o)
    rkey = cache.make_key(skey)
    conn = get_redis_connection("default")
    v = conn.get(rkey)
    return {"redis_key": str(rkey), "found": v is not None,
            "b64": base64.b64encode(v).decode() if v is not None else None,
            "ttl": conn.ttl(rkey)}


def op_put_raw(o):
    from django_redis import get_redis_connection
    cache, skey = cache_key(o)
    get_redis_connection("default").set(cache.make_key(skey), base64.b64decode(o["b64"]), ex=3600)
    return {"ok": True}


OPS = {name[3:]: f for name, f in globals().items() if name.startswith("op_")}


def main():
    req = json.load(sys.stdin)
    configure(req["settings"])
    import django
    import django_redis
    results = []
    for o in req["ops"]:
        try:
            r = OPS[o["op"]](o)
        except Exception as e:  # noqa
            r = {"raised": "%s: %s" % (type(e).__name__, e)}
            if not o.get("expect_error"):
                r.update(error=r["raised"], traceback=traceback.format_exc())
        results.append(r)
    json.dump({"django_version": django.get_version(),
               "django_redis_version": ".".join(map(str, django_redis.VERSION)),
               "results": results}, sys.stdout)


main()
