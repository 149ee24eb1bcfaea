"""What :class:`~ica_sklearn.SaliencyExplainer` explains: the classifier, and
the class explained for each sample.

The explained estimator is a classifier of this package
(:class:`~ica_sklearn.RNNClassifier`, or the transparent
:class:`~ica_sklearn.classifier.LinearReferenceClassifier`) or a ``Pipeline``
whose last step is one; scikit-learn's ``FrozenEstimator`` around either is
unwrapped (it only stops refitting).  A ``CalibratedClassifierCV`` is
refused with the reason: its probabilities are an average over several
calibrated networks, not the output of one network.  What the explainer uses of it: ``classes_``,
``module_`` (a torch module mapping ``(X, lengths)`` to logits), ``device_``,
``dtype`` (a name of :data:`ica_sklearn.utils._torch.DTYPES`),
``torch_num_threads`` and ``_validate_sequences(X, reset=False)``.  With ``target="auto"`` the true label is
explained when ``y`` is given (the paper), else the predicted class; any other
``target`` is a label of ``classes_``, explained for every sample.  Errors
name the offending labels and the classifier's classes.
"""

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ..utils._torch import DTYPES
from ._attribution import predicted_indices

__all__ = ["classifier_of", "check_fitted_classifier", "target_indices", "unfrozen"]


def unfrozen(estimator):
    """``estimator`` without the ``FrozenEstimator`` wrappers around it.

    A ``FrozenEstimator`` only makes ``fit`` a no-op; predictions are those
    of the estimator inside, so explaining that estimator explains it.

    Examples
    --------
    >>> from sklearn.frozen import FrozenEstimator
    >>> from ica_sklearn import RNNClassifier
    >>> from ica_sklearn.explain._targets import unfrozen
    >>> clf = RNNClassifier()
    >>> unfrozen(FrozenEstimator(FrozenEstimator(clf))) is clf
    True
    """
    while isinstance(estimator, FrozenEstimator):
        estimator = estimator.estimator
    return estimator


def classifier_of(estimator):
    """The RNNClassifier itself, or the last step of a Pipeline (either
    possibly wrapped in ``FrozenEstimator``)."""
    estimator = unfrozen(estimator)
    return unfrozen(estimator[-1]) if isinstance(estimator, Pipeline) else estimator


def _refuse_calibrated(classifier):
    if isinstance(classifier, CalibratedClassifierCV):
        raise TypeError(
            "A CalibratedClassifierCV cannot be explained as one network: its "
            "predict_proba averages the calibrated probabilities of the classifiers in "
            "calibrated_classifiers_ (one per cross-validation fold unless ensemble=False), "
            "each a separately fitted network followed by a calibration map, so there is "
            "no single network whose gradients saliency could read. Explain one of them, "
            "SaliencyExplainer(calibrated.calibrated_classifiers_[i].estimator), or the "
            "uncalibrated classifier it was built from."
        )


def check_fitted_classifier(estimator):
    """Raise unless ``estimator`` is a fitted RNNClassifier (or Pipeline ending
    in one), possibly wrapped in ``FrozenEstimator``."""
    classifier = classifier_of(estimator)
    _refuse_calibrated(classifier)
    if not hasattr(classifier, "_validate_sequences") or not hasattr(
        type(classifier), "predict_proba"
    ):
        raise TypeError(
            "estimator must be an ica_sklearn.RNNClassifier (or LinearReferenceClassifier) "
            f"or a Pipeline whose last step is one; got {type(classifier).__name__}."
        )
    check_is_fitted(estimator)


def target_indices(classifier, target, values, lengths, y, *, batch_size):
    """Index into ``classifier.classes_`` of the class explained for each sample.

    Parameters
    ----------
    classifier : fitted RNNClassifier
    target : "auto" or class label
        As :class:`~ica_sklearn.SaliencyExplainer`'s ``target``.
    values, lengths : ndarray
        The validated (padded) sequences and their lengths.
    y : array-like of shape (n_samples,) or None
        True labels, used by ``target="auto"``.
    batch_size : int
        Samples per forward pass when the predicted classes are needed.

    Returns
    -------
    indices : ndarray of shape (n_samples,), int64
    """
    classes = classifier.classes_
    if isinstance(target, str) and target == "auto":
        if y is None:
            return predicted_indices(
                classifier.module_, values, lengths, batch_size=batch_size,
                dtype=DTYPES[classifier.dtype][1], device=classifier.device_,
            )
        y = column_or_1d(y, warn=True)
        if len(y) != len(values):
            raise ValueError(
                f"y has {len(y)} labels but X has {len(values)} samples; pass one "
                "label per sample (or y=None to explain the predicted classes)."
            )
        return _label_indices(classes, y, "y")
    return np.full(len(values), _label_indices(classes, [target], "target")[0])


def _label_indices(classes, labels, name):
    labels = np.asarray(labels)
    unknown = ~np.isin(labels, classes)
    if unknown.any():
        raise ValueError(
            f"{name} contains labels unknown to the classifier: "
            f"{sorted(set(labels[unknown].tolist()))[:5]}; its classes are "
            f"{classes.tolist()}."
        )
    return np.searchsorted(classes, labels).astype(np.int64)
