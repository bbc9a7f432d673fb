#!/usr/bin/env python3
"""Regenerates python_golden.json: what CPython's json.dumps writes.

Run from this directory: python3 gen_golden.py > python_golden.json
The Go tests only read the output; they never need Python.
"""
import json
import math
import random
import struct
import sys

rnd = random.Random(20231114)


def dumps(obj, **kw):
    return json.dumps(obj, separators=(",", ":"), **kw)


def rand_float():
    kind = rnd.randrange(5)
    if kind == 0:  # any bit pattern
        while True:
            f = struct.unpack("<d", rnd.getrandbits(64).to_bytes(8, "little"))[0]
            if math.isfinite(f):
                return f
    if kind == 1:  # short decimals, the common case in sessions
        return round(rnd.uniform(-1e6, 1e6), rnd.randrange(0, 6))
    if kind == 2:  # integral floats around the fixed/exponent switch
        return float(rnd.randrange(1, 10**rnd.randrange(1, 20)))
    if kind == 3:  # tiny / subnormal
        return rnd.random() * 10.0 ** -rnd.randrange(1, 320)
    return rnd.random() * 10.0 ** rnd.randrange(-8, 25)


edge = [0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 3.14, 19.99, 100.0,
        1e100, 1.5e-07, 1e16, 1e15, 9999999999999998.0, 1234567890123456.0,
        123456789012345678.0, 5e-324, 2.2250738585072014e-308,
        1.7976931348623157e308, 1e-4, 1e-5, 0.0001234, 0.00001234,
        1e21, 1e22, 1e23, 2.0**53, 2.0**53 + 2, 2.0**63, 2.0**64, 0.5, 1.5, 12.0]
floats = edge + [rand_float() for _ in range(1500)]
float_vecs = [[struct.pack(">d", f).hex(), repr(f), dumps(f)] for f in floats]


def rand_char():
    kind = rnd.randrange(6)
    if kind == 0:
        return chr(rnd.randrange(0, 0x80))
    if kind == 1:
        return chr(rnd.randrange(0x80, 0x800))
    if kind == 2:
        c = rnd.randrange(0x800, 0x10000)
        return chr(c) if not 0xD800 <= c <= 0xDFFF else "x"
    if kind == 3:
        return chr(rnd.randrange(0x10000, 0x110000))
    return rnd.choice("abc\"\\/<>&'\n\r\t\b\f\x00\x7f\u2028\u2029\ufeff\ufffd")


strings = ["", "Zo\u00eb", "\U0001F600", "</script>", "\x00", "\x7f", "a\u0080b",
           "\uffff", "\U00010000", "\U0010FFFF"]
strings += ["".join(rand_char() for _ in range(rnd.randrange(0, 12))) for _ in range(500)]
string_vecs = [[s.encode("utf-8").hex(), dumps(s)] for s in strings]


def rand_value(depth):
    kind = rnd.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rnd.choice([True, False])
    if kind == 2:
        return rnd.choice([0, -1, 42, 2**31, -2**63, 2**63 - 1, 2**63, 2**64, -2**64 - 1,
                           10**30, rnd.randrange(-10**12, 10**12)])
    if kind == 3:
        return rnd.choice([rand_float(), float("nan"), float("inf"), float("-inf")])
    if kind in (4, 5):
        return "".join(rand_char() for _ in range(rnd.randrange(0, 8)))
    if kind in (6, 7):
        return [rand_value(depth + 1) for _ in range(rnd.randrange(0, 5))]
    return {"".join(rand_char() for _ in range(rnd.randrange(0, 6))): rand_value(depth + 1)
            for _ in range(rnd.randrange(0, 6))}


# sort_keys=True: the Go encoder sorts keys, so its bytes must match these exactly.
docs = [dumps({"k%d" % j: rand_value(0) for j in range(rnd.randrange(0, 6))}, sort_keys=True)
        for _ in range(200)]

# One entry per line keeps the file diffable.
out = sys.stdout
for name, rows in (("floats", float_vecs), ("strings", string_vecs), ("documents", docs)):
    out.write(("{" if name == "floats" else ",\n") + json.dumps(name) + ":[\n")
    out.write(",\n".join(json.dumps(r) for r in rows))
    out.write("\n]")
out.write("}\n")
