#!/usr/bin/python3
"""Writes tests/golden/transformer_golden.bin: logits, loss and every gradient of the
`nano` transformer on a fixed batch, computed in float64 by the independent PyTorch
implementation in tests/transformer_reference.py. //tests:transformer_golden_test
compares calico's C++ model against it.

Regenerate (needs Debian's python3-torch, which tools/setup installs):
    /usr/bin/python3 tests/golden/make_transformer_golden.py [--out=PATH]
(//tests:transformer_reference_test writes a fresh one with --out and compares it with
the committed file, so the fixture cannot drift from the reference implementation.)

Format: text header lines, "end\n", then float32 little-endian arrays in header order.
  calico transformer golden v1
  config <field> <value> ...          nano's ModelConfig
  weights splitmix64 <seed> <scale>   see transformer_reference.golden_weights
  array <name> <count>                one line per array
  end
"""

import os
import random
import struct
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import transformer_reference as ref  # noqa: E402

NANO = dict(num_layers=2, num_heads=2, width=64, ff_width=256, head_dim=32, vocab_size=2624,
            context_length=1024, max_local_positions=512, patch_position_buckets=128,
            rope_base=10000.0, norm_epsilon=1e-5)
SEED = 1234
SCALE = 0.2
B, T = 2, 24


def make_batch(rng):
    ids, patch_index, local, loss = [], [], [], []
    patches, rows, cols = [], [], []
    for b in range(B):
        for t in range(T):
            if rng.random() < 0.25:
                ids.append(-1)
                patch_index.append(len(rows))
                rows.append(rng.randrange(128))
                cols.append(rng.randrange(128))
                # Values on the float32 grid, so both sides read identical inputs.
                patches += [float(torch.tensor(rng.uniform(-0.25, 0.25), dtype=torch.float32))
                            for _ in range(768)]
                loss.append(0)
            else:
                ids.append(rng.randrange(NANO["vocab_size"]))
                patch_index.append(-1)
                loss.append(1 if t >= 1 and rng.random() < 0.4 else 0)
            local.append(rng.randrange(512) if rng.random() < 0.8 else -1)
    return dict(ids=ids, patch_index=patch_index, local_position=local, loss_mask=loss,
                patches=patches, patch_row=rows, patch_col=cols)


def main():
    torch.set_default_dtype(torch.float64)
    rng = random.Random(5)
    raw = make_batch(rng)
    batch = {k: torch.tensor(v, dtype=torch.float64 if k == "patches" else torch.long)
             for k, v in raw.items()}
    for k in ("ids", "patch_index", "local_position", "loss_mask"):
        batch[k] = batch[k].view(B, T)
    model = ref.Reference(NANO)
    model.load_calico(ref.golden_weights(NANO, SEED, SCALE))
    loss, logits = model(batch)
    loss.backward()
    arrays = [("batch.shape", [B, T])] + [("batch." + k, raw[k]) for k in
                                           ("ids", "patch_index", "local_position", "loss_mask",
                                            "patches", "patch_row", "patch_col")]
    arrays.append(("logits", logits.detach().reshape(-1).tolist()))
    arrays.append(("loss", [loss.item()]))
    for name, param, to_calico in model.named_calico_parameters():
        arrays.append(("grad." + name, to_calico(param.grad).reshape(-1).tolist()))
    header = ["calico transformer golden v1",
              "config " + " ".join("%s %s" % (k, v) for k, v in NANO.items()),
              "weights splitmix64 %d %s" % (SEED, SCALE)]
    header += ["array %s %d" % (name, len(vals)) for name, vals in arrays]
    header.append("end")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "transformer_golden.bin")
    for arg in sys.argv[1:]:
        if not arg.startswith("--out="):
            sys.exit("usage: make_transformer_golden.py [--out=PATH]; got %r" % arg)
        out = arg[len("--out="):]
    with open(out, "wb") as f:
        f.write(("\n".join(header) + "\n").encode())
        for _, vals in arrays:
            f.write(struct.pack("<%df" % len(vals), *vals))
    print("wrote %s: loss %.6f, %d targets" % (out, loss.item(), logits.shape[0]))


if __name__ == "__main__":
    main()
