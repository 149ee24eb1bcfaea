"""The scikit-learn classifier :class:`RNNClassifier` and everything it owns:
the skorch net it builds and trains (``_net``), the callbacks that decide when
training stops (``_callbacks``), saving and loading (``_persistence``) and
training checkpoints (``_checkpoint``); ``_presets`` holds its named settings
(the paper's protocol, the setting recommended for explanations).  :class:`LinearReferenceClassifier`
(``_linear_reference``) is the transparent model explanations are read against.
"""

from ._estimator import RNNClassifier
from ._linear_reference import LinearReferenceClassifier
from ._presets import EXPLANATION_PARAMS, PAPER_PARAMS

__all__ = ["EXPLANATION_PARAMS", "LinearReferenceClassifier", "PAPER_PARAMS", "RNNClassifier"]
