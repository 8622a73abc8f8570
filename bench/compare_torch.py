#!/usr/bin/python3
"""Side-by-side benchmark of calico's C++ transformer and the PyTorch reference
(tests/transformer_reference.py), in one run, on the same configs, batch layout and
thread count. Needs Debian's python3-torch (not installed by tools/setup) and a built
bench/model_bench. Debian's torch calls the system libblas.so.3, which is the slow
reference BLAS unless OpenBLAS is installed; with libopenblas0-pthread present this script
re-runs itself with OpenBLAS preloaded (LD_LIBRARY_PATH, OPENBLAS_NUM_THREADS = threads)
so PyTorch gets a fast GEMM without changing the system's BLAS alternative:

    bazel build --config=native //bench:model_bench
    /usr/bin/python3 bench/compare_torch.py [--threads=2] [--steps=3]

Measures:
  - SGEMM peak of this machine (C++: calico's GEMM path; PyTorch: torch.mm), same threads;
  - training tokens/s (of the fastest of --steps steps after a warm-up one, on both
    sides: the machine may be shared) on Gato-layout batches (16 image patches, 24 continuous observation
    tokens, '|', 6 action tokens with loss per timestep) for `small` and `base`: calico,
    PyTorch with the same masked head (logits only where a target is predicted), and
    PyTorch with logits at every position (as published re-implementations do); every
    step is forward + backward + gradient clipping + AdamW;
  - calico's model FLOP/s in training `base` as a fraction of the measured SGEMM peak;
  - one KV-cache decode step at a context of 1000 positions (small, base);
  - calico's peak resident memory training `small` at batch 16 x 1024.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread"

PRESETS = {
    "small": dict(num_layers=6, num_heads=8, width=256, ff_width=1024, head_dim=32),
    "base": dict(num_layers=8, num_heads=8, width=512, ff_width=2048, head_dim=64),
}
COMMON = dict(vocab_size=2624, context_length=1024, max_local_positions=512,
              patch_position_buckets=128, rope_base=10000.0, norm_epsilon=1e-5)


def run_cpp(binary, *args):
    out = subprocess.run([binary] + list(args), check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def gato_batch(batch, seq, gen):
    """bench/gato_batch.h's layout (values differ; the cost does not)."""
    step = 16 + 24 + 1 + 6
    ids = torch.empty(batch, seq, dtype=torch.long)
    patch_index = torch.full((batch, seq), -1, dtype=torch.long)
    local = torch.full((batch, seq), -1, dtype=torch.long)
    loss = torch.zeros(batch, seq, dtype=torch.long)
    n_patches = 0
    for t in range(seq):
        k = t % step
        if k < 16:
            ids[:, t] = -1
            patch_index[:, t] = torch.arange(n_patches, n_patches + batch)
            n_patches += batch
            local[:, t] = k
        elif k < 40:
            ids[:, t] = 512 + torch.randint(0, 1024, (batch,), generator=gen)
            local[:, t] = k
        elif k == 40:
            ids[:, t] = 512 + 2048
        else:
            ids[:, t] = 512 + torch.randint(0, 1024, (batch,), generator=gen)
            loss[:, t] = 1 if t > 0 else 0
    return dict(ids=ids, patch_index=patch_index, local_position=local, loss_mask=loss,
                patches=torch.rand(n_patches, 768, generator=gen) * 0.5 - 0.25,
                patch_row=torch.randint(0, 128, (n_patches,), generator=gen),
                patch_col=torch.randint(0, 128, (n_patches,), generator=gen))


def loaded_blas():
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line}
    return ", ".join(sorted(os.path.basename(l) + " (" + os.path.dirname(l) + ")" for l in libs)) or "none"


def torch_train(cfg, batch, seq, steps, head_everywhere):
    torch.manual_seed(0)
    model = ref.Reference(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.9, 0.95), eps=1e-8,
                            weight_decay=0.1)
    data = gato_batch(batch, seq, torch.Generator().manual_seed(7))
    best = math.inf
    for s in range(steps + 1):
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss, _ = model(data, head_everywhere=head_everywhere)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if s > 0:  # step 0 warms up
            best = min(best, time.perf_counter() - start)
    return batch * seq / best


def torch_sgemm(n):
    a, b = torch.full((n, n), 0.5), torch.full((n, n), 0.25)
    best = math.inf
    for _ in range(5):
        t = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e9


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(HERE, "..", "bazel-bin", "bench", "model_bench"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--seq", type=int, default=1024)
    parser.add_argument("--small_batch", type=int, default=8)
    parser.add_argument("--base_batch", type=int, default=4)
    parser.add_argument("--memory_batch", type=int, default=16)
    parser.add_argument("--system_blas", action="store_true",
                        help="keep the system libblas.so.3 for PyTorch (no OpenBLAS preload)")
    args = parser.parse_args()
    if (not args.system_blas and os.path.isdir(OPENBLAS_DIR)
            and os.environ.get("CALICO_BENCH_REEXEC") != "1"):
        env = dict(os.environ, CALICO_BENCH_REEXEC="1", OPENBLAS_NUM_THREADS=str(args.threads),
                   LD_LIBRARY_PATH=OPENBLAS_DIR + ":" + os.environ.get("LD_LIBRARY_PATH", ""))
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    global torch, ref
    import torch
    sys.path.insert(0, os.path.join(HERE, "..", "tests"))
    import transformer_reference as ref
    torch.set_num_threads(args.threads)
    th = "--threads=%d" % args.threads
    torch.mm(torch.ones(2, 2), torch.ones(2, 2))  # loads the BLAS
    print("PyTorch BLAS: " + loaded_blas())
    print("threads %d, torch %s, load average %s" % (args.threads, torch.__version__,
                                                      " ".join("%.2f" % x for x in os.getloadavg())))

    # The peak is measured before and after the rest (the best of both counts), so a
    # burst of load from other processes during one measurement does not set it.
    peaks = [run_cpp(args.bin, "--mode=sgemm", th)["gflops"]]
    print("SGEMM 2048^3: calico %.1f GFLOP/s, torch.mm %.1f GFLOP/s" % (peaks[0], torch_sgemm(2048)))
    results = []

    for name, batch in (("small", args.small_batch), ("base", args.base_batch)):
        cfg = dict(PRESETS[name], **COMMON)
        cpp = run_cpp(args.bin, "--mode=train", "--preset=" + name, th, "--batch=%d" % batch,
                      "--seq=%d" % args.seq, "--steps=%d" % args.steps)
        masked = torch_train(cfg, batch, args.seq, args.steps, head_everywhere=False)
        full = torch_train(cfg, batch, args.seq, args.steps, head_everywhere=True)
        print("train %-5s %dx%d: calico %.0f tok/s (%.1f model GFLOP/s); torch masked head "
              "%.0f tok/s (calico %.2fx); torch head everywhere %.0f tok/s (calico %.2fx)"
              % (name, batch, args.seq, cpp["tokens_per_s"], cpp["model_gflops"], masked,
                 cpp["tokens_per_s"] / masked, full, cpp["tokens_per_s"] / full))
        results.append((name, cpp["model_gflops"]))

    for name in ("small", "base"):
        d = run_cpp(args.bin, "--mode=decode", "--preset=" + name, th, "--context=1000",
                    "--steps=50")
        print("decode %-5s context 1000: mean %.2f ms, median %.2f ms, p90 %.2f ms"
              % (name, d["mean_ms"], d["median_ms"], d["p90_ms"]))

    peaks.append(run_cpp(args.bin, "--mode=sgemm", th)["gflops"])
    peak = max(peaks)
    print("SGEMM peak (best of start %.1f and end %.1f): %.1f GFLOP/s" % (peaks[0], peaks[1], peak))
    for name, gflops in results:
        print("model FLOP/s training %-5s: %.1f GFLOP/s = %.0f%% of the SGEMM peak"
              % (name, gflops, 100 * gflops / peak))

    m = run_cpp(args.bin, "--mode=train", "--preset=small", th,
                "--batch=%d" % args.memory_batch, "--seq=%d" % args.seq, "--steps=1")
    print("memory: training small %dx%d: peak RSS %.0f MiB (activations and scratch %.0f MiB), "
          "%.0f tok/s" % (args.memory_batch, args.seq, m["peak_rss_mib"], m["activation_mib"],
                          m["tokens_per_s"]))


if __name__ == "__main__":
    main()
