"""The scikit-learn classifier :class:`RNNClassifier` and everything it owns:
the skorch net it builds and trains (``_net``), the callbacks that decide when
training stops (``_callbacks``), saving and loading (``_persistence``) and
training checkpoints (``_checkpoint``).
"""

from ._estimator import RNNClassifier

__all__ = ["RNNClassifier"]
