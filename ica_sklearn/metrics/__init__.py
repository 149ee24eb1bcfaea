"""Metrics that score saliency maps against known informative cells, and
scorers that select models by them.

Every metric takes ``(mask, saliency)`` and returns one value per sample:
``mask`` is boolean, True on the cells that carry the class signal, shape
``(n_timesteps, n_features)`` (shared) or ``(n_samples, n_timesteps,
n_features)``; ``saliency`` is ``(n_samples, n_timesteps, n_features)`` with
NaN marking padding.

Modules: ``_inputs`` (checking and per-sample scaling of the inputs),
``_box`` (the box-accuracy metrics of Ismail et al., 2019),
``_localization`` (time and feature localisation), ``_ranking`` (row-wise AUC),
``_precision_recall`` (saliency-weighted precision/recall curves and their
areas, Ismail et al., 2020), ``_perturbation`` (the accuracy-drop curve),
``_evaluate`` (the metric registry and all metrics at once, computed by
``_batched`` from one scaling and one sort per sample), ``_summary``
(Table-1 layout of results) and ``_scorer`` (scikit-learn scorers).  None of
them imports torch; a scorer loads the explainer when it is called.
"""

from ._box import (
    enrichment_score,
    euclidean_distance,
    saliency_auc,
    top_k_jaccard,
    weighted_jaccard,
)
from ._evaluate import SALIENCY_METRICS, SaliencyMetric, evaluate_saliency, skill_over_random
from ._localization import feature_localization, time_localization
from ._perturbation import AccuracyDropCurve, accuracy_drop_curve
from ._precision_recall import (
    area_under_precision,
    area_under_precision_recall,
    area_under_recall,
    precision_recall_curves,
)
from ._scorer import SaliencyScorer, make_saliency_scorer
from ._summary import summarize_metrics

__all__ = [
    "SALIENCY_METRICS",
    "AccuracyDropCurve",
    "SaliencyMetric",
    "SaliencyScorer",
    "accuracy_drop_curve",
    "area_under_precision",
    "area_under_precision_recall",
    "area_under_recall",
    "enrichment_score",
    "euclidean_distance",
    "evaluate_saliency",
    "feature_localization",
    "make_saliency_scorer",
    "precision_recall_curves",
    "saliency_auc",
    "skill_over_random",
    "summarize_metrics",
    "time_localization",
    "top_k_jaccard",
    "weighted_jaccard",
]
