"""ica_sklearn: recurrent classifiers with input-cell attention, explained.

scikit-learn estimators for multivariate time series (``RNNClassifier``),
saliency maps that show which features at which times drove a prediction
(``SaliencyExplainer``), box-accuracy metrics that score those maps against
known ground truth (:mod:`ica_sklearn.metrics`), synthetic data with known
ground truth (:mod:`ica_sklearn.datasets`), and nilearn helpers that put
region saliency on brain maps (:mod:`ica_sklearn.brain`, optional extra).
"""

from .estimators import RNNClassifier
from .explain import SaliencyExplainer, feature_importance, time_importance
from .preprocessing import TimeSeriesStandardScaler
from .scoring import make_saliency_scorer

__version__ = "0.1.0"

__all__ = [
    "RNNClassifier",
    "SaliencyExplainer",
    "TimeSeriesStandardScaler",
    "feature_importance",
    "make_saliency_scorer",
    "time_importance",
    "__version__",
]
