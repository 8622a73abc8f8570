#!/usr/bin/env python3
"""Checks `calico tokens --format=json` output against the input, in another language.

Usage: check_tokens.py INPUT.textproto OUTPUT.json

Re-derives, from DESIGN.md's rules and the input file alone, what the stream must be:
modality and key order (vision-language inputs, those without an action spec, put
images first and text last, each text ending with EOS), continuous bins (mu-law computed here), discrete ids, local
positions, loss mask, image patches (count, raster order, bucket intervals from the
image's shape) and evaluation indices, and that each decoded
action lies within half a bin (in mu-law space) of the action given. Standard library
only; reads calico's one-array-per-line example files (tests/data/make_examples.py).
"""

import json
import math
import re
import sys

# The checks below are asserts: refuse to run where they would be skipped (python3 -O,
# PYTHONOPTIMIZE), so the test cannot pass without checking.
if not __debug__:
    raise SystemExit(f"{__file__}: run without -O / PYTHONOPTIMIZE: its checks are asserts")

MU, M, BINS = 100.0, 256.0, 1024
MODALITY = {"STRING": "text", "UINT8": "image", "INT32": "discrete", "FLOAT32": "continuous"}
ORDER = ["text", "image", "discrete", "continuous"]
# Without an action spec (vision-language steps) text goes last and ends with EOS.
VL_ORDER = ["image", "discrete", "continuous", "text"]
BUCKETS = 128  # patch position buckets per axis
IMAGE_SHAPES = {}  # observation key -> [height, width, 3], from the input's specs


def interval(i, n):
    """Patch i of n along an axis: its bucket interval [lo, hi) (DESIGN.md)."""
    return [(i * BUCKETS) // n, ((i + 1) * BUCKETS) // n]


def mu_law(x):
    return math.copysign(math.log(abs(x) * MU + 1.0) / math.log(M * MU + 1.0), x)


def bin_of(x):
    y = min(1.0, max(-1.0, mu_law(x)))
    return min(BINS - 1, int(math.floor((y + 1.0) / 2.0 * BINS)))


def parse_input(path):
    """Returns (observation specs {name: dtype}, action specs, steps as [(obs, action)])."""
    obs_specs, action_specs, steps = {}, {}, []
    array_re = re.compile(r'name: "([^"]+)" dtype: (\w+)(?: shape: \[([^\]]*)\])?'
                          r'(?: (?:float|int)_values: \[([^\]]*)\])?')
    for line in open(path):
        line = line.strip()
        m = array_re.search(line)
        if line.startswith("observation_spec"):
            obs_specs[m.group(1)] = m.group(2)
            if m.group(2) == "UINT8":
                IMAGE_SHAPES[m.group(1)] = [int(v) for v in m.group(3).split(",")]
        elif line.startswith("action_spec"):
            action_specs[m.group(1)] = m.group(2)
        elif line.startswith("steps"):
            steps.append(({}, {}))
        elif line.startswith("observation") or line.startswith("action"):
            values = [float(v) for v in m.group(4).split(",")] if m.group(4) else None
            steps[-1][0 if line.startswith("observation") else 1][m.group(1)] = values
    return obs_specs, action_specs, steps


def main():
    obs_specs, action_specs, steps = parse_input(sys.argv[1])
    out = json.load(open(sys.argv[2]))
    vocab = out["vocabulary"]
    text_size = vocab["text"][1]
    assert vocab["continuous"] == [text_size, text_size + 1024], vocab
    assert vocab["discrete"] == [text_size + 1024, text_size + 2048], vocab
    assert vocab["separator"] == text_size + 2048 and vocab["size"] % 64 == 0, vocab
    positions = out["positions"]
    starts = out["timestep_starts"] + [len(positions)]
    assert len(starts) - 1 == len(steps), (len(starts), len(steps))
    vision_language = not action_specs
    order = VL_ORDER if vision_language else ORDER
    expected_keys = sorted(obs_specs, key=lambda k: (order.index(MODALITY[obs_specs[k]]), k))
    checked = 0
    next_patch = 0
    expected_patches = []  # per patch, in stream order: (rows, cols) from the image's shape
    for t, (obs, action) in enumerate(steps):
        span = positions[starts[t]:starts[t + 1]]
        obs_part = [p for p in span if p["kind"] not in ("separator", "action")]
        keys = []
        for p in obs_part:
            if not keys or keys[-1] != p["key"]:
                keys.append(p["key"])
        assert keys == expected_keys, (t, keys, expected_keys)
        for i, p in enumerate(obs_part):
            assert p["local"] == i, (t, p)
            assert p["step"] == t, (t, p)
            is_first = starts[t] == 0 and i == 0
            assert p["loss"] == (0 if is_first or p["kind"] != "text" else 1), (t, p)
            values = obs[p["key"]]
            if p["kind"] == "image":
                # 16x16 patches in raster order, numbered through the stream.
                height, width, _ = IMAGE_SHAPES[p["key"]]
                rows, cols = height // 16, width // 16
                first = next(j for j, q in enumerate(obs_part) if q["key"] == p["key"])
                element = i - first
                assert p["element"] == element and p["patch"] == next_patch and p["id"] == -1, (t, p)
                assert element < rows * cols, (t, p, rows, cols)
                last_of_key = i + 1 == len(obs_part) or obs_part[i + 1]["key"] != p["key"]
                assert not last_of_key or element + 1 == rows * cols, (t, p, "patches missing")
                expected_patches.append((interval(element // cols, rows), interval(element % cols, cols)))
                next_patch += 1
                checked += 1
            elif p["kind"] == "continuous":
                assert p["id"] == text_size + bin_of(values[p["element"]]), (t, p, values)
                checked += 1
            elif p["kind"] == "discrete":
                assert p["id"] == text_size + 1024 + int(values[p["element"]]), (t, p, values)
                checked += 1
            elif p["kind"] == "text":
                # Text ids are SentencePiece's; EOS closes each text in vision-language steps.
                last_of_key = i + 1 == len(obs_part) or obs_part[i + 1]["key"] != p["key"]
                is_eos = p["id"] == vocab["eos"]
                assert is_eos == (vision_language and last_of_key), (t, p)
                assert is_eos or 0 <= p["id"] < text_size, (t, p)
                checked += is_eos
        rest = span[len(obs_part):]
        if action:
            assert rest[0]["kind"] == "separator" and rest[0]["id"] == vocab["separator"], rest[0]
            assert rest[0]["loss"] == 0 and rest[0]["local"] == -1
            flat = [(k, v) for k in sorted(action) for v in action[k]]
            assert len(rest) == 1 + len(flat), (t, len(rest), len(flat))
            decoded = out["decoded_actions"][t]
            for p, (key, value) in zip(rest[1:], flat):
                assert p["kind"] == "action" and p["loss"] == 1 and p["local"] == -1, p
                if action_specs[key] == "FLOAT32":
                    assert p["id"] == text_size + bin_of(value), (p, value)
                    back = decoded[key][p["element"]]
                    assert abs(mu_law(back) - mu_law(value)) <= 1.0 / BINS + 1e-7, (back, value)
                else:
                    assert p["id"] == text_size + 1024 + int(value), (p, value)
                    assert decoded[key][p["element"]] == int(value)
                checked += 1
        else:
            assert rest == [] and out["decoded_actions"][t] is None, (t, rest)
    assert len(out["patches"]) == len(expected_patches), (len(out["patches"]), len(expected_patches))
    for patch, (rows, cols) in zip(out["patches"], expected_patches):
        assert patch["rows"] == rows and patch["cols"] == cols, (patch, rows, cols)
        for axis in ("rows", "cols"):
            lo, hi = patch[axis]
            index = patch["row_index" if axis == "rows" else "col_index"]
            assert index == (lo + hi) // 2, patch  # evaluation mode: rounded mean
    assert checked > 0, "nothing was checked"
    print(f"check_tokens: {len(positions)} positions, {checked} values and {len(out['patches'])} patches agree")


if __name__ == "__main__":
    main()
