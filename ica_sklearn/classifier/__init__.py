"""The scikit-learn classifier :class:`RNNClassifier` and everything it owns:
the skorch net it builds and trains (``_net``), the callbacks that decide when
training stops (``_callbacks``), saving and loading (``_persistence``) and
training checkpoints (``_checkpoint``).  :class:`LinearReferenceClassifier`
(``_linear_reference``) is the transparent model explanations are read against.
"""

from ._estimator import RNNClassifier
from ._linear_reference import LinearReferenceClassifier

__all__ = ["LinearReferenceClassifier", "RNNClassifier"]
