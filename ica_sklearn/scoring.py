"""Former home of the saliency scorers, kept so that existing imports keep
working; they live in :mod:`ica_sklearn.metrics`."""

from .metrics import SaliencyScorer, make_saliency_scorer

__all__ = ["SaliencyScorer", "make_saliency_scorer"]
