"""Does saliency quality fall with longer training?  (issue 5's research question)

Trains ``RNNClassifier(cell=...)`` on the paper's earlier box (1000 / 300
samples, 100 x 100) for 30 epochs without the stop-at-100 %-train-accuracy
rule, snapshots the weights after epochs 1, 2, 3, 5, 10 and 30, and for each
snapshot scores saliency methods (gradient, SmoothGrad with two noise levels,
integrated gradients) against the true box.  Diagnostics of *why*: for input-cell
attention, the attention weight the last step puts on the box's time steps
and the entropy of that attention (sharpening shows as falling entropy); for
every model, the share of saliency mass in the top 1 % of cells (a few cells
dominating) and the share of saliency mass inside the box.

Run: ``python benchmarks/study_epochs.py [--models ica_lstm] [--out results]``
(one torch thread; about 5-10 minutes on a 2-core CPU).  Writes
``results/study_epochs.csv`` and ``results/figures/study_epochs.png``.
"""

import argparse
import copy
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from skorch.callbacks import Callback

from ica_sklearn import RNNClassifier, SaliencyExplainer
from ica_sklearn._attention import causal_attention_matrix
from ica_sklearn.datasets import make_box_train_test
from ica_sklearn.metrics import euclidean_distance, weighted_jaccard
from ica_sklearn.plotting import normalize_maps

EPOCHS = (1, 2, 3, 5, 10, 30)
METHODS = {
    "gradient": ("gradient", None),
    "smoothgrad": ("smoothgrad", {"nt_samples": 10, "stdevs": 0.15}),
    "smoothgrad_sd1": ("smoothgrad", {"nt_samples": 10, "stdevs": 1.0}),
    "integrated_gradients": ("integrated_gradients", {"n_steps": 20}),
}
"""Label -> (SaliencyExplainer method, method_params).  The data are
standardised, so SmoothGrad's default sd 0.15 is small noise and sd 1 is
noise of the data's own scale."""


class Snapshots(Callback):
    """Keep a copy of the module's weights after the chosen epochs."""

    def __init__(self, epochs):
        self.epochs = epochs

    def initialize(self):
        self.states_ = {}
        return self

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        if epoch in self.epochs:
            self.states_[epoch] = copy.deepcopy(net.module_.state_dict())


def attention_diagnostics(clf, X, box_steps):
    """Mean attention mass on the box steps at the last step, and its entropy."""
    attention_layer = clf.net_.module_.input_attention
    if attention_layer is None:
        return {}
    with torch.no_grad():
        scores = attention_layer.scores(torch.as_tensor(X[:100]))
        last_row = causal_attention_matrix(scores)[:, -1, :]
    entropy = -(last_row * torch.log(last_row.clamp_min(1e-30))).sum(dim=1)
    return {
        "attention_on_box": float(last_row[:, box_steps].sum(dim=1).mean()),
        "attention_entropy": float(entropy.mean()),
    }


def saliency_diagnostics(saliency, mask):
    """Share of saliency mass in the top 1 % of cells, and inside the box."""
    flat = normalize_maps(saliency).reshape(len(saliency), -1)
    top = np.sort(flat, axis=1)[:, -max(1, flat.shape[1] // 100):]
    total = flat.sum(axis=1) + 1e-30
    return {
        "top1pct_mass": float(np.mean(top.sum(axis=1) / total)),
        "box_mass": float(np.mean((flat * mask.reshape(len(mask), -1)).sum(axis=1) / total)),
    }


def study(model, seed=0):
    """One row per (epoch, method) for ``model``."""
    X_train, X_test, y_train, y_test, _, mask = make_box_train_test("earlier_box", random_state=seed)
    snapshots = Snapshots(set(EPOCHS))
    clf = RNNClassifier(
        cell=model, max_epochs=max(EPOCHS), stop_at_perfect_train_accuracy=False,
        callbacks=[("snapshots", snapshots)], device="cpu", random_state=seed,
    ).fit(X_train, y_train)
    box_steps = np.flatnonzero(mask[0].any(axis=1))
    rows = []
    for epoch, state in sorted(snapshots.states_.items()):
        clf.net_.module_.load_state_dict(state)
        base = {"model": model, "epoch": epoch, "test_acc": 100 * clf.score(X_test, y_test),
                "train_acc": clf.net_.history[epoch - 1, "train_acc"],
                **attention_diagnostics(clf, X_test, box_steps)}
        for label, (method, params) in METHODS.items():
            start = time.perf_counter()
            saliency = SaliencyExplainer(clf, method, method_params=params, random_state=0).transform(X_test, y_test)
            rows.append({**base, "method": label,
                         "weighted_jaccard": float(weighted_jaccard(mask, saliency).mean()),
                         "euclidean_distance": float(euclidean_distance(mask, saliency).mean()),
                         **saliency_diagnostics(saliency, mask),
                         "seconds": time.perf_counter() - start})
            print(rows[-1], flush=True)
    return rows


def plot(results, path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8.5, 4))
    styles = dict(zip(results["model"].unique(), ["-", "--", ":", "-."]))
    colors = dict(zip(METHODS, plt.rcParams["axes.prop_cycle"].by_key()["color"]))
    for (model, method), group in results.groupby(["model", "method"], sort=False):
        ax.plot(group["epoch"], group["weighted_jaccard"], marker="o", linestyle=styles[model],
                color=colors[method], label=f"{model}, {method}")
    ax.set_xscale("log")
    ax.set_xlabel("training epochs")
    ax.set_ylabel("weighted Jaccard (earlier box)")
    ax.set_title("Saliency quality against training length")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["ica_lstm"])
    parser.add_argument("--out", default="results")
    args = parser.parse_args()
    torch.set_num_threads(1)
    results = pd.DataFrame([row for model in args.models for row in study(model)])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results.to_csv(out / "study_epochs.csv", index=False)
    plot(results, out / "figures" / "study_epochs.png")
    columns = ["model", "epoch", "method", "test_acc", "weighted_jaccard", "euclidean_distance",
               "top1pct_mass", "box_mass", *[c for c in ("attention_on_box", "attention_entropy") if c in results]]
    print(results[columns].to_markdown(index=False, floatfmt=".3f"))


if __name__ == "__main__":
    main()
