"""The registry of per-sample saliency metrics, and all of them at once."""

from typing import NamedTuple

import pandas as pd

from ._box import (
    enrichment_score,
    euclidean_distance,
    saliency_auc,
    top_k_jaccard,
    weighted_jaccard,
)
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
