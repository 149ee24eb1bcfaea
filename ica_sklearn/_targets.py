"""Class labels of any type (strings included) to the integer codes the
network trains on."""

import numpy as np
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, column_or_1d

__all__ = ["encode_targets"]


def encode_targets(y, n_samples, owner):
    """Check ``y`` (one label per sample, at least 2 classes) and encode it.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or None
    n_samples : int
        Samples in ``X``.
    owner : str
        Estimator name, for the error messages.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        The sorted original labels.
    codes : ndarray of shape (n_samples,), int64
        Index of each label in ``classes``.

    Examples
    --------
    >>> from ica_sklearn._targets import encode_targets
    >>> encode_targets(["task", "rest", "task"], 3, "RNNClassifier")
    (array(['rest', 'task'], dtype='<U4'), array([1, 0, 1]))
    """
    if y is None:
        raise ValueError(f"{owner} requires y to be passed, but the target y is None.")
    y = column_or_1d(y, warn=True)
    check_consistent_length(np.empty(n_samples), y)
    check_classification_targets(y)
    encoder = LabelEncoder().fit(y)
    if len(encoder.classes_) < 2:
        raise ValueError(
            f"y contains only 1 class ({encoder.classes_[0]!r}); a classifier "
            "needs samples of at least 2 classes."
        )
    return encoder.classes_, encoder.transform(y).astype(np.int64)
