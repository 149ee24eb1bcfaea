"""Temporal Saliency Rescaling per (T = 100, F = 100) sample: batched vs one
mask at a time.

TSR makes ``1 + T + (1 - 0.55) T F`` (= 4601 here) attribution calls per
sample.  Ours stacks the masked copies into batches of ``batch_size``
(``SaliencyExplainer(..., tsr=True)``); the baseline attributes one masked
copy per call, as TSInterpret and the authors' code do.  The baseline is
timed on ``--baseline-calls`` single-copy calls and extrapolated to the
number of calls the batched run actually made (printed as such).  Each
configuration runs in a fresh process, which reports its peak resident
memory (minus what it held before the run): memory grows with
``batch_size``, not with the number of masked copies.

Run::

    .venv/bin/python benchmarks/bench_tsr.py [--threads 1] [--ig-steps 50]
"""

import argparse
import multiprocessing
import pickle
import resource
import tempfile
import time

import numpy as np
import torch

from ica_sklearn import RNNClassifier
from ica_sklearn.explain._attribution import ScoreModule, make_attribution
from ica_sklearn.explain import SaliencyExplainer

T, F = 100, 100


def _rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _run_batched(model_path, x, y, method, params, batch_size, threads, queue):
    torch.set_num_threads(threads)
    with open(model_path, "rb") as file:
        clf = pickle.load(file)
    explainer = SaliencyExplainer(clf, method, tsr=True, method_params=params,
                                  batch_size=batch_size)
    before = _rss_mb()
    start = time.perf_counter()
    maps = explainer.transform(x, y)
    seconds = time.perf_counter() - start
    queue.put((seconds / len(x), _peak_mb() - before, maps))


def _time_single_copy_calls(clf, x, y, method, params, n_calls):
    """Seconds per attribution call on one (masked) copy."""
    attribute = make_attribution(method, ScoreModule(clf.net_.module_.eval()),
                                 method_params=params, batch_size=1)
    X = torch.tensor(x[:1])
    lengths, target = torch.tensor([T]), torch.tensor(y[:1])
    attribute(X, lengths, target)  # warm-up
    start = time.perf_counter()
    for call in range(n_calls):
        masked = X.clone()
        masked[0, call % T, call % F] = 0.0
        attribute(masked, lengths, target).abs().sum()
    return (time.perf_counter() - start) / n_calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--n-samples", type=int, default=1)
    parser.add_argument("--ig-steps", type=int, default=50)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[16, 64, 256, 1024])
    parser.add_argument("--ig-batch-sizes", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--baseline-calls", type=int, default=40)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20 + args.n_samples, T, F)).astype("float32")
    y = np.arange(len(X)) % 2
    clf = RNNClassifier("lstm", hidden_size=5, max_epochs=1, random_state=0).fit(X[:20], y[:20])
    x, y_x = X[20:], y[20:]
    # 1 + T + F per step above the 0.55 quantile of T distinct values: 4601 for T = F = 100.
    calls = 1 + T + (T - int(np.floor(0.55 * (T - 1))) - 1) * F
    print(f"torch {torch.__version__}, {args.threads} thread(s); one-layer LSTM (hidden 5); "
          f"T={T}, F={F}; {args.n_samples} sample(s); about {calls} attribution calls per "
          "sample")
    context = multiprocessing.get_context("spawn")
    with tempfile.NamedTemporaryFile(suffix=".pkl") as model_file:
        pickle.dump(clf, model_file)
        model_file.flush()
        for method, params, sizes in [
            ("gradient", None, args.batch_sizes),
            ("integrated_gradients", {"n_steps": args.ig_steps}, args.ig_batch_sizes),
        ]:
            single = _time_single_copy_calls(clf, x, y_x, method, params, args.baseline_calls
                                             if method == "gradient" else
                                             max(5, args.baseline_calls // 4))
            baseline = single * calls
            label = method if params is None else f"{method} ({args.ig_steps} steps)"
            print(f"\n{label}: one mask at a time: {single * 1e3:.2f} ms per call x {calls} "
                  f"calls = {baseline:.1f} s per sample (extrapolated)")
            for batch_size in sizes:
                queue = context.Queue()
                process = context.Process(
                    target=_run_batched,
                    args=(model_file.name, x, y_x, method, params, batch_size,
                          args.threads, queue),
                )
                process.start()
                seconds, peak, _ = queue.get()
                process.join()
                print(f"  batched, batch_size={batch_size:5d}: {seconds:7.2f} s per sample, "
                      f"{baseline / seconds:5.1f}x faster, peak memory +{peak:.0f} MB")


if __name__ == "__main__":
    main()
