"""Box-accuracy metrics: how well a saliency map finds the informative cells.

Every metric takes ``(mask, saliency)`` and returns one value per sample:

- ``mask``: boolean, True on the cells that carry the class signal; shape
  ``(n_timesteps, n_features)`` (shared by all samples) or
  ``(n_samples, n_timesteps, n_features)`` (one per sample).
- ``saliency``: ``(n_samples, n_timesteps, n_features)``; NaN marks padding,
  and padding cells are left out of every computation.

As in Ismail et al. (NeurIPS 2019), each sample's map is turned into
``s = minmax(|saliency|)``, flattened and scaled to [0, 1] over the sample's
valid cells; ``m`` is the box mask as 0/1 and ``K`` its number of cells. A
map that is constant over its valid cells says nothing about any cell and is
scaled to all zeros (so WJac = 0, Euc = 1, AUC = 0.5, top-K Jaccard = K / n
valid cells, i.e. chance). The "top-K cells" are the cells whose saliency is
at least the K-th largest value: cells tied with it are all included, so the
set (possibly larger than K) does not depend on the order of the cells.

All metrics are vectorised over samples. The follow-up benchmark metrics of
Ismail et al. (NeurIPS 2020) (saliency-weighted precision and recall of the
top-p % saliency cells, AUP, AUR, AUPR and the accuracy drop curve) are
described in :func:`precision_recall_curves` and :func:`accuracy_drop_curve`.
"""

from typing import NamedTuple

import numpy as np
import pandas as pd

from ._metric_inputs import prepare_saliency
from ._precision_recall import (
    AccuracyDropCurve,
    accuracy_drop_curve,
    area_under_precision,
    area_under_precision_recall,
    area_under_recall,
    precision_recall_curves,
)

__all__ = [
    "weighted_jaccard",
    "euclidean_distance",
    "top_k_jaccard",
    "saliency_auc",
    "enrichment_score",
    "precision_recall_curves",
    "area_under_precision",
    "area_under_recall",
    "area_under_precision_recall",
    "accuracy_drop_curve",
    "AccuracyDropCurve",
    "SALIENCY_METRICS",
    "SaliencyMetric",
    "evaluate_saliency",
    "summarize_metrics",
]

def weighted_jaccard(mask, saliency):
    """Weighted Jaccard similarity of the scaled saliency and the box (WJac).

    ``sum(min(m, s)) / sum(max(m, s))``: 1 when the map is exactly the box,
    0 when it puts no saliency on the box. Higher is better.

    Parameters
    ----------
    mask : array-like of bool, shape (n_timesteps, n_features) or (n_samples, n_timesteps, n_features)
        True inside the box; one mask for all samples or one per sample.
    saliency : array-like of shape (n_samples, n_timesteps, n_features)
        Saliency maps; NaN marks padding.

    Returns
    -------
    wjac : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from ica_sklearn.metrics import weighted_jaccard
    >>> import numpy as np
    >>> mask = np.array([[True, True, False, False]])
    >>> saliency = np.array([[[4.0, 3.0, 2.0, 0.0]]])  # scaled: 1, .75, .5, 0
    >>> weighted_jaccard(mask, saliency)  # (1 + .75) / (1 + 1 + .5)
    array([0.7])
    """
    prepared = prepare_saliency(mask, saliency)
    box = prepared.box.astype(float)
    return np.minimum(box, prepared.values).sum(axis=1) / np.maximum(box, prepared.values).sum(
        axis=1
    )


def euclidean_distance(mask, saliency):
    """Euclidean distance of the scaled saliency to the box, relative (Euc).

    ``||m - s||_2 / ||m||_2 = ||m - s||_2 / sqrt(K)``: 0 when the map is
    exactly the box, 1 for an all-zero map. Lower is better.

    Parameters
    ----------
    mask, saliency
        As in :func:`weighted_jaccard`.

    Returns
    -------
    euc : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from ica_sklearn.metrics import euclidean_distance
    >>> import numpy as np
    >>> mask = np.array([[True, True, False, False]])
    >>> saliency = np.array([[[4.0, 3.0, 2.0, 0.0]]])  # scaled: 1, .75, .5, 0
    >>> euclidean_distance(mask, saliency).round(4)  # sqrt(0 + .0625 + .25 + 0) / sqrt(2)
    array([0.3953])
    """
    prepared = prepare_saliency(mask, saliency)
    residual = prepared.box.astype(float) - prepared.values
    return np.sqrt((residual**2).sum(axis=1) / prepared.n_box)


def _top_k_cells(prepared):
    """Cells at least as salient as the K-th most salient valid cell."""
    ranked = np.sort(np.where(prepared.valid, prepared.values, -np.inf), axis=1)
    kth_largest = np.take_along_axis(
        ranked, (ranked.shape[1] - prepared.n_box)[:, None], axis=1
    )
    return prepared.valid & (prepared.values >= kth_largest)


def top_k_jaccard(mask, saliency):
    """Jaccard index of the top-K saliency cells and the K box cells.

    ``|top-K & box| / |top-K | box|``, where the top-K cells are those at
    least as salient as the K-th largest value (ties included, see the
    module notes). Higher is better; a constant map scores the chance level
    ``K / n_valid_cells``.

    Parameters
    ----------
    mask, saliency
        As in :func:`weighted_jaccard`.

    Returns
    -------
    jaccard : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from ica_sklearn.metrics import top_k_jaccard
    >>> import numpy as np
    >>> mask = np.array([[True, False, True, False]])
    >>> saliency = np.array([[[4.0, 3.0, 2.0, 0.0]]])  # K = 2, top-2 = cells 0, 1
    >>> top_k_jaccard(mask, saliency).round(4)  # |{0}| / |{0, 1, 2}|
    array([0.3333])
    """
    prepared = prepare_saliency(mask, saliency)
    top = _top_k_cells(prepared)
    return (top & prepared.box).sum(axis=1) / (top | prepared.box).sum(axis=1)


def enrichment_score(mask, saliency):
    """Saliency on box cells inside the top-K minus outside it, over K.

    ``(sum(s, box & top-K) - sum(s, box & ~top-K)) / K``, with the top-K
    cells as in :func:`top_k_jaccard`. In [-1, 1]; higher is better.

    Parameters
    ----------
    mask, saliency
        As in :func:`weighted_jaccard`.

    Returns
    -------
    enrichment : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from ica_sklearn.metrics import enrichment_score
    >>> import numpy as np
    >>> mask = np.array([[True, False, True, False]])
    >>> saliency = np.array([[[4.0, 3.0, 2.0, 0.0]]])  # scaled: 1, .75, .5, 0
    >>> enrichment_score(mask, saliency)  # (1 - .5) / 2
    array([0.25])
    """
    prepared = prepare_saliency(mask, saliency)
    top = _top_k_cells(prepared)
    inside = np.where(prepared.box & top, prepared.values, 0.0).sum(axis=1)
    outside = np.where(prepared.box & ~top, prepared.values, 0.0).sum(axis=1)
    return (inside - outside) / prepared.n_box


def _average_ranks(values):
    """Ranks 1..n along axis 1, ties sharing their average rank (vectorised)."""
    n_rows, n_columns = values.shape
    order = np.argsort(values, axis=1, kind="stable")
    ordered = np.take_along_axis(values, order, axis=1)
    starts_group = np.ones_like(ordered, dtype=bool)
    starts_group[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    group = np.cumsum(starts_group.ravel()) - 1
    ordinal = np.tile(np.arange(1, n_columns + 1, dtype=float), n_rows)
    first_rank = ordinal[starts_group.ravel()]
    group_size = np.bincount(group)
    mean_rank = (first_rank + (group_size - 1) / 2.0)[group].reshape(n_rows, n_columns)
    ranks = np.empty_like(mean_rank)
    np.put_along_axis(ranks, order, mean_rank, axis=1)
    return ranks


def saliency_auc(mask, saliency):
    """ROC AUC of the saliency as a score for "cell is in the box".

    Computed from rank sums (Mann-Whitney U, ties counted as 1/2): the
    probability that a random box cell is more salient than a random cell
    outside the box. 0.5 is chance; higher is better. Each sample needs at
    least one valid cell outside the box.

    Parameters
    ----------
    mask, saliency
        As in :func:`weighted_jaccard`.

    Returns
    -------
    auc : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from ica_sklearn.metrics import saliency_auc
    >>> import numpy as np
    >>> mask = np.array([[True, False, True, False]])
    >>> saliency = np.array([[[4.0, 3.0, 2.0, 0.0]]])
    >>> saliency_auc(mask, saliency)  # pairs (box, other): 4>3, 4>0, 2<3, 2>0
    array([0.75])
    """
    prepared = prepare_saliency(mask, saliency, require_background=True)
    ranks = _average_ranks(np.where(prepared.valid, prepared.values, np.inf))
    n_box = prepared.n_box
    n_other = prepared.valid.sum(axis=1) - n_box
    box_rank_sum = np.where(prepared.box, ranks, 0.0).sum(axis=1)
    return (box_rank_sum - n_box * (n_box + 1) / 2.0) / (n_box * n_other)


class SaliencyMetric(NamedTuple):
    """A per-sample saliency metric and its direction."""

    function: object
    """``function(mask, saliency) -> ndarray of shape (n_samples,)``."""
    greater_is_better: bool


SALIENCY_METRICS = {
    "weighted_jaccard": SaliencyMetric(weighted_jaccard, True),
    "euclidean_distance": SaliencyMetric(euclidean_distance, False),
    "top_k_jaccard": SaliencyMetric(top_k_jaccard, True),
    "saliency_auc": SaliencyMetric(saliency_auc, True),
    "enrichment_score": SaliencyMetric(enrichment_score, True),
    "area_under_precision": SaliencyMetric(area_under_precision, True),
    "area_under_recall": SaliencyMetric(area_under_recall, True),
    "area_under_precision_recall": SaliencyMetric(area_under_precision_recall, True),
}
"""Name -> :class:`SaliencyMetric` for every ``(mask, saliency)`` metric."""


def _metric_names(metrics):
    names = list(SALIENCY_METRICS) if metrics is None else [metrics] if isinstance(metrics, str) else list(metrics)
    unknown = [name for name in names if name not in SALIENCY_METRICS]
    if unknown:
        raise ValueError(f"Unknown metric(s) {unknown}; choose from {list(SALIENCY_METRICS)}.")
    return names


def evaluate_saliency(mask, saliency, metrics=None):
    """All (or some) saliency metrics for every sample, as a DataFrame.

    Parameters
    ----------
    mask, saliency
        As in :func:`weighted_jaccard`.
    metrics : str, list of str or None, default=None
        Names from :data:`SALIENCY_METRICS`; None computes all of them.

    Returns
    -------
    scores : pandas.DataFrame of shape (n_samples, n_metrics)

    Examples
    --------
    >>> from ica_sklearn.metrics import evaluate_saliency
    >>> import numpy as np
    >>> mask = np.array([[True, True, False, False]])
    >>> saliency = np.array([[[4.0, 3.0, 2.0, 0.0]], [[0.0, 1.0, 1.0, 1.0]]])
    >>> evaluate_saliency(mask, saliency, ["weighted_jaccard", "saliency_auc"])
       weighted_jaccard  saliency_auc
    0              0.70          1.00
    1              0.25          0.25
    """
    names = _metric_names(metrics)
    return pd.DataFrame({name: SALIENCY_METRICS[name].function(mask, saliency) for name in names})


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
