"""The accuracy-drop curve of Ismail et al. (NeurIPS 2020): how fast a model's
accuracy falls as the cells its saliency ranks highest are replaced by noise."""

from typing import NamedTuple

import numpy as np
from scipy.integrate import trapezoid
from sklearn.utils import check_random_state

from ._inputs import scale_saliency
from ._precision_recall import DEFAULT_PERCENTILES, check_percentiles, top_saliency_cells

__all__ = ["AccuracyDropCurve", "accuracy_drop_curve"]


class AccuracyDropCurve(NamedTuple):
    """Result of :func:`accuracy_drop_curve`."""

    percentiles: np.ndarray
    """The percentages of total saliency that were replaced."""
    accuracy: np.ndarray
    """Accuracy on the data with those cells replaced, one per percentile."""
    area: float
    """Trapezoidal area of ``accuracy`` over ``percentiles / 100`` (lower is better)."""


def _accuracy(estimator, X, y):
    if hasattr(estimator, "predict"):
        return float(np.mean(np.asarray(estimator.predict(X)) == np.asarray(y)))
    if hasattr(estimator, "score"):
        return float(estimator.score(X, y))
    raise TypeError(
        f"estimator {estimator!r} has neither predict(X) nor score(X, y); pass a fitted "
        "classifier."
    )


def _draw_replacement(replacement, shape, rng):
    if replacement is None:
        return rng.standard_normal(shape)
    if not callable(replacement):
        raise ValueError(
            "replacement must be None (N(0, 1) noise) or a callable (shape, "
            f"random_state) -> array; got {replacement!r}."
        )
    values = np.asarray(replacement(shape, rng), dtype=float)
    if values.shape != tuple(shape):
        raise ValueError(
            f"replacement returned shape {values.shape}, expected {tuple(shape)}."
        )
    return values


def accuracy_drop_curve(
    estimator,
    X,
    y,
    saliency,
    percentiles=DEFAULT_PERCENTILES,
    *,
    replacement=None,
    random_state=None,
):
    """Accuracy as the top-p % saliency cells are replaced by fresh noise.

    For each percentage ``p``, each sample's top-p % saliency cells (the
    smallest set of highest-saliency cells holding ``p`` % of its total
    scaled saliency, see :func:`precision_recall_curves`) are replaced by
    fresh background noise, and the estimator's accuracy is measured on the
    result. A saliency map that finds what the model uses makes the accuracy
    fall fast, so a smaller area is better. Padding cells (NaN saliency) are
    never replaced. One noise array is drawn and reused at every percentage,
    so the curve reflects only which cells are replaced.

    Parameters
    ----------
    estimator : object
        Fitted classifier with ``predict(X)`` (used for the accuracy) or,
        failing that, ``score(X, y)``.
    X : array-like of shape (n_samples, n_timesteps, n_features)
        The data the saliency explains (already standardised, if the
        estimator expects so: the default noise is N(0, 1)).
    y : array-like of shape (n_samples,)
        True labels.
    saliency : array-like, same shape as X
        Saliency maps of ``X``; NaN marks padding.
    percentiles : sequence of float, default=range(10, 100, 10)
        Strictly increasing percentages of total saliency, in [0, 100];
        at least two.
    replacement : callable or None, default=None
        ``replacement(shape, random_state) -> array`` drawing the values put
        into the replaced cells; None draws N(0, 1) noise, the background of
        the paper's box data.
    random_state : int, RandomState instance or None, default=None
        Seed for the replacement noise.

    Returns
    -------
    AccuracyDropCurve
        Named tuple ``(percentiles, accuracy, area)``.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.datasets import make_box_dataset
    >>> from ica_sklearn.metrics import accuracy_drop_curve
    >>> X, y, mask = make_box_dataset(
    ...     "earlier_box", n_samples=100, n_timesteps=10, n_features=10, random_state=0)
    >>> class BoxMeanClassifier:  # predicts from the mean of the box cells
    ...     def predict(self, X):
    ...         return (X[:, mask[0]].mean(axis=1) > 0).astype(int)
    >>> on_box = np.abs(X) * mask  # a map that finds the box
    >>> curve = accuracy_drop_curve(BoxMeanClassifier(), X, y, on_box, random_state=0)
    >>> curve.accuracy
    array([1.  , 1.  , 0.99, 0.99, 0.99, 0.96, 0.85, 0.71, 0.56])
    >>> round(curve.area, 3)
    0.727
    >>> off_box = np.abs(X) * ~mask  # a map that misses it: no drop, larger area
    >>> accuracy_drop_curve(BoxMeanClassifier(), X, y, off_box, random_state=0).area
    0.8
    """
    levels = check_percentiles(percentiles, for_area=True)
    X = np.asarray(X)
    if np.shape(saliency) != X.shape:
        raise ValueError(
            f"saliency shape {np.shape(saliency)} must equal X shape {X.shape}: one "
            "saliency value per cell of X."
        )
    if len(y) != X.shape[0]:
        raise ValueError(f"y has {len(y)} labels but X has {X.shape[0]} samples.")
    scaled = scale_saliency(saliency)
    rng = check_random_state(random_state)
    noise = _draw_replacement(replacement, X.shape, rng).astype(X.dtype, copy=False)
    accuracy = np.empty(levels.size)
    for column, percentile in enumerate(levels):
        replaced = top_saliency_cells(scaled.values, percentile) & scaled.valid
        X_replaced = np.where(replaced.reshape(X.shape), noise, X)
        accuracy[column] = _accuracy(estimator, X_replaced, y)
    return AccuracyDropCurve(levels, accuracy, float(trapezoid(accuracy, levels / 100.0)))
