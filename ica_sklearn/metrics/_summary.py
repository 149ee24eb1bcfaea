"""Arrange per-sample saliency metrics like Table 1 of Ismail et al. (2019)."""

import numpy as np
import pandas as pd

__all__ = ["summarize_metrics"]


def _records_from_mapping(results):
    records = []
    for key, scores in results.items():
        key = tuple(key) if isinstance(key, tuple) else (key,)
        if len(key) not in (2, 3):
            raise ValueError(
                "results keys must be (layout, model) or (layout, model, seed) tuples, "
                f"got {key!r}."
            )
        layout, model, seed = (*key, 0)[:3]
        columns = scores.items() if isinstance(scores, (dict, pd.DataFrame)) else None
        if columns is None:
            raise ValueError(
                f"results[{key!r}] must map metric names to per-sample values (a dict or "
                f"a DataFrame such as evaluate_saliency returns), got {type(scores).__name__}."
            )
        for metric, values in columns:
            value = float(np.nanmean(np.asarray(values, dtype=float)))
            records.append((layout, model, seed, metric, value))
    return pd.DataFrame(records, columns=["layout", "model", "seed", "metric", "value"])


def _records_from_frame(frame):
    required = {"layout", "model", "metric", "value"}
    missing = required - set(frame.columns)
    if missing:
        raise ValueError(
            f"a long-format results DataFrame needs columns {sorted(required)} (and "
            f"optionally 'seed'); missing {sorted(missing)}."
        )
    frame = frame.assign(seed=frame["seed"] if "seed" in frame else 0)
    return frame.groupby(["layout", "model", "seed", "metric"], sort=False, as_index=False)[
        "value"
    ].mean()


def _in_order_of_appearance(frame, column):
    return pd.Categorical(frame[column], categories=frame[column].unique(), ordered=True)


def summarize_metrics(results, *, std=False):
    """Arrange per-sample metrics like Table 1 of the paper.

    Each (layout, model, seed) is first averaged over its samples (ignoring
    NaN); the seeds of a (layout, model) are then averaged, and with
    ``std=True`` their standard deviation (ddof=1, NaN for a single seed) is
    added. Layouts, models and metrics keep their order of first appearance.

    Parameters
    ----------
    results : dict or pandas.DataFrame
        Either a dict whose keys are ``(layout, model)`` or ``(layout, model,
        seed)`` tuples and whose values map metric names to per-sample values
        (a dict of arrays or scalars, e.g. ``{"weighted_jaccard": wjac,
        "accuracy": 0.98}``, or the DataFrame :func:`evaluate_saliency`
        returns); or a long DataFrame with columns ``layout``, ``model``,
        ``metric``, ``value`` and optionally ``seed`` (one row per sample or
        per run).
    std : bool, default=False
        Whether to add the standard deviation across seeds.

    Returns
    -------
    table : pandas.DataFrame
        Rows are models; columns are a MultiIndex ``(layout, metric)``, or
        ``(layout, metric, statistic)`` with statistic "mean" and "std" when
        ``std=True``.

    Examples
    --------
    >>> from ica_sklearn.metrics import summarize_metrics
    >>> results = {
    ...     ("earlier_box", "lstm"): {"weighted_jaccard": [0.0, 0.0], "accuracy": 0.53},
    ...     ("earlier_box", "ica_lstm"): {"weighted_jaccard": [0.1, 0.12], "accuracy": 1.0},
    ...     ("latter_box", "lstm"): {"weighted_jaccard": [0.02, 0.02], "accuracy": 1.0},
    ...     ("latter_box", "ica_lstm"): {"weighted_jaccard": [0.1, 0.1], "accuracy": 1.0},
    ... }
    >>> summarize_metrics(results)  # doctest: +NORMALIZE_WHITESPACE
    layout        earlier_box                latter_box
    metric   weighted_jaccard accuracy weighted_jaccard accuracy
    model
    lstm                 0.00     0.53             0.02      1.0
    ica_lstm             0.11     1.00             0.10      1.0
    """
    if isinstance(results, pd.DataFrame):
        records = _records_from_frame(results)
    elif isinstance(results, dict):
        records = _records_from_mapping(results)
    else:
        raise ValueError(
            "results must be a dict {(layout, model[, seed]): {metric: values}} or a long "
            f"DataFrame; got {type(results).__name__}."
        )
    if records.empty:
        raise ValueError("results holds no metric values to summarize.")
    for column in ("layout", "model", "metric"):
        records[column] = _in_order_of_appearance(records, column)
    grouped = records.groupby(["model", "layout", "metric"], observed=True)["value"]
    statistics = grouped.agg(mean="mean", std=lambda values: values.std(ddof=1))
    table = statistics.unstack(["layout", "metric"])
    table = table.reorder_levels([1, 2, 0], axis=1).sort_index(axis=1, level=[0, 1], sort_remaining=False)
    if not std:
        table = table.xs("mean", axis=1, level=2)
    else:
        table.columns = table.columns.set_names("statistic", level=2)
    table.columns = table.columns.remove_unused_levels()
    table.index = table.index.astype(object)
    return table
