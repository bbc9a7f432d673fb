"""Oracle for picklecodec's tests: CPython's own pickle module.

Reads {"cases": [{"name", "value", "protocol", "go_b64"}]} on stdin, where
value is JSON in which {"$datetime": ISO, "$tz": "pytz.utc" | null} stands
for a datetime (an ISO offset other than +00:00 gives datetime.timezone).
Writes, per case:
  sorted_b64   pickle.dumps(value with every dict's keys sorted, protocol)
  go_equal     pickle.loads(Go's bytes) == value (null when value has a NaN)
  go_error     the exception pickle.loads raised on Go's bytes, if any
  pickles      {protocol: pickle.dumps(value in JSON order, protocol)} for 2..5
  json         the value as JSON, datetimes as isoformat(), for Go to compare
"""
import base64
import datetime
import json
import math
import pickle
import sys

import pytz


def build(v, sort):
    if isinstance(v, dict):
        if "$datetime" in v:
            d = datetime.datetime.fromisoformat(v["$datetime"])
            if v.get("$tz") == "pytz.utc":
                d = d.replace(tzinfo=pytz.utc)
            return d
        items = sorted(v.items()) if sort else v.items()
        return {k: build(x, sort) for k, x in items}
    if isinstance(v, list):
        return [build(x, sort) for x in v]
    return v


def plain(v):
    if isinstance(v, datetime.datetime):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def has_nan(v):
    if isinstance(v, float):
        return math.isnan(v)
    if isinstance(v, dict):
        return any(has_nan(x) for x in v.values())
    if isinstance(v, list):
        return any(has_nan(x) for x in v)
    return False


def main():
    req = json.load(sys.stdin)
    out = []
    for c in req["cases"]:
        value = build(c["value"], sort=False)
        res = {"name": c["name"],
               "sorted_b64": base64.b64encode(pickle.dumps(build(c["value"], sort=True), c["protocol"])).decode(),
               "pickles": {str(p): base64.b64encode(pickle.dumps(value, p)).decode() for p in (2, 3, 4, 5)},
               "json": json.dumps(plain(value)),
               "go_equal": None, "go_error": None}
        try:
            back = pickle.loads(base64.b64decode(c["go_b64"]))
            if not has_nan(value):
                # json.dumps tells True from 1 and 1.0 from 1, which == does not.
                res["go_equal"] = back == value and (json.dumps(plain(back), sort_keys=True)
                                                     == json.dumps(plain(value), sort_keys=True))
        except Exception as e:  # noqa
            res["go_error"] = "%s: %s" % (type(e).__name__, e)
        out.append(res)
    json.dump({"python": sys.version.split()[0], "results": out}, sys.stdout)


main()
