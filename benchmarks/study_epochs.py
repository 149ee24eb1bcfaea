"""Does saliency quality fall with longer training?  (issue 5's research question)

For each model, trains ``RNNClassifier(cell=model)`` on the paper's earlier
box (1000 / 300 samples, 100 x 100) for 30 epochs without the
stop-at-100 %-train-accuracy rule, snapshots the weights after epochs 1, 2,
3, 5, 10 and 30, and for each snapshot scores saliency methods (gradient,
SmoothGrad with two noise levels, integrated gradients and, on the first
``--tsr-samples`` test samples, TSR with the gradient) against the true box.
Diagnostics of *why*: for input-cell attention, the attention weight the
last step puts on the box's time steps and the entropy of that attention
(sharpening shows as falling entropy); for every model, the share of
saliency mass in the top 1 % of cells (a few cells dominating) and the share
of saliency mass inside the box.

Run (one torch thread; on a 2-core CPU about 3.5 minutes per model and seed
with 30 TSR samples, 1 minute with 10: TSR takes ~90 % of the time)::

    python benchmarks/study_epochs.py [--models lstm bilstm lstm_self_attention ica_lstm]
        [--seeds 1] [--tsr-samples 30] [--out results]

Writes ``OUT/study_epochs.csv`` (one row per model, seed, epoch and method),
``OUT/study_epochs_summary.md`` (mean and spread over seeds) and
``OUT/figures/study_epochs.png`` (one panel per model, one line per method).
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
from ica_sklearn.nn import causal_attention_matrix
from ica_sklearn.datasets import make_box_train_test
from ica_sklearn.metrics import euclidean_distance, weighted_jaccard
from ica_sklearn.plotting import normalize_maps

MODELS = ("lstm", "bilstm", "lstm_self_attention", "ica_lstm")
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

TSR_LABEL = "tsr_gradient"
"""TSR on top of the gradient (``tsr=True``), scored on a subset of the test
set because it costs thousands of gradient passes per sample."""

LEGEND = {
    "gradient": "gradient (the paper's)",
    "smoothgrad": "SmoothGrad, noise sd 0.15",
    "smoothgrad_sd1": "SmoothGrad, noise sd 1",
    "integrated_gradients": "integrated gradients",
    TSR_LABEL: "TSR + gradient",
}


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


def _score(clf, label, X, y, mask, **explainer_params):
    start = time.perf_counter()
    saliency = SaliencyExplainer(clf, random_state=0, **explainer_params).transform(X, y)
    return {"method": label, "n_explained": len(X),
            "weighted_jaccard": float(weighted_jaccard(mask, saliency).mean()),
            "euclidean_distance": float(euclidean_distance(mask, saliency).mean()),
            **saliency_diagnostics(saliency, mask),
            "seconds": time.perf_counter() - start}


def study(model, seed=0, layout="earlier_box", tsr_samples=30):
    """One row per (epoch, method) for ``model`` trained with ``seed``."""
    X_train, X_test, y_train, y_test, _, mask = make_box_train_test(layout, random_state=seed)
    snapshots = Snapshots(set(EPOCHS))
    clf = RNNClassifier(
        cell=model, max_epochs=max(EPOCHS), stop_at_perfect_train_accuracy=False,
        callbacks=[("snapshots", snapshots)], device="cpu", random_state=seed,
    ).fit(X_train, y_train)
    box_steps = np.flatnonzero(mask[0].any(axis=1))
    rows = []
    for epoch, state in sorted(snapshots.states_.items()):
        clf.net_.module_.load_state_dict(state)
        base = {"model": model, "seed": seed, "layout": layout, "epoch": epoch,
                "test_acc": 100 * clf.score(X_test, y_test),
                "train_acc": clf.net_.history[epoch - 1, "train_acc"],
                **attention_diagnostics(clf, X_test, box_steps)}
        for label, (method, params) in METHODS.items():
            rows.append({**base, **_score(clf, label, X_test, y_test, mask,
                                          method=method, method_params=params)})
            print(rows[-1], flush=True)
        if tsr_samples:
            subset = slice(0, tsr_samples)
            rows.append({**base, **_score(clf, TSR_LABEL, X_test[subset], y_test[subset], mask[subset],
                                          method="gradient", tsr=True, batch_size=256)})
            print(rows[-1], flush=True)
    return rows


def summarize(results):
    """Mean (and std over seeds) of WJac and test accuracy per model, method, epoch."""
    grouped = results.groupby(["model", "method", "epoch"], sort=False)
    summary = grouped.agg(wjac=("weighted_jaccard", "mean"), wjac_std=("weighted_jaccard", "std"),
                          euc=("euclidean_distance", "mean"), test_acc=("test_acc", "mean"),
                          top1pct_mass=("top1pct_mass", "mean"), n_seeds=("seed", "nunique"))
    return summary.reset_index()


def plot(results, path):
    import matplotlib.pyplot as plt

    summary = summarize(results)
    models = list(summary["model"].unique())
    n_cols = min(2, len(models))
    n_rows = int(np.ceil(len(models) / n_cols))
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(5.2 * n_cols, 3.6 * n_rows),
                             sharex=True, sharey=True, squeeze=False)
    colors = dict(zip([*METHODS, TSR_LABEL], plt.rcParams["axes.prop_cycle"].by_key()["color"]))
    n_seeds = int(summary["n_seeds"].max())
    for ax, model in zip(axes.flat, models):
        part = summary[summary["model"] == model]
        for method, group in part.groupby("method", sort=False):
            label = LEGEND[method]
            if method == TSR_LABEL:
                label += f" ({int(results.loc[results['method'] == method, 'n_explained'].iloc[0])} samples)"
            ax.plot(group["epoch"], group["wjac"], marker="o", color=colors[method], label=label)
            if n_seeds > 1:
                ax.fill_between(group["epoch"], group["wjac"] - group["wjac_std"],
                                group["wjac"] + group["wjac_std"], color=colors[method], alpha=0.15)
        accuracy = part.drop_duplicates("epoch")["test_acc"]
        low, high = f"{accuracy.min():.0f}", f"{accuracy.max():.0f}"
        ax.set_title(f"{model}  (mean test accuracy {low if low == high else low + '-' + high} %)",
                     fontsize=10)
        if part["wjac"].max() < 0.005:
            ax.text(0.5, 0.5, "WJac ~ 0 for every method and epoch\n(the model stays at chance level)",
                    transform=ax.transAxes, ha="center", va="center", fontsize=9, color="0.3")
        ax.set_xscale("log")
        ax.set_xticks(EPOCHS, [str(e) for e in EPOCHS])
        ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("training epochs (log scale)")
    for ax in axes[:, 0]:
        ax.set_ylabel("weighted Jaccard (higher is better)")
    for ax in axes.flat[len(models):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(3, len(labels)), fontsize=9, frameon=False)
    seeds = f"mean ± std over {n_seeds} seeds" if n_seeds > 1 else "one seed"
    layout = results["layout"].iloc[0].replace("_", " ")
    fig.suptitle(f"Saliency quality against training length ({layout}, {seeds})")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--seeds", type=int, default=1, help="seeds 0 .. N-1 (data and network)")
    parser.add_argument("--layout", default="earlier_box")
    parser.add_argument("--tsr-samples", type=int, default=30,
                        help="test samples scored with TSR (0: skip TSR)")
    parser.add_argument("--out", default="results")
    args = parser.parse_args()
    torch.set_num_threads(1)
    results = pd.DataFrame([row for model in args.models for seed in range(args.seeds)
                            for row in study(model, seed, args.layout, args.tsr_samples)])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results.to_csv(out / "study_epochs.csv", index=False)
    plot(results, out / "figures" / "study_epochs.png")
    table = summarize(results).to_markdown(index=False, floatfmt=".3f")
    (out / "study_epochs_summary.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
