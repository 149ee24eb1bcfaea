"""Peak memory of one training step and of gradient saliency, against batch
size and sequence length (not a test).

Each configuration runs in a fresh subprocess (torch's CPU allocations are
invisible to ``tracemalloc``); the child warms up on a tiny input, records
its resident set size (RSS), runs the measured step once, and reports the
peak RSS growth (``ru_maxrss`` after - RSS before).  Expectations: linear in
the batch size; no worse than T^2 per sample in the sequence length T
(input-cell attention keeps the blocks on and below the diagonal of a (T, T)
attention per sample for the backward).

Run::

    python benchmarks/bench_memory.py            # full table, up to T = 2000
    python benchmarks/bench_memory.py --quick    # smaller grid

and paste the Markdown it prints into ``docs/robustness.md``.
"""

import argparse
import json
import resource
import subprocess
import sys
import time


def _rss_bytes():
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize()


def _peak_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def child(kind, batch, n_steps, n_features, cell):
    """Measure one configuration; print one JSON line."""
    import numpy as np
    import torch

    torch.set_num_threads(1)
    from ica_sklearn import RNNClassifier, SaliencyExplainer

    rng = np.random.RandomState(0)
    y = np.arange(batch) % 2
    X = rng.normal(size=(batch, n_steps, n_features)).astype(np.float32)
    # Warm-up on a tiny input: loads libraries and touches code paths.
    tiny = RNNClassifier(cell, max_epochs=1, random_state=0, device="cpu")
    tiny.fit(X[:2, :5], y[:2])
    SaliencyExplainer(tiny).transform(X[:2, :5], y[:2])
    clf = RNNClassifier(cell, max_epochs=1, batch_size=batch, random_state=0, device="cpu")
    if kind == "saliency":
        clf.fit(X[:2, :5], y[:2])  # the weights do not depend on T
    before_rss, before_peak = _rss_bytes(), _peak_bytes()
    start = time.perf_counter()
    if kind == "fit":
        clf.fit(X, y)  # one epoch of `batch` samples = one optimiser step
    else:
        SaliencyExplainer(clf, batch_size=batch).transform(X, y)
    seconds = time.perf_counter() - start
    growth = max(_peak_bytes() - before_rss, 0)
    print(json.dumps({"kind": kind, "batch": batch, "T": n_steps, "F": n_features,
                      "peak_mib": growth / 2**20, "seconds": seconds,
                      "peak_before_mib": (before_peak - before_rss) / 2**20}))


def measure(kind, batch, n_steps, n_features, cell):
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(batch), str(n_steps),
         str(n_features), cell],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller grid")
    parser.add_argument("--cell", default="ica_lstm")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, batch, n_steps, n_features, cell = args.child
        child(kind, int(batch), int(n_steps), int(n_features), cell)
        return

    batches = [8, 16, 32] if args.quick else [8, 16, 32, 64]
    lengths = [250, 500, 1000] if args.quick else [250, 500, 1000, 2000]
    batch_T, length_B, F = 500, 4, 20
    print(f"cell={args.cell}, F={F}, float32, 1 torch thread, peak RSS growth (MiB)\n")
    print(f"### Against batch size (T={batch_T})\n")
    print("| step | batch | peak MiB | MiB per sample | ratio to previous (batch x2) | s |")
    print("|---|---|---|---|---|---|")
    for kind in ("fit", "saliency"):
        previous = None
        for batch in batches:
            row = measure(kind, batch, batch_T, F, args.cell)
            ratio = f"{row['peak_mib'] / previous:.2f}" if previous else "-"
            print(f"| {kind} | {batch} | {row['peak_mib']:.1f} | "
                  f"{row['peak_mib'] / batch:.2f} | {ratio} | {row['seconds']:.1f} |",
                  flush=True)
            previous = row["peak_mib"]
    print(f"\n### Against sequence length (batch={length_B})\n")
    print("| step | T | peak MiB | MiB per sample | ratio to previous (T x2; T^2 would be 4) "
          "| bytes per sample per T^2 | s |")
    print("|---|---|---|---|---|---|---|")
    for kind in ("fit", "saliency"):
        previous = None
        for n_steps in lengths:
            row = measure(kind, length_B, n_steps, F, args.cell)
            ratio = f"{row['peak_mib'] / previous:.2f}" if previous else "-"
            per_t2 = row["peak_mib"] * 2**20 / length_B / n_steps**2
            print(f"| {kind} | {n_steps} | {row['peak_mib']:.1f} | "
                  f"{row['peak_mib'] / length_B:.2f} | {ratio} | {per_t2:.1f} | "
                  f"{row['seconds']:.1f} |", flush=True)
            previous = row["peak_mib"]


if __name__ == "__main__":
    main()
