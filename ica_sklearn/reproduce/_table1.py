"""The Table-1 pipeline of Ismail et al. (2019) as a Python function.

For every layout x model x seed: generate standardised box data, train an
:class:`~ica_sklearn.RNNClassifier` with the paper's hyper-parameters (its
defaults), compute the gradient saliency of the true class on the test set,
and score it with :func:`~ica_sklearn.metrics.evaluate_saliency`.  The
command ``ica-sklearn reproduce`` calls :func:`reproduce_table1`.

Every argument is checked before the first run trains, and the tables are
rewritten (atomically) after every run, the figures after every layout: an
interrupted or failed reproduction keeps the results of the runs that
finished.
"""

import time
from numbers import Integral
from pathlib import Path

import numpy as np
import pandas as pd

from ._localization import add_aupr_skill, localization_markdown, run_references, sanity_checks
from ._paper import MODEL_NAMES, PAPER_MODELS, PAPER_TABLE1
from ._runs import box_data, mean_std_text
from ..classifier import RNNClassifier
from ..datasets import list_box_layouts
from ..explain import SaliencyExplainer
from ..metrics import evaluate_saliency, summarize_metrics
from ..utils._files import atomic_write, atomic_write_text, check_output_dir
from ..utils._torch import resolve_device
from ..plotting import (
    mean_saliency_maps,
    plot_saliency_maps,
    plot_saliency_over_time,
    saliency_over_time,
)

__all__ = ["FULL_CONFIG", "PAPER_CONFIG", "QUICK_CONFIG", "reproduce_table1", "run_one", "table1_markdown"]

PAPER_CONFIG = {"n_train": 1000, "n_test": 300, "n_timesteps": 100, "n_features": 100, "max_epochs": 400}
"""The paper's data sizes and stopping rule: up to 400 epochs, stop at 100 %
training accuracy (RNNClassifier's defaults)."""

FULL_CONFIG = {**PAPER_CONFIG, "validation_fraction": 0.1, "n_iter_no_change": 20}
"""The default of ``reproduce``: the paper's sizes and rule, plus early stopping.

Models that never reach 100 % training accuracy (LSTM and Bi-LSTM on most
layouts: the signal is early and their gradient vanishes) would run all 400
epochs under the paper's rule alone.  Here 10 % of the training set
(stratified) is held out, training also stops after 20 epochs without a
lower validation loss, and the weights of the best validation loss are
kept.  Model selection never looks at the test set.  The stop at 100 %
training accuracy still applies first, so input-cell attention and
self-attention stop exactly as in the paper.  ``PAPER_CONFIG`` (command line
``--paper-stopping``) restores the paper's rule; ``docs/results.md`` says
where the two rules give different models.
"""

QUICK_CONFIG = {"n_train": 200, "n_test": 60, "n_timesteps": 30, "n_features": 30, "max_epochs": 15}
"""Small sizes for a smoke run; its numbers are not comparable with the paper's."""

QUICK_NOTE = (
    "**Quick run** (smaller data, fewer epochs): a smoke test, its numbers are not comparable "
    "with the paper's.\n\n"
)
"""The first line of the tables a ``quick`` run writes."""

_SHOWN = (("weighted_jaccard", "WJac", 3), ("euclidean_distance", "Euc", 3), ("accuracy", "Acc %", 1))
_EXTRA = (("saliency_auc", "AUC", 3), ("top_k_jaccard", "top-K Jac", 3), ("n_epochs", "epochs", 0))


def run_one(layout, model, seed, config=FULL_CONFIG, device="auto"):
    """Train, explain and score one (layout, model, seed) of Table 1.

    Parameters
    ----------
    layout : str
        A name from :func:`~ica_sklearn.datasets.list_box_layouts`.
    model : str
        An ``RNNClassifier`` cell, e.g. "ica_lstm".
    seed : int
        Seeds the data and the network.
    config : dict, default=FULL_CONFIG
        ``n_train``, ``n_test``, ``n_timesteps``, ``n_features``,
        ``max_epochs``, and optionally further ``RNNClassifier`` parameters
        (e.g. ``validation_fraction``).
    device : str, default="auto"

    Returns
    -------
    scores : pandas.DataFrame
        Per-test-sample metrics plus ``y`` and ``correct``.
    info : dict
        ``accuracy`` (%), ``n_epochs``, ``fit_seconds``, ``explain_seconds``.
    figures : dict
        ``maps`` (class -> mean scaled map), ``curve`` (saliency per time
        step) and ``mask`` (mean test mask, time x feature).

    Examples
    --------
    >>> from ica_sklearn.reproduce import QUICK_CONFIG, run_one
    >>> config = dict(QUICK_CONFIG, n_train=40, n_test=10, max_epochs=2)
    >>> scores, info, figures = run_one("earlier_box", "ica_lstm", 0, config)
    >>> len(scores), sorted(figures)
    (10, ['curve', 'maps', 'mask'])
    """
    X_train, X_test, y_train, y_test, _, mask_test = box_data(layout, seed, config)
    extra = {k: v for k, v in config.items() if k not in PAPER_CONFIG}
    clf = RNNClassifier(
        cell=model, max_epochs=config["max_epochs"], device=device, random_state=seed, **extra
    )
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    fitted = time.perf_counter()
    saliency = SaliencyExplainer(clf).transform(X_test, y_test)
    predicted = clf.predict(X_test)
    explained = time.perf_counter()
    scores = evaluate_saliency(mask_test, saliency).assign(y=y_test, correct=predicted == y_test)
    info = {
        "accuracy": 100.0 * float(np.mean(predicted == y_test)),
        "n_epochs": clf.n_epochs_,
        "fit_seconds": fitted - start,
        "explain_seconds": explained - fitted,
    }
    figures = {
        "maps": mean_saliency_maps(saliency, y_test),
        "curve": saliency_over_time(saliency),
        "mask": mask_test.mean(axis=0),
    }
    return scores, info, figures


def table1_markdown(runs):
    """Markdown table of our numbers beside the paper's.

    Parameters
    ----------
    runs : pandas.DataFrame
        One row per (layout, model, seed) with the mean of each metric, as
        :func:`reproduce_table1` writes to ``runs.csv``.

    Returns
    -------
    text : str

    Examples
    --------
    >>> import pandas as pd
    >>> from ica_sklearn.reproduce import table1_markdown
    >>> runs = pd.DataFrame({"layout": ["earlier_box"] * 2, "model": ["ica_lstm"] * 2,
    ...     "seed": [0, 1], "weighted_jaccard": [0.12, 0.14], "euclidean_distance": [0.9, 0.9],
    ...     "accuracy": [100.0, 100.0], "saliency_auc": [0.9, 0.9],
    ...     "top_k_jaccard": [0.3, 0.3], "n_epochs": [1, 1]})
    >>> print(table1_markdown(runs).splitlines()[2])
    | earlier_box | ica_lstm | 0.130 ± 0.014 | 0.103 | 0.900 ± 0.000 | 0.914 | 100.0 ± 0.0 | 100.0 | 0.900 ± 0.000 | 0.300 ± 0.000 | 1 ± 0 |
    """
    header = ["layout", "model"]
    for _, short, _ in _SHOWN:
        header += [short, f"{short} paper"]
    header += [short for _, short, _ in _EXTRA]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for (layout, model), group in runs.groupby(["layout", "model"], sort=False):
        paper = PAPER_TABLE1.get((layout, model), {})
        cells = [layout, model]
        for column, _, digits in _SHOWN:
            reference = paper.get(column)
            cells += [mean_std_text(group[column], digits), "-" if reference is None else f"{reference:.{digits}f}"]
        cells += [mean_std_text(group[column], digits) for column, _, digits in _EXTRA]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _save_figures(figures, out_dir):
    """One heatmap grid and one time curve per layout; returns the paths."""
    import matplotlib.pyplot as plt

    paths = []
    figure_dir = check_output_dir(Path(out_dir) / "figures", what="figure folder")
    for layout, per_model in figures.items():
        mask = np.mean([entry["mask"] for entry in per_model.values()], axis=0)
        maps = {MODEL_NAMES.get(model, model): entry["maps"] for model, entry in per_model.items()}
        curves = {MODEL_NAMES.get(model, model): entry["curve"] for model, entry in per_model.items()}
        for name, fig in (
            ("saliency_maps", plot_saliency_maps(maps, mask, title=f"Mean gradient saliency: {layout}")),
            ("saliency_over_time", plot_saliency_over_time(curves, mask, title=f"Saliency over time: {layout}")),
        ):
            path = figure_dir / f"{name}_{layout}.png"
            atomic_write(path, lambda handle: fig.savefig(handle, format="png", dpi=90),
                         what="figure")
            plt.close(fig)
            paths.append(path)
    return paths


def _average_figures(entries):
    """Average the per-seed figure data of one (layout, model)."""
    labels = entries[0]["maps"]
    return {
        "maps": {label: np.mean([e["maps"][label] for e in entries], axis=0) for label in labels},
        "curve": np.mean([e["curve"] for e in entries], axis=0),
        "mask": entries[0]["mask"],
    }


def _progress(total, enabled):
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not enabled, desc="Table 1", unit="run")


def reproduce_table1(
    layouts=None,
    models=PAPER_MODELS,
    seeds=1,
    quick=False,
    out_dir="results",
    device="auto",
    progress=True,
    config=None,
    paper_stopping=False,
    localization=True,
):
    """Regenerate Table 1 of Ismail et al. (2019) and its figures.

    Parameters
    ----------
    layouts : list of str or None, default=None
        Box layouts; None runs all six of :func:`list_box_layouts`.
    models : list of str, default=PAPER_MODELS
        ``RNNClassifier`` cells.
    seeds : int, default=1
        Runs per (layout, model), with seeds ``0 .. seeds - 1``.
    quick : bool, default=False
        Use :data:`QUICK_CONFIG` (small data, few epochs) instead of
        :data:`FULL_CONFIG`.
    out_dir : str or path or None, default="results"
        Where ``table1.csv``, ``table1.md``, ``runs.csv``,
        ``per_sample_metrics.csv`` and ``figures/*.png`` go (created when
        missing); None writes nothing.  The tables are rewritten after every
        run and the figures after every layout, so an interrupted call keeps
        what finished.
    device : str, default="auto"
    progress : bool, default=True
        Show a progress bar over all runs.
    config : dict or None, default=None
        Overrides of the chosen configuration (e.g. ``{"max_epochs": 100}``
        or ``{"validation_fraction": 0.1}``).
    paper_stopping : bool, default=False
        Use :data:`PAPER_CONFIG` (the paper's stop rule only) instead of
        :data:`FULL_CONFIG`.
    localization : bool, default=True
        Also write the localisation table (``localization.md``,
        ``localization_runs.csv``, ``sanity_checks.csv``): the paper's models
        scored with metrics a random map cannot game, beside a random map,
        ``|X|``, a linear reference and the recommended setting (trained once
        per layout and seed), plus the sanity checks of the recommended
        setting on the first layout; see
        :mod:`ica_sklearn.reproduce._localization`.

    Raises
    ------
    ValueError
        For an unknown layout, model, device or configuration, or
        ``seeds < 1``; ``OSError`` for an ``out_dir`` that cannot be written.
        Both before anything is trained.

    Returns
    -------
    table : pandas.DataFrame
        Models as rows, ``(layout, metric)`` columns (with a third level
        "mean"/"std" when ``seeds > 1``), as
        :func:`~ica_sklearn.metrics.summarize_metrics` lays it out.

    Examples
    --------
    >>> from ica_sklearn.reproduce import reproduce_table1
    >>> table = reproduce_table1(["latter_box"], ["lstm"], quick=True, out_dir=None,
    ...                          progress=False, config={"n_train": 40, "max_epochs": 2})
    >>> table.index.tolist(), table.columns[0]
    (['lstm'], ('latter_box', 'weighted_jaccard'))
    """
    layouts = list_box_layouts() if layouts is None else list(layouts)
    base = QUICK_CONFIG if quick else PAPER_CONFIG if paper_stopping else FULL_CONFIG
    note = QUICK_NOTE if quick else ""
    config = {**base, **(config or {})}
    _check_arguments(layouts, models, seeds, config, device)
    if out_dir is not None:
        out_dir = check_output_dir(out_dir, what="out_dir")
    per_sample, runs, figures, references, sanity = [], [], {}, [], None
    sanity_classifier = None  # the recommended model of the first layout, seed 0
    n_runs = len(layouts) * (len(models) + localization) * seeds + localization
    with _progress(n_runs, progress) as bar:
        for layout in layouts:
            for model in models:
                entries = []
                for seed in range(seeds):
                    bar.set_postfix_str(f"{layout} {model} seed {seed}")
                    scores, info, figure_data = run_one(layout, model, seed, config, device)
                    key = {"layout": layout, "model": model, "seed": seed}
                    per_sample.append(scores.assign(**key, sample=np.arange(len(scores))))
                    runs.append({**key, **scores.drop(columns=["y", "correct"]).mean().to_dict(), **info})
                    entries.append(figure_data)
                    if out_dir is not None:
                        _write_tables(out_dir, pd.DataFrame(runs), per_sample, seeds, note)
                    bar.update()
                figures.setdefault(layout, {})[model] = _average_figures(entries)
            if out_dir is not None:
                _save_figures({layout: figures[layout]}, out_dir)
            for seed in range(seeds if localization else 0):
                bar.set_postfix_str(f"{layout} baselines and recommended seed {seed}")
                results = run_references(layout, seed, config, device)
                if layout == layouts[0] and seed == 0:
                    sanity_classifier = results["recommended"][2]
                for name, (scores, info, _) in results.items():
                    key = {"layout": layout, "model": name, "seed": seed}
                    per_sample.append(scores.assign(**key, sample=np.arange(len(scores))))
                    references.append({**key, **scores.mean().to_dict(), **info})
                if out_dir is not None:
                    _write_localization(out_dir, runs, references, sanity, note)
                bar.update()
        if localization:
            bar.set_postfix_str(f"sanity checks {layouts[0]}")
            sanity = sanity_checks(layouts[0], 0, config, device, classifier=sanity_classifier)
            if out_dir is not None:
                _write_localization(out_dir, runs, references, sanity, note)
                _write_tables(out_dir, pd.DataFrame(runs), per_sample, seeds, note)
            bar.update()
    return _summary(pd.DataFrame(runs), seeds)


def _sanity_markdown(sanity):
    lines = ["| check | Spearman | SSIM |", "|---|---|---|"]
    lines += [f"| {row.check} | {row.spearman:.3f} | {row.ssim:.3f} |" for row in sanity.itertuples()]
    return "\n".join(lines)


def _write_localization(out_dir, runs, references, sanity, note=""):
    """(Re)write the localisation table of the runs done so far, each file atomically."""
    table = add_aupr_skill(pd.DataFrame(runs + references))
    text = note + (
        "Saliency maps scored with metrics a random map cannot game (per-sample means; "
        "AUPR skill: over the random map of the same data; maps min-max scaled per sample).\n\n"
        + localization_markdown(table) + "\n"
    )
    if sanity is not None:
        text += (
            "\nSanity checks of the recommended setting (Adebayo et al., 2018): similarity of "
            "its maps with those of randomised models (low is a pass).\n\n"
            + _sanity_markdown(sanity) + "\n"
        )
        atomic_write_text(out_dir / "sanity_checks.csv", sanity.to_csv(index=False), what="table")
    atomic_write_text(out_dir / "localization_runs.csv", table.to_csv(index=False), what="table")
    atomic_write_text(out_dir / "localization.md", text, what="table")


def _check_arguments(layouts, models, seeds, config, device):
    """Raise ``ValueError`` for any argument a run would fail on, before any run."""
    from ..nn import CELL_TYPES

    known = list_box_layouts()
    unknown = [layout for layout in layouts if layout not in known]
    if unknown:
        raise ValueError(f"Unknown layout(s) {unknown}; choose from {known}.")
    unknown = [model for model in models if model not in CELL_TYPES]
    if unknown:
        raise ValueError(f"Unknown model(s) {unknown}; choose from {list(CELL_TYPES)}.")
    if not layouts or not models:
        raise ValueError("Pass at least one layout and one model.")
    if not isinstance(seeds, Integral) or isinstance(seeds, bool) or seeds < 1:
        raise ValueError(f"seeds is the number of runs per layout and model, at least 1; got {seeds!r}.")
    for key in ("n_train", "n_test", "n_timesteps", "n_features"):
        if not isinstance(config[key], Integral) or config[key] < 1:
            raise ValueError(f"config[{key!r}] must be an integer >= 1; got {config[key]!r}.")
    extra = {k: v for k, v in config.items() if k not in PAPER_CONFIG}
    unknown = sorted(set(extra) - set(RNNClassifier._get_param_names()))
    if unknown:
        raise ValueError(
            f"config keys {unknown} are neither data sizes ({list(PAPER_CONFIG)}) nor "
            "RNNClassifier parameters."
        )
    for model in models:  # RNNClassifier's own checks, on every model's parameters
        RNNClassifier(cell=model, max_epochs=config["max_epochs"], device=device,
                      **extra)._validate_params()
    resolve_device(device)


def _summary(runs, seeds):
    """The summary table of ``runs`` (one row per layout, model and seed)."""
    metrics = [c for c in runs.columns if c not in ("layout", "model", "seed", "fit_seconds", "explain_seconds")]
    long = runs.melt(id_vars=["layout", "model", "seed"], value_vars=metrics, var_name="metric")
    return summarize_metrics(long, std=seeds > 1)


def _write_tables(out_dir, runs, per_sample, seeds, note=""):
    """(Re)write the tables of the runs done so far, each file atomically."""
    per_sample = pd.concat(per_sample, ignore_index=True)
    columns = ["layout", "model", "seed", "sample"]
    per_sample = per_sample[columns + [c for c in per_sample.columns if c not in columns]]
    atomic_write_text(out_dir / "table1.csv", _summary(runs, seeds).to_csv(), what="table")
    atomic_write_text(out_dir / "runs.csv", runs.to_csv(index=False), what="table")
    atomic_write_text(out_dir / "per_sample_metrics.csv", per_sample.to_csv(index=False),
                      what="table")
    atomic_write_text(out_dir / "table1.md", note + table1_markdown(runs) + "\n", what="table")
