"""ica_sklearn: recurrent classifiers with input-cell attention, explained.

scikit-learn estimators for multivariate time series (``RNNClassifier``),
saliency maps that show which features at which times drove a prediction,
box-accuracy metrics that score those maps against known ground truth, and
nilearn helpers that put region saliency on brain maps.
"""

from .estimators import RNNClassifier
from .preprocessing import TimeSeriesStandardScaler

__version__ = "0.1.0"

__all__ = ["RNNClassifier", "TimeSeriesStandardScaler", "__version__"]
