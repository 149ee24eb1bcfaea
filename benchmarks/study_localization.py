"""What makes saliency localise *when* and *where*?  (issue 13's study)

For each training setting, layout and seed, trains one ``RNNClassifier`` on
the paper's box data and explains its test set with several explainers; every
map is scored with the metrics a random map cannot game (per-sample ROC AUC,
AUPR and its skill over a random map, time and feature localisation) beside
the paper's weighted Jaccard.  The same rows are computed for the model-free
baselines (a random map, ``|X|``) and the transparent linear reference, on
the same data.

Training settings (``--trainings``; all share Adam and batches of 50):

``paper``
    :data:`~ica_sklearn.classifier.PAPER_PARAMS`: hidden 5, lr 1e-3, the
    paper's stop at 100 % training accuracy (usually after 1-2 epochs).
``epochs30``
    the same, 30 epochs without the stop rule.
``hidden32``
    hidden 32, 30 epochs, no stop rule.
``hidden32_lr1e-2``
    the same with lr 1e-2.
``recommended``
    :data:`~ica_sklearn.classifier.EXPLANATION_PARAMS`: hidden 32, 30
    epochs, weight decay 1e-2.
``recommended_lstm``
    the recommended training for a plain LSTM (is vanishing saliency a
    matter of training?).

Explainers (each on every model): the paper's gradient of the class
probability, the gradient of the logit, signed input x gradient,
integrated gradients, the recommended evidence-gated gradient, TSR over the
gradient (on the first ``--tsr-samples`` test samples only: it costs
``n_timesteps + n_features`` forward passes per sample) and, for input-cell
attention, the last step's attention weights as a time-only map.

Run (one torch thread; on a 2-core machine about 1.5-2 minutes per
training setting, layout and seed at the paper's size)::

    python benchmarks/study_localization.py [--layouts ...] [--seeds 3]
        [--trainings ...] [--tsr-samples 20] [--out results-localization]
    python benchmarks/study_localization.py --quick     # a smoke run, ~1 minute

Writes ``OUT/study_localization.csv`` (one row per layout, seed, training and
explainer: per-sample means), ``OUT/study_localization.md`` (mean ± std over
seeds, per layout) and ``OUT/study_localization.png`` (per-sample AUC and
time localisation of each row, averaged over layouts and seeds).
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ica_sklearn import RNNClassifier, SaliencyExplainer
from ica_sklearn.classifier import EXPLANATION_PARAMS, PAPER_PARAMS
from ica_sklearn.explain import EXPLANATION_EXPLAINER_PARAMS
from ica_sklearn.nn import causal_attention_matrix
from ica_sklearn.reproduce import FULL_CONFIG, PAPER_LAYOUTS, QUICK_CONFIG
from ica_sklearn.reproduce._localization import (
    LOCALIZATION_METRICS,
    add_aupr_skill,
    run_references,
)
from ica_sklearn.reproduce._runs import box_data, mean_std_text
from ica_sklearn.metrics import evaluate_saliency
from ica_sklearn.utils._files import atomic_write, atomic_write_text

_LONG = {"max_epochs": 30, "stop_at_perfect_train_accuracy": False}
TRAININGS = {
    "paper": {**PAPER_PARAMS, "cell": "ica_lstm"},
    "epochs30": {**PAPER_PARAMS, "cell": "ica_lstm", **_LONG},
    "hidden32": {**PAPER_PARAMS, "cell": "ica_lstm", **_LONG, "hidden_size": 32},
    "hidden32_lr1e-2": {**PAPER_PARAMS, "cell": "ica_lstm", **_LONG, "hidden_size": 32, "lr": 1e-2},
    "recommended": dict(EXPLANATION_PARAMS),
    "recommended_lstm": {**EXPLANATION_PARAMS, "cell": "lstm"},
}
"""Training settings: name -> RNNClassifier parameters."""

EXPLAINERS = {
    "gradient (paper)": {"method": "gradient"},
    "gradient of logit": {"method": "gradient", "output": "logit"},
    "input x gradient, signed": {"method": "input_x_gradient", "output": "logit", "absolute": False},
    "integrated gradients": {"method": "integrated_gradients", "output": "logit"},
    "evidence-gated gradient (recommended)": dict(EXPLANATION_EXPLAINER_PARAMS),
    "TSR (gradient)": {"method": "gradient", "tsr": True},
}
"""Explainers: name -> SaliencyExplainer parameters."""

ATTENTION_MAP = "attention weights (time only)"
_METRIC_COLUMNS = [column for column, _, _ in LOCALIZATION_METRICS if column not in ("accuracy",)]


def attention_time_map(clf, X):
    """The last step's input-cell attention (mean over hops) as a time-only map."""
    layer = clf.net_.module_.input_attention
    with torch.no_grad():
        inputs = torch.as_tensor(X, dtype=next(layer.parameters()).dtype)
        weights = causal_attention_matrix(layer.scores(inputs))[:, -1, :].numpy()
    return np.repeat(weights[:, :, None], X.shape[2], axis=2)


def _scores(mask, maps):
    return evaluate_saliency(mask, maps, _METRIC_COLUMNS[:2] + ["time_localization",
                                                                "feature_localization",
                                                                "weighted_jaccard"])


def run_training(name, layout, seed, config, tsr_samples):
    """Train one setting and score every explainer; one row per explainer."""
    X_train, X_test, y_train, y_test, _, mask = box_data(layout, seed, config)
    params = dict(TRAININGS[name], random_state=seed, device="cpu")
    params["max_epochs"] = min(params["max_epochs"], config["max_epochs"])
    start = time.perf_counter()
    clf = RNNClassifier(**params).fit(X_train, y_train)
    base = {"layout": layout, "seed": seed, "training": name, "fit_seconds": time.perf_counter() - start,
            "n_epochs": clf.n_epochs_, "accuracy": 100.0 * clf.score(X_test, y_test)}
    rows = []
    for label, explainer_params in EXPLAINERS.items():
        n = tsr_samples if explainer_params.get("tsr") else len(X_test)
        if n == 0:
            continue
        explainer = SaliencyExplainer(clf, **explainer_params)
        start = time.perf_counter()
        maps = explainer.transform(X_test[:n], y_test[:n])
        seconds = time.perf_counter() - start
        scores = _scores(mask[:n] if mask.ndim == 3 else mask, maps).mean()
        rows.append({**base, "explainer": label, "n_explained": n, "explain_seconds": seconds, **scores})
    if clf.cell.startswith("ica_"):
        scores = _scores(mask, attention_time_map(clf, X_test)).mean()
        rows.append({**base, "explainer": ATTENTION_MAP, "n_explained": len(X_test), **scores})
    return rows


def reference_rows(layout, seed, config):
    """The random map, |X| and the linear reference on the same data."""
    rows = []
    for name, (scores, info, _) in run_references(layout, seed, config, recommended=False).items():
        rows.append({"layout": layout, "seed": seed, "training": "-", "explainer": name,
                     "n_explained": len(scores), **info, **scores.mean().to_dict()})
    return rows


def summarize(runs):
    """Markdown: mean ± std over seeds of every metric, per layout, training and explainer."""
    columns = [(c, h, d) for c, h, d in LOCALIZATION_METRICS] + [("fit_seconds", "fit s", 0)]
    lines = []
    for layout, table in runs.groupby("layout", sort=False):
        lines += [f"\n### {layout}\n", "| training | explainer | " + " | ".join(h for _, h, _ in columns)
                  + " |", "|---|---|" + "---|" * len(columns)]
        for (training, explainer), group in table.groupby(["training", "explainer"], sort=False):
            cells = [mean_std_text(group[column], digits) for column, _, digits in columns]
            lines.append(f"| {training} | {explainer} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(runs, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    means = runs.groupby(["training", "explainer"], sort=False)[["saliency_auc", "time_localization"]].mean()
    labels = [f"{t} | {e}" if t != "-" else e for t, e in means.index]
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(labels) + 1.2))
    positions = np.arange(len(labels))
    ax.barh(positions - 0.2, means["saliency_auc"], height=0.4, label="per-sample AUC")
    ax.barh(positions + 0.2, means["time_localization"], height=0.4, label="time localisation")
    ax.axvline(0.5, color="k", lw=0.8, ls="--", label="chance (random map)")
    ax.set_yticks(positions, labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("mean over layouts and seeds")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    atomic_write(path, lambda handle: fig.savefig(handle, format="png", dpi=110), what="figure")
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layouts", nargs="+", choices=PAPER_LAYOUTS, default=list(PAPER_LAYOUTS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--trainings", nargs="+", choices=list(TRAININGS), default=list(TRAININGS))
    parser.add_argument("--tsr-samples", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="small data, one layout and seed")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    config = dict(QUICK_CONFIG if args.quick else FULL_CONFIG)
    if args.quick:
        args.layouts, args.seeds, args.tsr_samples = args.layouts[:1], 1, min(args.tsr_samples, 5)
    out = Path(args.out or ("results-localization-quick" if args.quick else "results-localization"))
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for layout in args.layouts:
        for seed in range(args.seeds):
            rows += reference_rows(layout, seed, config)
            for name in args.trainings:
                rows += run_training(name, layout, seed, config, args.tsr_samples)
                print(f"{layout} seed {seed} {name}: done", flush=True)
                runs = pd.DataFrame(rows).rename(columns={"explainer": "model"})
                runs = add_aupr_skill(runs).rename(columns={"model": "explainer"})
                csv = runs.to_csv(index=False)
                atomic_write_text(out / "study_localization.csv", csv, what="table")
                atomic_write_text(out / "study_localization.md", summarize(runs), what="table")
    plot(runs, out / "study_localization.png")
    print(summarize(runs))
    print(f"Wrote {out}/study_localization.csv, .md, .png")


if __name__ == "__main__":
    main()
