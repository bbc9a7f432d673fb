#!/usr/bin/env python3
"""Drive a real Django (Debian's python3-django 3.2) for sessionkit's Go tests.

Usage:
    python3 djangohelper.py version
    python3 djangohelper.py batch  < request.json  > response.json

A batch request is one JSON object:

    {"settings": {...}, "ops": [{"op": "...", ...}, ...]}

Django is configured once from "settings" (a process can only be configured
once), then every op runs in order with the clock pinned to the op's "now"
(unix seconds) when it has one. The response is {"django_version": ...,
"results": [...]}, one result per op; an op that raises gives
{"error": "Type: message"} and the batch goes on.

Session dicts travel as JSON *text* in fields named *_json, written and read
by Django's own JSONSerializer, so NaN, big integers, -0.0 and key order
survive the trip to Go unchanged.

Settings (all optional):
    secret          SECRET_KEY
    use_tz          USE_TZ (default true)
    time_zone       TIME_ZONE (default "UTC")
    hashing         DEFAULT_HASHING_ALGORITHM, "sha256" or "sha1"
    cookie_age      SESSION_COOKIE_AGE
    engine          "db" (default) or "signed_cookies"
    database        {"engine": "sqlite", "name": PATH} or
                    {"engine": "postgresql", "host", "port", "user", "password", "name"}
    auth            install django.contrib.auth (default false)
"""

import datetime
import json
import sys
import traceback
import warnings
from unittest import mock

COOKIE_SALT = "django.contrib.sessions.backends.signed_cookies"


def configure(cfg):
    import django
    from django.conf import settings

    apps = ["django.contrib.contenttypes", "django.contrib.sessions"]
    if cfg.get("auth"):
        apps.insert(0, "django.contrib.auth")
    db = cfg.get("database") or {"engine": "sqlite", "name": ":memory:"}
    if db["engine"] == "sqlite":
        database = {"ENGINE": "django.db.backends.sqlite3", "NAME": db["name"]}
    else:
        database = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db["name"],
            "USER": db.get("user", ""),
            "PASSWORD": db.get("password", ""),
            "HOST": db.get("host", ""),
            "PORT": str(db.get("port", "")),
        }
    # What Django's Settings does for a settings module (settings.configure()
    # does not): run the process in TIME_ZONE, so that naive datetimes, which
    # USE_TZ=False stores, are wall-clock time there.
    import os
    import time
    os.environ["TZ"] = cfg.get("time_zone", "UTC")
    time.tzset()
    extra = {}
    if cfg.get("hashing"):
        extra["DEFAULT_HASHING_ALGORITHM"] = cfg["hashing"]
    if cfg.get("cookie_age"):
        extra["SESSION_COOKIE_AGE"] = cfg["cookie_age"]
    settings.configure(
        SECRET_KEY=cfg.get("secret", "helper-secret"),
        INSTALLED_APPS=apps,
        DATABASES={"default": database},
        SESSION_ENGINE="django.contrib.sessions.backends." + cfg.get("engine", "db"),
        SESSION_SERIALIZER="django.contrib.sessions.serializers.JSONSerializer",
        USE_TZ=cfg.get("use_tz", True),
        TIME_ZONE=cfg.get("time_zone", "UTC"),
        MIDDLEWARE=[],
        ALLOWED_HOSTS=["*"],
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        LOGGING_CONFIG=None,
        **extra
    )
    django.setup()
    return django


class pinned:
    """Pin time.time() and django.utils.timezone.now() to now (unix seconds)."""

    def __init__(self, now):
        self.now = now
        self.patches = []

    def __enter__(self):
        if self.now is None:
            return self
        from django.conf import settings
        from django.utils import timezone
        if settings.USE_TZ:
            dt = datetime.datetime.fromtimestamp(self.now, tz=timezone.utc)
        else:
            # Naive wall clock in TIME_ZONE, what datetime.now() returns there.
            dt = timezone.make_naive(datetime.datetime.fromtimestamp(self.now, tz=timezone.utc))
        self.patches = [mock.patch("time.time", return_value=float(self.now)),
                        mock.patch("django.utils.timezone.now", return_value=dt)]
        for p in self.patches:
            p.start()
        return self

    def __exit__(self, *exc):
        for p in reversed(self.patches):
            p.stop()
        return False


def dumps_session(d):
    from django.contrib.sessions.serializers import JSONSerializer
    return JSONSerializer().dumps(d).decode("latin-1")


def loads_session(text):
    from django.contrib.sessions.serializers import JSONSerializer
    return JSONSerializer().loads(text.encode("latin-1"))


def strict_equal(a, b):
    """Structural equality that tells 1 from 1.0 and True, -0.0 from 0.0, and
    takes NaN as equal to itself (Python's == does none of that)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strict_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        if a != a:
            return b != b
        return a == b and str(a) == str(b)
    return a == b


def store_class(name, engine=None):
    from django.conf import settings
    import importlib
    engine = engine or settings.SESSION_ENGINE.rsplit(".", 1)[1]
    base = importlib.import_module("django.contrib.sessions.backends." + engine).SessionStore
    if name in (None, "", "SessionStore"):
        return base
    if name == "MyStore":
        # A project's subclass: key_salt = "django.contrib.sessions.MyStore".
        return type("MyStore", (base,), {"__qualname__": "MyStore", "__module__": __name__})
    raise ValueError("unknown store class %r" % name)


def expiry_info(s):
    """What the middleware would compute; 3.2 raises for an ISO-string expiry."""
    try:
        return {
            "expiry_age": s.get_expiry_age(),
            "expiry_date": s.get_expiry_date().isoformat(),
            "expire_at_browser_close": s.get_expire_at_browser_close(),
        }
    except Exception as e:  # noqa
        return {"expiry_error": "%s: %s" % (type(e).__name__, e)}


# --------------------------------------------------------------------- ops --

def op_loads(o):
    from django.core import signing
    try:
        d = signing.loads(o["value"], salt=o.get("salt", COOKIE_SALT), max_age=o.get("max_age"))
    except signing.BadSignature as e:
        return {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
    out = {"ok": True, "session_json": dumps_session(d)}
    if "expect_json" in o:
        out["same"] = strict_equal(d, loads_session(o["expect_json"]))
    return out


def op_dumps(o):
    from django.core import signing
    return {"value": signing.dumps(loads_session(o["session_json"]), salt=o.get("salt", COOKIE_SALT),
                                   compress=o.get("compress", True))}


def op_cookie_save(o):
    s = store_class(o.get("store"), "signed_cookies")()
    s.update(loads_session(o["session_json"]))
    if o.get("expiry") is not None:
        s.set_expiry(o["expiry"])
    s.save()
    return {"value": s.session_key}


def op_cookie_load(o):
    s = store_class(o.get("store"), "signed_cookies")(o["value"])
    d = s._session  # load(); a rejected value leaves {} and sets modified
    out = dict(ok=not s.modified, session_json=dumps_session(d), **expiry_info(s))
    if "expect_json" in o:
        out["same"] = strict_equal(d, loads_session(o["expect_json"]))
    return out


def op_cookie_reencode(o):
    s = store_class(o.get("store"), "signed_cookies")(o["value"])
    d = s._session
    ok = not s.modified
    s.save()
    return {"ok": ok, "session_json": dumps_session(d), "value": s.session_key}


def op_db_save(o):
    s = store_class(o.get("store"), "db")()
    s.update(loads_session(o["session_json"]))
    if o.get("expiry") is not None:
        s.set_expiry(o["expiry"])
    s.save()
    from django.contrib.sessions.models import Session
    row = Session.objects.get(session_key=s.session_key)
    return {"key": s.session_key, "session_data": row.session_data, "expire_date": row.expire_date.isoformat()}


def op_db_load(o):
    from django.contrib.sessions.models import Session
    s = store_class(o.get("store"), "db")(o["key"])
    d = s._session
    out = dict(found=s.session_key is not None, session_json=dumps_session(d), **expiry_info(s))
    row = Session.objects.filter(session_key=o["key"]).first()
    out["expire_date"] = row.expire_date.isoformat() if row else None
    if "expect_json" in o:
        out["same"] = strict_equal(d, loads_session(o["expect_json"]))
    return out


def op_db_encode(o):
    return {"value": store_class(o.get("store"), "db")().encode(loads_session(o["session_json"]))}


def op_db_decode(o):
    s = store_class(o.get("store"), "db")()
    try:
        d = s.decode(o["value"])
    except Exception as e:  # 3.2 lets binascii.Error out of decode()
        return {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
    out = {"ok": d != {}, "session_json": dumps_session(d)}
    if "expect_json" in o:
        out["same"] = strict_equal(d, loads_session(o["expect_json"]))
    return out


def op_db_reencode(o):
    s = store_class(o.get("store"), "db")()
    d = s.decode(o["value"])
    return {"ok": d != {}, "session_json": dumps_session(d), "value": s.encode(d)}


def op_db_keys(o):
    from django.contrib.sessions.models import Session
    return {"keys": sorted(Session.objects.values_list("session_key", flat=True))}


def op_migrate(o):
    from django.core.management import call_command
    call_command("migrate", verbosity=0, interactive=False)
    return {}


def op_clearsessions(o):
    from django.core.management import call_command
    call_command("clearsessions")
    return op_db_keys(o)


def op_login(o):
    """django.contrib.auth.login() of a real user into a fresh session of the
    configured engine, as a login view does."""
    from django.contrib.auth import get_user_model, login
    from django.test import RequestFactory
    from django.conf import settings
    import importlib
    User = get_user_model()
    user, created = User.objects.get_or_create(username=o["username"])
    if created or o.get("password"):
        user.set_password(o.get("password", "pw"))
        user.save()
    request = RequestFactory().get("/login/")
    request.session = importlib.import_module(settings.SESSION_ENGINE).SessionStore()
    login(request, user)
    request.session.save()
    return {"key": request.session.session_key, "session_json": dumps_session(dict(request.session.items())),
            "user_id": str(user.pk), "password_hash": user.password}


def op_set_password(o):
    from django.contrib.auth import get_user_model
    user = get_user_model().objects.get(username=o["username"])
    user.set_password(o["password"])
    user.save()
    return {"password_hash": user.password}


def op_get_user(o):
    """What django.contrib.auth.get_user() makes of a session key (db) or
    cookie value (signed_cookies)."""
    from django.contrib.auth import get_user
    from django.test import RequestFactory
    from django.conf import settings
    import importlib
    request = RequestFactory().get("/")
    request.session = importlib.import_module(settings.SESSION_ENGINE).SessionStore(o["key"])
    user = get_user(request)
    return {"authenticated": user.is_authenticated, "user_id": str(user.pk) if user.pk is not None else None}



def op_set_expiry_timedelta(o):
    """set_expiry(timedelta(seconds=o["seconds"])) on a new session: 3.2
    keeps the datetime itself (its JSON serializer cannot store it); 4.0+
    stores its isoformat(), returned as "value". Also what 3.2 computes
    from the datetime object."""
    s = store_class(o.get("store"))()
    s.set_expiry(datetime.timedelta(seconds=o["seconds"]))
    v = s["_session_expiry"]
    return dict(value=v.isoformat(), **expiry_info(s))


def op_middleware(o):
    """SessionMiddleware around a view that reads the session (o["view"] ==
    "read") or writes a key ("write"), for the session o["key"] (a db key or
    a signed cookie value) of the configured engine. The middleware's
    exception, if any, is reported in "mw_error" (the op does not raise);
    "age_type"/"age_value" are what get_expiry_age() returned before."""
    import importlib
    from django.conf import settings
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    def view(request):
        if o.get("view") == "write":
            request.session["touched"] = True
        else:
            request.session.get("x")
        return HttpResponse("ok")

    probe = importlib.import_module(settings.SESSION_ENGINE).SessionStore(o["key"])
    age = probe.get_expiry_age()
    out = {"age_type": type(age).__name__, "age_value": str(age)}
    request = RequestFactory().get("/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = o["key"]
    try:
        response = SessionMiddleware(view)(request)
    except Exception as e:  # noqa: the point of the op
        out.update(ok=False, mw_error="%s: %s" % (type(e).__name__, e))
        return out
    c = response.cookies.get(settings.SESSION_COOKIE_NAME)
    out.update(ok=True, value=c.value if c is not None else "",
               max_age=str(c["max-age"]) if c is not None else "")
    return out


def messages_request(o):
    """A request for the flash-message ops: its session is the configured
    engine's SessionStore for o["key"] (a db session key or a signed cookie
    value; none for a new session), with SessionStorage as request._messages,
    which is what MessageMiddleware sets up for MESSAGE_STORAGE =
    "django.contrib.messages.storage.session.SessionStorage". o["storage_level"]
    overrides MESSAGE_LEVEL (default INFO, which drops debug messages on add)."""
    from django.conf import settings
    from django.contrib.messages.storage.session import SessionStorage
    from django.test import RequestFactory
    import importlib
    request = RequestFactory().get("/")
    request.session = importlib.import_module(settings.SESSION_ENGINE).SessionStore(o.get("key") or None)
    storage = SessionStorage(request)
    if o.get("storage_level") is not None:
        storage.level = o["storage_level"]
    request._messages = storage
    return request, storage


def messages_respond(request, storage):
    """What MessageMiddleware and then SessionMiddleware do with the response:
    storage.update() stores the unread messages (or pops _messages once they
    were read), then a modified session is saved. Returns the session's key
    (for signed cookies, the new cookie value), its data and the raw
    _messages value ("" when absent)."""
    from django.http import HttpResponse
    storage.update(HttpResponse())
    if request.session.modified:
        request.session.save()
    data = dict(request.session.items())
    return {"key": request.session.session_key or "", "session_json": dumps_session(data),
            "value": data.get(storage.session_key, "")}


def messages_info(m):
    from django.utils.safestring import SafeData
    return {"level": m.level, "message": str(m.message), "extra_tags": m.extra_tags,
            "is_safe": isinstance(m.message, SafeData), "level_tag": m.level_tag, "tags": m.tags}


def op_messages_read(o):
    """A view iterating get_messages(request), as a template's
    {% for message in messages %} does: the messages it shows, as
    {"level", "message", "extra_tags" (str or null), "is_safe", "level_tag",
    "tags"}, and the session after the response."""
    from django.contrib.messages import get_messages
    request, storage = messages_request(o)
    shown = [messages_info(m) for m in get_messages(request)]
    out = messages_respond(request, storage)
    out["messages"] = shown
    return out


def op_messages_add(o):
    """A view calling messages.add_message(request, level, message[,
    extra_tags]) for each of o["messages"] ({"level", "message", "safe"
    (mark_safe the message), "extra_tags" (left out: add_message's default
    "")}), without reading any, and the session after the response."""
    from django.contrib import messages
    from django.utils.safestring import mark_safe
    request, storage = messages_request(o)
    for m in o["messages"]:
        text = mark_safe(m["message"]) if m.get("safe") else m["message"]
        if "extra_tags" in m:
            messages.add_message(request, m["level"], text, extra_tags=m["extra_tags"])
        else:
            messages.add_message(request, m["level"], text)
    return messages_respond(request, storage)

OPS = {name[3:]: fn for name, fn in globals().items() if name.startswith("op_")}


def batch():
    req = json.load(sys.stdin)
    django = configure(req.get("settings") or {})
    results = []
    for o in req.get("ops", []):
        with pinned(o.get("now")):
            try:
                results.append(OPS[o["op"]](o))
            except Exception as e:  # noqa: report and go on with the batch
                results.append({"error": "%s: %s" % (type(e).__name__, e),
                                "traceback": traceback.format_exc()})
    json.dump({"django_version": django.get_version(), "results": results}, sys.stdout)
    sys.stdout.write("\n")
    return 0


def main(argv):
    warnings.simplefilter("ignore")  # 3.2's RemovedInDjango40Warning for sha1
    if len(argv) < 2 or argv[1] not in ("batch", "version"):
        sys.stderr.write(__doc__)
        return 2
    if argv[1] == "version":
        import django
        print(json.dumps({"django_version": django.get_version()}))
        return 0
    return batch()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
