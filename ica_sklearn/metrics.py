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
from ._summary import summarize_metrics

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
    if metrics is None:
        names = list(SALIENCY_METRICS)
    else:
        names = [metrics] if isinstance(metrics, str) else list(metrics)
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


def __getattr__(name):
    # ``make_saliency_scorer`` lives in ica_sklearn.scoring (it needs the
    # explainer, which imports this module); offer it here too, lazily.
    if name == "make_saliency_scorer":
        from .scoring import make_saliency_scorer

        return make_saliency_scorer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
