"""Real-data benchmark: ``RNNClassifier`` cells against MiniRocket and 1-NN DTW.

Loads UEA/UCR classification sets **offline** from the copies that ship
inside aeon's wheel (``aeon/datasets/data/<name>/<name>_{TRAIN,TEST}.ts``),
on their published train/test splits, with aeon's public
:func:`aeon.datasets.load_from_ts_file` (it only parses a local file; unlike
``load_classification`` it has no download fallback, so a missing file is an
error here, never a network call).

Models, each fitted on the training split and scored on the test split of the
same data set in the same run:

``<cell>`` (one per ``--cells``)
    a fixed setting, the same for every set (no per-set tuning):
    ``Pipeline([TimeSeriesStandardScaler(mode="per_channel"),
    RNNClassifier(cell, hidden_size=32, lr=1e-2, batch_size=32,
    max_epochs=--max-epochs, stop_at_perfect_train_accuracy=False,
    validation_fraction=None, random_state=seed)])`` (see ``TUNED``).
``<cell> (defaults)`` (one per ``--default-cells``)
    the package defaults, ``RNNClassifier(cell, random_state=seed)`` with
    only ``max_epochs`` capped at ``--max-epochs``, in the same Pipeline.
``MiniRocket``
    ``aeon.classification.convolution_based.MiniRocketClassifier(
    random_state=seed)`` (10 000 kernels, ridge classifier with CV).
``1-NN DTW``
    ``aeon.classification.distance_based.KNeighborsTimeSeriesClassifier(
    distance="dtw", n_neighbors=1)``, full window; deterministic, so fitted
    once per data set, not once per seed.

Unequal lengths (PickupGestureWiimoteZ): the cells and 1-NN DTW get the
ragged series (the cells as a list of ``(n_timesteps, n_channels)`` arrays);
MiniRocket does not accept unequal lengths, so it gets the equal-length
version shipped beside them (``<name>_eq_{TRAIN,TEST}.ts``, padded by the
archive's maintainers) -- marked in the table.

The cells get the series time-major, ``(n_samples, n_timesteps,
n_channels)`` (aeon's ``(n_cases, n_channels, n_timepoints)`` transposed);
one torch thread (``torch.set_num_threads(1)``) and ``n_jobs=1`` for aeon.

Run::

    python benchmarks/bench_real_data.py [--datasets ...] [--cells ...]
        [--default-cells ica_lstm] [--seeds 3] [--max-epochs 30] [--out DIR]
    python benchmarks/bench_real_data.py --quick   # 2 small sets, 1 seed, 3 epochs, about a minute

Writes ``OUT/bench_real_data.csv`` (one row per data set, model and seed:
test accuracy, fit and predict seconds, training accuracy, epochs trained), ``OUT/bench_real_data.md`` (accuracy
mean ± std over seeds and mean fit seconds, a data set per row, a model per
column, plus the mean over data sets) and ``OUT/bench_real_data.png``
(accuracy per data set and model).
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.pipeline import Pipeline

from ica_sklearn import RNNClassifier, TimeSeriesStandardScaler
from ica_sklearn.utils._files import atomic_write, atomic_write_text

DATASETS = (  # smallest first, so an interrupted run still has the most sets
    "ItalyPowerDemand",
    "GunPoint",
    "BasicMotions",
    "ArrowHead",
    "PickupGestureWiimoteZ",
    "OSULeaf",
    "ACSF1",
)
QUICK_DATASETS = ("ItalyPowerDemand", "GunPoint")
CELLS = ("lstm", "ica_lstm", "tcn", "transformer")
DEFAULT_CELLS = ("ica_lstm",)
#: The fixed setting of the ``<cell>`` rows (``max_epochs`` and ``random_state`` added per run).
TUNED = dict(
    hidden_size=32,
    lr=1e-2,
    batch_size=32,
    stop_at_perfect_train_accuracy=False,
    validation_fraction=None,
)
MINIROCKET = "MiniRocket"
DTW = "1-NN DTW"


def aeon_data_dir():
    """The folder of the data sets shipped inside aeon's wheel."""
    import aeon

    return Path(aeon.__file__).parent / "datasets" / "data"


def load_split(name, split, equal_length=False):
    """One published split, read from aeon's shipped ``.ts`` file (never downloaded).

    Returns ``X`` as aeon gives it (an ``(n_cases, n_channels, n_timepoints)``
    array, or a list of ``(n_channels, n_timepoints)`` arrays for unequal
    lengths) and the labels.
    """
    from aeon.datasets import load_from_ts_file

    stem = f"{name}_eq" if equal_length else name
    path = aeon_data_dir() / name / f"{stem}_{split}.ts"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is not in aeon's wheel; choose --datasets among the folders of "
            f"{aeon_data_dir()} that hold <name>_TRAIN.ts and <name>_TEST.ts"
        )
    return load_from_ts_file(str(path))


def time_major(X):
    """aeon's channel-major layout to the cells' ``(n_timesteps, n_channels)`` per sample."""
    if isinstance(X, np.ndarray):
        return np.ascontiguousarray(X.transpose(0, 2, 1), dtype=np.float32)
    return [np.ascontiguousarray(x.T, dtype=np.float32) for x in X]


def is_ragged(X):
    return not isinstance(X, np.ndarray)


def cell_pipeline(cell, seed, max_epochs, tuned):
    params = dict(TUNED) if tuned else {}
    clf = RNNClassifier(cell, max_epochs=max_epochs, random_state=seed, **params)
    return Pipeline([("scale", TimeSeriesStandardScaler(mode="per_channel")), ("clf", clf)])


def timed_score(model, X_train, y_train, X_test, y_test):
    """Test accuracy, fit and predict seconds, training accuracy, epochs trained (cells only)."""
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    accuracy = float(np.mean(model.predict(X_test) == y_test))
    predict_s = time.perf_counter() - start
    train_accuracy = float(np.mean(model.predict(X_train) == y_train))
    final = model[-1] if isinstance(model, Pipeline) else model
    return accuracy, fit_s, predict_s, train_accuracy, getattr(final, "n_epochs_", np.nan)


def run_dataset(name, seeds, cells, default_cells, max_epochs):
    """One row per model and seed of one data set (see ``timed_score`` for the columns)."""
    from aeon.classification.convolution_based import MiniRocketClassifier
    from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier

    X_train, y_train = load_split(name, "TRAIN")
    X_test, y_test = load_split(name, "TEST")
    ragged = is_ragged(X_train) or is_ragged(X_test)
    Xt_train, Xt_test = time_major(X_train), time_major(X_test)
    rows = []

    def add(model_name, seed, model, Xa, Xb, note=""):
        accuracy, fit_s, predict_s, train_accuracy, epochs = timed_score(
            model, Xa, y_train, Xb, y_test)
        rows.append(dict(dataset=name, model=model_name, seed=seed, accuracy=accuracy,
                         fit_s=fit_s, predict_s=predict_s, train_accuracy=train_accuracy,
                         epochs=epochs, note=note))
        print(f"{name:22s} {model_name:24s} seed {seed}: accuracy {accuracy:.3f} "
              f"(train {train_accuracy:.3f}, {epochs} epochs), fit {fit_s:.1f} s", flush=True)

    add(DTW, 0, KNeighborsTimeSeriesClassifier(distance="dtw", n_neighbors=1), X_train, X_test)
    if ragged:
        mr_train, _ = load_split(name, "TRAIN", equal_length=True)
        mr_test, _ = load_split(name, "TEST", equal_length=True)
    else:
        mr_train, mr_test = X_train, X_test
    for seed in range(seeds):
        note = "equal-length version" if ragged else ""
        add(MINIROCKET, seed, MiniRocketClassifier(random_state=seed), mr_train, mr_test, note)
        for cell in cells:
            add(cell, seed, cell_pipeline(cell, seed, max_epochs, True), Xt_train, Xt_test)
        for cell in default_cells:
            add(f"{cell} (defaults)", seed, cell_pipeline(cell, seed, max_epochs, False),
                Xt_train, Xt_test)
    return rows


def summarize(runs):
    """Markdown: accuracy mean ± std over seeds per data set and model, then mean fit seconds."""
    models = list(dict.fromkeys(runs["model"]))
    stats = runs.groupby(["dataset", "model"], sort=False).agg(
        mean=("accuracy", "mean"), std=("accuracy", "std"), seeds=("seed", "count"),
        fit_s=("fit_s", "mean"), predict_s=("predict_s", "mean"),
        train_accuracy=("train_accuracy", "mean"))
    stats["std"] = stats["std"].fillna(0.0)
    datasets = list(dict.fromkeys(runs["dataset"]))

    def table(cell):
        lines = ["| data set | " + " | ".join(models) + " |",
                 "|---" * (len(models) + 1) + "|"]
        for dataset in datasets:
            values = [cell(stats.loc[(dataset, m)]) if (dataset, m) in stats.index else "-"
                      for m in models]
            lines.append(f"| {dataset} | " + " | ".join(values) + " |")
        return lines

    accuracy = table(lambda s: f"{s['mean']:.3f} ± {s['std']:.3f}")
    per_model = stats.groupby(level="model", sort=False)["mean"].mean()
    accuracy.append("| **mean over sets** | "
                    + " | ".join(f"**{per_model[m]:.3f}**" for m in models) + " |")
    seconds = table(lambda s: f"{s['fit_s']:.1f} / {s['predict_s']:.1f}")
    train = table(lambda s: f"{s['train_accuracy']:.3f}")
    notes = runs.loc[runs["note"].fillna("") != "", ["dataset", "model", "note"]].drop_duplicates()
    seeds = int(runs["seed"].max()) + 1
    text = [f"Test accuracy, mean ± std over {seeds} seed(s) "
            f"({DTW} is deterministic: one fit, std 0):", "", *accuracy, "",
            "Seconds to fit / to predict the test split (mean over seeds; one thread; "
            f"{DTW} does its work when predicting):", "", *seconds, "",
            "Training accuracy (mean over seeds; is a low test accuracy under- or over-fitting?):",
            "", *train]
    if len(notes):
        text += ["", "Notes: " + "; ".join(
            f"{r.dataset} / {r.model}: {r.note}" for r in notes.itertuples())]
    return "\n".join(text) + "\n"


def plot(runs, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stats = runs.groupby(["dataset", "model"], sort=False)["accuracy"].agg(["mean", "std"])
    means = stats["mean"].unstack("model")
    stds = stats["std"].fillna(0.0).unstack("model")
    models = list(dict.fromkeys(runs["model"]))
    datasets = list(dict.fromkeys(runs["dataset"]))
    means, stds = means.loc[datasets, models], stds.loc[datasets, models]
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(datasets) + 2) + 2, 4))
    width = 0.8 / len(models)
    for i, model in enumerate(models):
        ax.bar(np.arange(len(datasets)) + i * width - 0.4 + width / 2, means[model],
               width, yerr=stds[model], label=model, capsize=2)
    ax.set_xticks(np.arange(len(datasets)), datasets, rotation=20, ha="right")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    atomic_write(path, lambda handle: fig.savefig(handle, format="png", dpi=120), what="figure")
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--cells", nargs="+", default=list(CELLS))
    parser.add_argument("--default-cells", nargs="*", default=list(DEFAULT_CELLS),
                        help="cells also run with the package defaults (max_epochs capped)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-epochs", type=int, default=30)
    parser.add_argument("--quick", action="store_true",
                        help="ItalyPowerDemand and GunPoint, 1 seed, 3 epochs")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    if args.quick:
        args.datasets, args.seeds, args.max_epochs = list(QUICK_DATASETS), 1, 3
    torch.set_num_threads(1)
    out = Path(args.out or ("results-real-data-quick" if args.quick else "results-real-data"))
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in args.datasets:
        rows += run_dataset(name, args.seeds, args.cells, args.default_cells, args.max_epochs)
        runs = pd.DataFrame(rows)
        atomic_write_text(out / "bench_real_data.csv", runs.to_csv(index=False), what="table")
        atomic_write_text(out / "bench_real_data.md", summarize(runs), what="table")
    plot(runs, out / "bench_real_data.png")
    print(summarize(runs))
    print(f"Wrote {out}/bench_real_data.csv, .md, .png")


if __name__ == "__main__":
    main()
