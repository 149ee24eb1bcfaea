"""All saliency metrics of 300 maps of 100 x 100, as ``ica-sklearn reproduce``
scores them, against the previous way.

Ours: ``evaluate_saliency(mask, saliency)`` (checked and scaled once, one
sort per sample, ``ica_sklearn.metrics._batched``).  Baseline: what
``evaluate_saliency`` did before, calling every metric function of
``SALIENCY_METRICS`` one after the other (each checks and scales the maps
again; the rank metrics sort every sample again, the precision/recall areas
once per percentage).  Both run in this process on the same maps: box masks
of ``make_box_train_test`` (one per sample) and random saliency, continuous
or quantised to a few levels (many ties).  The script also checks that both
give the same values (to 1e-12).

Run::

    .venv/bin/python benchmarks/bench_metrics.py [--samples 300] [--repeats 5]
"""

import argparse
import time

import numpy as np

from ica_sklearn.datasets import make_box_train_test
from ica_sklearn.metrics import SALIENCY_METRICS, evaluate_saliency


def best_time(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def largest_difference(got, expected):
    """Max absolute difference; infinite where only one of the two is NaN."""
    if not np.array_equal(np.isnan(got), np.isnan(expected)):
        return np.inf
    both = ~np.isnan(got)
    return float(np.abs(got[both] - expected[both]).max(initial=0.0))


def one_by_one(mask, saliency):
    return {name: entry.function(mask, saliency) for name, entry in SALIENCY_METRICS.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5, help="best of this many runs")
    args = parser.parse_args()

    *_, mask = make_box_train_test(n_train=2, n_test=args.samples, random_state=0)
    rng = np.random.default_rng(0)
    maps = {"continuous": rng.normal(size=mask.shape)}
    maps["quantised (ties)"] = np.round(maps["continuous"] * 2.0)

    print(f"{args.samples} maps of {mask.shape[1]} x {mask.shape[2]}, "
          f"all {len(SALIENCY_METRICS)} metrics, best of {args.repeats}")
    print(f"{'maps':<18} {'one by one (s)':>15} {'evaluate_saliency (s)':>22} "
          f"{'speed-up':>9} {'max |diff|':>11}")
    for label, saliency in maps.items():
        baseline, expected = best_time(lambda: one_by_one(mask, saliency), args.repeats)
        ours, scores = best_time(lambda: evaluate_saliency(mask, saliency), args.repeats)
        difference = max(
            largest_difference(scores[name].to_numpy(), values) for name, values in expected.items()
        )
        print(f"{label:<18} {baseline:>15.3f} {ours:>22.3f} {baseline / ours:>8.1f}x "
              f"{difference:>11.1e}")
        if difference > 1e-12:
            raise SystemExit(f"evaluate_saliency differs from the functions by {difference}.")


if __name__ == "__main__":
    main()
