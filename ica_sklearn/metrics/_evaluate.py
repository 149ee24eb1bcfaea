"""The registry of per-sample saliency metrics, and all of them at once."""

from typing import NamedTuple

import numpy as np
import pandas as pd

from ._batched import BatchedMetrics
from ._box import (
    enrichment_score,
    euclidean_distance,
    saliency_auc,
    top_k_jaccard,
    weighted_jaccard,
)
from ._localization import feature_localization, time_localization
from ._precision_recall import (
    area_under_precision,
    area_under_precision_recall,
    area_under_recall,
)

__all__ = ["SALIENCY_METRICS", "SaliencyMetric", "evaluate_saliency"]


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
    "time_localization": SaliencyMetric(time_localization, True),
    "feature_localization": SaliencyMetric(feature_localization, True),
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
        if not names:
            raise ValueError(
                "metrics is empty; name at least one metric, or pass None for all of "
                f"{list(SALIENCY_METRICS)}."
            )
    unknown = [name for name in names if name not in SALIENCY_METRICS]
    if unknown:
        raise ValueError(f"Unknown metric(s) {unknown}; choose from {list(SALIENCY_METRICS)}.")
    return names


def evaluate_saliency(mask, saliency, metrics=None):
    """All (or some) saliency metrics for every sample, as a DataFrame.

    The same values as calling each metric function (to rounding, 1e-12),
    computed together: the maps are checked and scaled once and each sample
    sorted once, so that all metrics of 300 maps of 100 x 100 take a fraction
    of a second.

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
    batch = BatchedMetrics(mask, saliency, require_background="saliency_auc" in names)
    return pd.DataFrame({name: getattr(batch, name)() for name in names})


def skill_over_random(score, random_score):
    """Skill of a map over a random map: ``(score - random) / (1 - random)``.

    1 for a perfect map, 0 for one no better than the random map scored the
    same way, negative for one worse than it.  For metrics in [0, 1] where
    higher is better (AUC, AUPR, localisation); for the AUC metrics the random
    score is 0.5 and the skill is ``2 AUC - 1``.

    Parameters
    ----------
    score : float or array-like
        The map's metric.
    random_score : float or array-like
        The same metric of a random map on the same data, e.g. from
        ``SaliencyExplainer(clf, method="random")``.

    Returns
    -------
    skill : float or ndarray

    Examples
    --------
    >>> from ica_sklearn.metrics import skill_over_random
    >>> skill_over_random(0.75, 0.5)
    0.5
    """
    score, random_score = np.asarray(score, dtype=float), np.asarray(random_score, dtype=float)
    skill = (score - random_score) / (1.0 - random_score)
    return float(skill) if skill.ndim == 0 else skill
