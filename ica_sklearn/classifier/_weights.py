"""Per-sample training weights of :class:`~ica_sklearn.RNNClassifier`: its
``class_weight`` parameter and the ``sample_weight`` argument of ``fit``.

The two multiply (scikit-learn's convention).  Samples whose weight is 0 are
left out of training altogether, so they change neither the batches, nor the
stop rule, nor early stopping: a zero weight is the same as removing the
sample.  The remaining weights are rescaled to mean 1, and a batch's loss is
``mean(w_i * loss_i)`` over its samples.  Each batch's loss is then an
unbiased estimate of the weighted mean cross-entropy of the training set,
``sum(w_i * loss_i) / sum(w_i)``, and the epoch's ``train_loss`` (skorch's
mean of the batch losses, weighted by batch size) is exactly that weighted
mean.  Rescaling makes the weights' overall scale irrelevant: weights all
equal train exactly as no weights.
"""

from numbers import Real

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.class_weight import compute_class_weight

__all__ = ["check_sample_weight", "rescaled", "training_weights"]


def _positions(mask, limit=10):
    return np.flatnonzero(mask)[:limit].tolist()


def check_sample_weight(sample_weight, n_samples):
    """``sample_weight`` as a float64 array of ``n_samples`` non-negative, finite values.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,), number or None
        A number gives every sample that weight.
    n_samples : int

    Returns
    -------
    weights : ndarray of shape (n_samples,) or None

    Raises
    ------
    ValueError
        Naming the problem: wrong shape or length, NaN or infinite values,
        negative values, or no positive weight at all.

    Examples
    --------
    >>> from ica_sklearn.classifier._weights import check_sample_weight
    >>> check_sample_weight([1, 0, 2], 3)
    array([1., 0., 2.])
    >>> check_sample_weight([1, -1, 2], 3)
    Traceback (most recent call last):
    ...
    ValueError: sample_weight must be non-negative; it is negative at position(s) [1]. ...
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, Real):
        sample_weight = np.full(n_samples, sample_weight)
    try:
        weights = check_array(
            sample_weight, ensure_2d=False, dtype=np.float64, ensure_all_finite=False,
            input_name="sample_weight",
        )
    except ValueError as error:
        if "could not convert" not in str(error):
            raise
        raise ValueError(f"sample_weight must hold numbers ({error}).") from None
    if weights.ndim != 1:
        raise ValueError(
            f"sample_weight must be 1D, one weight per sample; got an array of shape "
            f"{weights.shape}."
        )
    if len(weights) != n_samples:
        raise ValueError(
            f"sample_weight has {len(weights)} values, but X has {n_samples} samples. "
            "Pass one weight per sample, in the order of X."
        )
    if not np.isfinite(weights).all():
        raise ValueError(
            "sample_weight must be finite; it is NaN or infinite at position(s) "
            f"{_positions(~np.isfinite(weights))}. Give those samples a number "
            "(0 leaves a sample out)."
        )
    if (weights < 0).any():
        raise ValueError(
            "sample_weight must be non-negative; it is negative at position(s) "
            f"{_positions(weights < 0)}. Use 0 to leave a sample out."
        )
    if not (weights > 0).any():
        raise ValueError(
            "sample_weight is zero for every sample; at least one sample needs a "
            "positive weight."
        )
    return weights


def _class_weights(class_weight, classes, codes, sample_weight):
    """The weight of each class (in the order of ``classes``), from the
    samples that are trained on (``codes``, with their ``sample_weight``)."""
    if class_weight == "balanced":
        present = np.unique(codes)
        weights = np.ones(len(classes))
        if sample_weight is None:
            weights[present] = compute_class_weight(
                "balanced", classes=classes[present], y=classes[codes]
            )
            return weights
        # "balanced" on the weighted class frequencies, so that integer weights
        # act as repeated samples (scikit-learn's compute_class_weight takes
        # sample_weight only in versions newer than our lowest supported, 1.6).
        counts = np.bincount(codes, weights=sample_weight, minlength=len(classes))
        weights[present] = counts.sum() / (len(present) * counts[present])
        return weights
    unknown = [label for label in class_weight if label not in set(classes.tolist())]
    if unknown:
        raise ValueError(
            f"class_weight names label(s) {unknown} that are not classes of y "
            f"(the classes are {classes.tolist()}). Use the labels of y as keys."
        )
    return compute_class_weight(class_weight, classes=classes, y=classes[codes])


def training_weights(class_weight, sample_weight, classes, codes, *, min_classes=2):
    """The per-sample weights of a fit, before zero weights are dropped.

    Parameters
    ----------
    class_weight : None, "balanced" or dict
        The estimator's parameter (dict keys are labels of ``classes``).
    sample_weight : ndarray of shape (n_samples,) or None
        Checked by :func:`check_sample_weight`.
    classes : ndarray of shape (n_classes,)
        The sorted original labels.
    codes : ndarray of shape (n_samples,)
        Index of each sample's label in ``classes``.
    min_classes : int, default=2
        Classes that must keep samples of positive weight: 2 for a fit,
        1 for one call of ``partial_fit`` (whose data may hold one class).

    Returns
    -------
    weights : ndarray of shape (n_samples,), float64, or None
        ``sample_weight`` times the weight of each sample's class; None when
        there are neither.

    Raises
    ------
    ValueError
        When ``class_weight`` names labels that are not classes, or the
        weights leave fewer than ``min_classes`` classes with a positive weight.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.classifier._weights import training_weights
    >>> classes, codes = np.array(["a", "b"]), np.array([0, 0, 0, 1])
    >>> training_weights("balanced", None, classes, codes)
    array([0.66666667, 0.66666667, 0.66666667, 2.        ])
    >>> training_weights({"b": 3}, np.array([1.0, 0.0, 1.0, 2.0]), classes, codes)
    array([1., 0., 1., 6.])
    """
    if class_weight is None and sample_weight is None:
        return None
    weights = np.ones(len(codes)) if sample_weight is None else sample_weight.copy()
    if class_weight is not None:
        kept = weights > 0  # "balanced" counts only the samples that are trained on
        per_class = _class_weights(
            class_weight, classes, codes[kept],
            None if sample_weight is None else weights[kept],
        )
        weights = weights * per_class[codes]
    positive = np.unique(codes[weights > 0])
    if len(positive) < min_classes:
        label = classes[positive].tolist()[0] if len(positive) else None
        raise ValueError(
            "sample_weight and class_weight leave samples of only "
            f"{'no class' if label is None else f'1 class ({label!r})'} with a positive "
            f"weight; {'a classifier needs' if min_classes > 1 else 'training needs'} "
            f"samples of at least {min_classes} class{'es' if min_classes > 1 else ''} "
            "with positive weight."
        )
    return weights


def rescaled(weights):
    """Which samples are trained on (positive weight), and their weights
    rescaled to mean 1 (None when they are all equal: no weighting needed).

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.classifier._weights import rescaled
    >>> rescaled(np.array([0.0, 1.0, 3.0]))
    (array([False,  True,  True]), array([0.5, 1.5]))
    >>> rescaled(np.array([2.0, 0.0, 2.0]))[1] is None
    True
    """
    kept = weights > 0
    weights = weights[kept]
    if (weights == weights[0]).all():
        return kept, None
    return kept, weights / weights.mean()
