#!/usr/bin/env python3
"""Writes the example `calico tokens` inputs in tests/data/ (standard library only).

    python3 tests/data/make_examples.py

cartpole_pixels_episode.textproto: a cart-pole-like episode with every observation
modality (instruction text, a 32x32 camera image, a discrete mode flag, continuous
position and velocity) and a continuous force action; the last step has no action.
arcade_episode.textproto: a grid-game-like episode with a discrete 10x10 board and a
discrete action out of 6.
scenes_vqa_episode.textproto: a vision-language episode (no action spec) of two steps,
each a 16x16 image and a "q: ... a: ..." text: images first, text last with EOS.
"""

import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def image_bytes(height, width, t):
    out = []
    for y in range(height):
        for x in range(width):
            # A sky-to-floor gradient with a bright "pole" column that moves with t.
            pole = abs(x - (12 + 3 * t)) <= 1 and y < 24
            r, g, b = (230, 200, 40) if pole else (40 + 4 * y, 60 + 2 * x, 160 - 3 * y)
            out += [r % 256, g % 256, b % 256]
    return "".join(f"\\{v:03o}" for v in out)


def floats(values):
    return ", ".join(f"{v:.6g}" for v in values)


def cartpole():
    lines = [
        "# A cart-pole-like episode: every observation modality and a continuous action.",
        "# Regenerate with: python3 tests/data/make_examples.py",
        'observation_spec { name: "instruction" dtype: STRING }',
        'observation_spec { name: "pixels" dtype: UINT8 shape: [32, 32, 3] }',
        'observation_spec { name: "mode" dtype: INT32 shape: [1] minimum: 0 maximum: 3 }',
        'observation_spec { name: "position" dtype: FLOAT32 shape: [3] }',
        'observation_spec { name: "velocity" dtype: FLOAT32 shape: [2] }',
        'action_spec { name: "force" dtype: FLOAT32 shape: [1] minimum: -1 maximum: 1 }',
    ]
    for t in range(3):
        angle = math.pi - 0.4 * t
        lines.append("steps {")
        lines.append('  observation { name: "instruction" dtype: STRING text: "swing up the pole" }')
        lines.append(f'  observation {{ name: "pixels" dtype: UINT8 shape: [32, 32, 3] uint8_values: "{image_bytes(32, 32, t)}" }}')
        lines.append(f'  observation {{ name: "mode" dtype: INT32 shape: [1] int_values: [{t % 2}] }}')
        lines.append(f'  observation {{ name: "position" dtype: FLOAT32 shape: [3] float_values: [{floats([0.1 * t, math.cos(angle), math.sin(angle)])}] }}')
        lines.append(f'  observation {{ name: "velocity" dtype: FLOAT32 shape: [2] float_values: [{floats([0.5 - 0.2 * t, -1.3 + t])}] }}')
        if t < 2:
            lines.append(f'  action {{ name: "force" dtype: FLOAT32 shape: [1] float_values: [{floats([0.8 - 0.9 * t])}] }}')
        lines.append("}")
    return "\n".join(lines) + "\n"


def arcade():
    lines = [
        "# A grid-game-like episode: a discrete 10x10 board and one discrete action of 6.",
        "# Regenerate with: python3 tests/data/make_examples.py",
        'observation_spec { name: "board" dtype: INT32 shape: [10, 10] minimum: 0 maximum: 4 }',
        'action_spec { name: "action" dtype: INT32 shape: [] minimum: 0 maximum: 5 }',
    ]
    for t in range(4):
        board = [0] * 100
        board[9 * 10 + (3 + t) % 10] = 1  # paddle
        board[(2 + t) * 10 + 5] = 2  # ball
        for c in range(10):
            board[c] = 3  # bricks
        lines.append("steps {")
        lines.append(f'  observation {{ name: "board" dtype: INT32 shape: [10, 10] int_values: [{", ".join(map(str, board))}] }}')
        lines.append(f'  action {{ name: "action" dtype: INT32 int_values: [{[3, 3, 0, 1][t]}] }}')
        lines.append("}")
    return "\n".join(lines) + "\n"


def scenes_vqa():
    lines = [
        "# A vision-language episode: image and text steps, no action spec.",
        "# Regenerate with: python3 tests/data/make_examples.py",
        'observation_spec { name: "image" dtype: UINT8 shape: [16, 16, 3] }',
        'observation_spec { name: "text" dtype: STRING }',
    ]
    texts = ["q: what colour is the sphere? a: red", "caption: a small red sphere left of a large blue box"]
    for t, text in enumerate(texts):
        lines.append("steps {")
        lines.append(f'  observation {{ name: "image" dtype: UINT8 shape: [16, 16, 3] uint8_values: "{image_bytes(16, 16, t)}" }}')
        lines.append(f'  observation {{ name: "text" dtype: STRING text: "{text}" }}')
        lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    for name, text in [("cartpole_pixels_episode.textproto", cartpole()), ("arcade_episode.textproto", arcade()),
                       ("scenes_vqa_episode.textproto", scenes_vqa())]:
        with open(os.path.join(HERE, name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
