"""Gradient saliency of 300 test samples at the paper's setting, against the
original code's way.

Setting: T = 100, F = 100, input-cell attention LSTM with hidden size 5,
r = 20 hops, d_a = 50.  Ours: ``SaliencyExplainer(clf).transform(X, y)``
(one backward pass per batch, vectorised attention, fused ``nn.LSTM``).
Baseline: one sample at a time through a per-step loop implementation of the
cell (``_reference_cell.py``: the attention of the whole prefix recomputed at
every step, float64).  The baseline is timed on ``--reference-samples``
samples and extrapolated to all of them (printed as such).  The weights
come from a briefly trained classifier; the cost does not depend on them.

Run::

    .venv/bin/python benchmarks/bench_saliency.py [--threads 1] [--reference-samples 10]
"""

import argparse
import time

import numpy as np
import torch

from _reference_cell import ReferenceInputCellAttentionLSTM
from ica_sklearn import RNNClassifier
from ica_sklearn.explain import SaliencyExplainer


def box_data(n, T, F, seed):
    """The paper's earlier box (t 0-30, f 10-90), unit background noise."""
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 2, n)
    X = rng.normal(size=(n, T, F))
    X[:, 0:30, 10:90] += np.where(y == 1, 1.0, -1.0)[:, None, None]
    return X.astype("float32"), y


def reference_saliency(reference, x, target):
    """|d p_target / d x| for one sample through the per-step loop, float64."""
    x = torch.tensor(x[None], dtype=torch.float64, requires_grad=True)
    probability = torch.softmax(reference(x), dim=1)[0, target]
    (grad,) = torch.autograd.grad(probability, x)
    return grad[0].abs().numpy()


def timed(function, repeat=1):
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--n-test", type=int, default=300)
    parser.add_argument("--reference-samples", type=int, default=30)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X_train, y_train = box_data(200, 100, 100, seed=0)
    X_test, y_test = box_data(args.n_test, 100, 100, seed=1)
    settings = dict(hidden_size=5, attention_hops=20, attention_dim=50, max_epochs=2,
                    random_state=0)
    print(f"torch {torch.__version__}, {args.threads} thread(s), {args.n_test} test samples, "
          "T=100, F=100, ica_lstm hidden 5, r=20, d_a=50")
    results = {}
    for dtype in ("float32", "float64"):
        clf = RNNClassifier("ica_lstm", dtype=dtype, **settings).fit(X_train, y_train)
        explainer = SaliencyExplainer(clf)  # default batch_size=64
        explainer.transform(X_test[:5], y_test[:5])  # warm-up
        seconds, maps = timed(lambda: explainer.transform(X_test, y_test), repeat=3)
        results[dtype] = (seconds, maps, clf)
        print(f"ours ({dtype}, batched):   {seconds:8.3f} s for {args.n_test} samples")

    clf64 = results["float64"][2]
    reference = ReferenceInputCellAttentionLSTM(clf64.net_.module_.eval())
    k = min(args.reference_samples, args.n_test)
    seconds_k, ref_maps = timed(
        lambda: [reference_saliency(reference, X_test[i], y_test[i]) for i in range(k)]
    )
    reference_total = seconds_k / k * args.n_test
    print(f"reference (float64, per sample, per-step loop): {seconds_k:.2f} s for {k} "
          f"samples -> {reference_total:.1f} s extrapolated to {args.n_test}")
    difference = np.abs(np.stack(ref_maps) - results["float64"][1][:k]).max()
    print(f"max |ours float64 - reference| on those {k} samples: {difference:.2e}")
    for dtype in ("float32", "float64"):
        print(f"speed-up, ours {dtype} vs reference: {reference_total / results[dtype][0]:7.0f}x")


if __name__ == "__main__":
    main()
