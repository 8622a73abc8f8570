#!/usr/bin/env python3
"""Writes tests/golden/tokenizer_golden.txt: reference values for calico's tokenizers.

Computed here from the defining formulas (Gato, Reed et al. 2022, §2.1 and appendix B;
calico's DESIGN.md), independently of the C++ code under test. Standard library only.

    python3 tests/golden/make_tokenizer_golden.py > tests/golden/tokenizer_golden.txt

Line formats (whitespace separated):
    continuous X MU_LAW BIN BIN_VALUE   F(x), its bin in [0, 1024), the bin centre decoded
    interval I N LO HI EVAL             patch I of N per axis: 128-bucket interval [LO, HI) and eval index
    pixel P VALUE                       model input for pixel byte P
    image H W                           a test image, pixel (y, x, c) = (7y + 13x + 29c) mod 256
    patch_value PATCH K VALUE           value K (of 768) of patch PATCH (raster order) of that image
"""

import math
import random

MU = 100.0
M = 256.0
BINS = 1024
BUCKETS = 128


def mu_law(x):
    return math.copysign(math.log(abs(x) * MU + 1.0) / math.log(M * MU + 1.0), x)


def inverse_mu_law(y):
    return math.copysign((math.exp(abs(y) * math.log(M * MU + 1.0)) - 1.0) / MU, y)


def bin_of(x):
    y = min(1.0, max(-1.0, mu_law(x)))
    # Bin b covers [-1 + 2b/1024, -1 + 2(b+1)/1024); y = 1 goes in the last bin.
    return min(BINS - 1, int(math.floor((y + 1.0) / 2.0 * BINS)))


def near_edge(x):
    y = mu_law(x)
    if abs(y) >= 1.0:
        return False
    scaled = (y + 1.0) / 2.0 * BINS
    return abs(scaled - round(scaled)) < 1e-7


def bin_value(b):
    return inverse_mu_law(-1.0 + (b + 0.5) * 2.0 / BINS)


def pixel_value(p):
    return (p / 255.0 * 2.0 - 1.0) / 4.0


def main():
    values = [0.0, 1e-6, 0.01, 0.1, 0.5, 1.0, 2.0, 3.14159, 10.0, 100.0, 255.9, 256.0, 257.0, 1000.0, 1e6]
    values += [-v for v in values if v != 0.0]
    rng = random.Random(1234)
    for _ in range(200):
        values.append(rng.choice([-1.0, 1.0]) * 10.0 ** rng.uniform(-5.0, 3.0))
    # The exact bin edges of 0 and of the clip: tested in C++ separately.
    for x in values:
        x = float(f"{x:.9g}")  # what the C++ side reads back (a float32 has ~7 digits; keep 9)
        if near_edge(x):
            continue
        b = bin_of(x)
        print(f"continuous {x:.9g} {mu_law(x):.17g} {b} {bin_value(b):.17g}")
    for n in [1, 2, 3, 4, 5, 7, 8, 10, 16, 33, 100, 128]:
        for i in range(n):
            lo = (i * BUCKETS) // n
            hi = ((i + 1) * BUCKETS) // n
            # Rounded mean of the interval [lo, hi): (lo + hi) / 2 rounded down.
            print(f"interval {i} {n} {lo} {hi} {(lo + hi) // 2}")
    for p in range(256):
        print(f"pixel {p} {pixel_value(p):.9g}")
    height, width = 32, 48
    print(f"image {height} {width}")
    patches_per_row = width // 16
    for patch in range(2 * 3):
        r, c = divmod(patch, patches_per_row)
        for k in [0, 1, 2, 3, 47, 48, 100, 383, 767]:
            dy, rest = divmod(k, 16 * 3)
            dx, ch = divmod(rest, 3)
            y, x = 16 * r + dy, 16 * c + dx
            p = (7 * y + 13 * x + 29 * ch) % 256
            print(f"patch_value {patch} {k} {pixel_value(p):.9g}")


if __name__ == "__main__":
    main()
