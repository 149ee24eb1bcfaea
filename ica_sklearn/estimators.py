"""Former home of :class:`~ica_sklearn.RNNClassifier`, kept so that existing
imports keep working; the estimator lives in :mod:`ica_sklearn.classifier`."""

from .classifier import RNNClassifier

__all__ = ["RNNClassifier"]
