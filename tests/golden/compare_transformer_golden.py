#!/usr/bin/python3
"""Compares two transformer golden files (make_transformer_golden.py's format): the same
header, and every array equal within 1e-6 of its largest value (the arrays are float32
roundings of float64 results, so two runs of the reference agree to the last bit or
nearly; BLAS may order sums differently on another CPU).

Usage: compare_transformer_golden.py COMMITTED FRESH
"""

import struct
import sys

# The checks below are asserts: refuse to run where they would be skipped (python3 -O,
# PYTHONOPTIMIZE), so the test cannot pass without checking.
if not __debug__:
    raise SystemExit(f"{__file__}: run without -O / PYTHONOPTIMIZE: its checks are asserts")


def read(path):
    data = open(path, "rb").read()
    end = data.find(b"\nend\n")
    assert end >= 0, "%s: no header end" % path
    header = data[:end].decode().split("\n")
    arrays, at = {}, end + 5
    for line in header:
        fields = line.split(" ")
        if fields[0] == "array":
            n = int(fields[2])
            arrays[fields[1]] = struct.unpack_from("<%df" % n, data, at)
            at += 4 * n
    assert at == len(data), "%s: %d bytes after the arrays" % (path, len(data) - at)
    return [l for l in header if not l.startswith("array")], arrays


def main():
    committed_header, committed = read(sys.argv[1])
    fresh_header, fresh = read(sys.argv[2])
    assert committed_header == fresh_header, (committed_header, fresh_header)
    assert list(committed) == list(fresh), "the arrays differ in names or order"
    worst = 0.0
    for name, ref in committed.items():
        new = fresh[name]
        assert len(ref) == len(new), name
        scale = max(abs(v) for v in ref) if ref else 0.0
        for a, b in zip(ref, new):
            err = abs(a - b) / (scale + 1e-30)
            assert err == err and err <= 1e-6, "%s: %r against %r (scale %g)" % (name, b, a, scale)
            worst = max(worst, err)
    print("compare_transformer_golden: %d arrays agree (worst relative difference %.2g)" % (len(committed), worst))


if __name__ == "__main__":
    main()
