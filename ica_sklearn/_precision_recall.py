"""Metrics of the interpretability benchmark of Ismail et al. (NeurIPS 2020).

For a percentage ``p``, a sample's *top-p % saliency cells* are the smallest
set of its highest-saliency cells whose (scaled) saliency adds up to at least
``p`` % of the sample's total. Cells tied in saliency are taken or left
together, so the set never depends on the order of the cells: it is
``{cells with s >= c}`` for the largest ``c`` that reaches ``p`` %. Cells of
zero saliency are therefore never taken (for ``p`` <= 100), and a map whose
scaled saliency is zero everywhere (a constant map) selects no cell.

Precision and recall are weighted by saliency, as in the benchmark's code::

    TP = sum of s over selected box cells
    FP = sum of s over selected cells outside the box
    FN = sum of s over box cells not selected
    precision = TP / (TP + FP),  recall = TP / (TP + FN)

with 0 where a denominator is 0. Areas are trapezoids over ``p / 100``
(AUP, AUR), or of precision over recall (AUPR).
"""

from typing import NamedTuple

import numpy as np
from sklearn.utils import check_random_state

from ._metric_inputs import prepare_saliency, scale_saliency

DEFAULT_PERCENTILES = tuple(range(10, 100, 10))


def _check_percentiles(percentiles, *, for_area=False):
    values = np.asarray(list(percentiles), dtype=float)
    minimum_length = 2 if for_area else 1
    if (
        values.ndim != 1
        or values.size < minimum_length
        or not np.all(np.isfinite(values))
        or values.min() < 0
        or values.max() > 100
        or np.any(np.diff(values) <= 0)
    ):
        raise ValueError(
            f"percentiles must be at least {minimum_length} strictly increasing numbers "
            f"in [0, 100], e.g. range(10, 100, 10); got {percentiles!r}."
        )
    return values


def _trapezoid(y, x):
    """Trapezoidal area under ``y`` along the last axis, ``x`` broadcastable."""
    return np.sum((y[..., 1:] + y[..., :-1]) * np.diff(x, axis=-1) / 2.0, axis=-1)


def top_saliency_cells(values, percentile):
    """Top-``percentile`` % saliency cells of each row of ``values``.

    Parameters
    ----------
    values : ndarray of shape (n_samples, n_cells)
        Non-negative scaled saliency (0 in padding cells).
    percentile : float
        Share of each row's total saliency to reach, in [0, 100].

    Returns
    -------
    selected : ndarray of shape (n_samples, n_cells), dtype bool
    """
    descending = -np.sort(-values, axis=1)
    cumulative = np.cumsum(descending, axis=1)
    total = cumulative[:, -1]
    # A small relative tolerance so that p = 100 % is reached despite rounding.
    target = (percentile / 100.0) * total * (1.0 - 1e-12)
    first_reaching = np.minimum((cumulative < target[:, None]).sum(axis=1), values.shape[1] - 1)
    threshold = descending[np.arange(values.shape[0]), first_reaching]
    selects_anything = (total > 0) & (percentile > 0)
    return (values >= threshold[:, None]) & (values > 0) & selects_anything[:, None]


def _safe_ratio(numerator, denominator):
    return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), 0.0)


def precision_recall_curves(mask, saliency, percentiles=DEFAULT_PERCENTILES):
    """Saliency-weighted precision and recall of the top-p % saliency cells.

    For each percentage ``p``, the *top-p % saliency cells* - the smallest
    set of highest-saliency cells that holds ``p`` % of a sample's total
    saliency - are compared with the box. Cells tied in saliency are taken
    or left together (the set is ``{s >= c}`` for the largest ``c`` that
    reaches ``p`` %), so the result never depends on the cell order; cells of
    zero saliency are never taken, and a constant map (all zeros once
    scaled) selects nothing::

        precision = sum(s, selected & box) / sum(s, selected)
        recall    = sum(s, selected & box) / sum(s, box)

    where ``s`` is the absolute saliency min-max scaled to [0, 1] per
    sample; a ratio with a zero denominator is 0. NaN cells (padding) are
    ignored.

    Parameters
    ----------
    mask : array-like of bool, shape (n_timesteps, n_features) or (n_samples, n_timesteps, n_features)
        True inside the box; one mask for all samples or one per sample.
    saliency : array-like of shape (n_samples, n_timesteps, n_features)
        Saliency maps; NaN marks padding.
    percentiles : sequence of float, default=range(10, 100, 10)
        Strictly increasing percentages of total saliency, in [0, 100].

    Returns
    -------
    precision, recall : ndarray of shape (n_samples, n_percentiles)

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.metrics import precision_recall_curves
    >>> mask = np.array([[True, True, False, False]])
    >>> saliency = np.array([[[4.0, 3.0, 2.0, 0.0]]])  # scaled: 1, .75, .5, 0
    >>> precision, recall = precision_recall_curves(mask, saliency, [40, 70, 100])
    >>> precision.round(3), recall.round(3)
    (array([[1.   , 1.   , 0.778]]), array([[0.571, 1.   , 1.   ]]))
    """
    prepared = prepare_saliency(mask, saliency)
    levels = _check_percentiles(percentiles)
    values, box = prepared.values, prepared.box
    box_total = np.where(box, values, 0.0).sum(axis=1)
    precision = np.empty((values.shape[0], levels.size))
    recall = np.empty_like(precision)
    for column, percentile in enumerate(levels):
        selected = top_saliency_cells(values, percentile)
        selected_total = np.where(selected, values, 0.0).sum(axis=1)
        true_positive = np.where(selected & box, values, 0.0).sum(axis=1)
        precision[:, column] = _safe_ratio(true_positive, selected_total)
        recall[:, column] = _safe_ratio(true_positive, box_total)
    return precision, recall


def area_under_precision(mask, saliency, percentiles=DEFAULT_PERCENTILES):
    """Area under the precision curve (AUP) per sample, higher is better.

    The trapezoidal area of :func:`precision_recall_curves`' precision over
    ``percentiles / 100`` (so at most 0.8 for the default 10 %, ..., 90 %).

    Parameters
    ----------
    mask, saliency, percentiles
        As in :func:`precision_recall_curves` (at least two percentiles).

    Returns
    -------
    aup : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.metrics import area_under_precision
    >>> mask = np.array([[True, True, False, False]])
    >>> saliency = np.array([[[4.0, 3.0, 2.0, 0.0]]])
    >>> area_under_precision(mask, saliency, [40, 70, 100]).round(4)
    array([0.5667])
    """
    levels = _check_percentiles(percentiles, for_area=True)
    precision, _ = precision_recall_curves(mask, saliency, levels)
    return _trapezoid(precision, levels / 100.0)


def area_under_recall(mask, saliency, percentiles=DEFAULT_PERCENTILES):
    """Area under the recall curve (AUR) per sample, higher is better.

    The trapezoidal area of :func:`precision_recall_curves`' recall over
    ``percentiles / 100``.

    Parameters
    ----------
    mask, saliency, percentiles
        As in :func:`precision_recall_curves` (at least two percentiles).

    Returns
    -------
    aur : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.metrics import area_under_recall
    >>> mask = np.array([[True, True, False, False]])
    >>> saliency = np.array([[[4.0, 3.0, 2.0, 0.0]]])
    >>> area_under_recall(mask, saliency, [40, 70, 100]).round(4)
    array([0.5357])
    """
    levels = _check_percentiles(percentiles, for_area=True)
    _, recall = precision_recall_curves(mask, saliency, levels)
    return _trapezoid(recall, levels / 100.0)


def area_under_precision_recall(mask, saliency, percentiles=DEFAULT_PERCENTILES):
    """Area under the precision-recall curve (AUPR) per sample.

    The trapezoidal area of precision over recall, the points of
    :func:`precision_recall_curves` sorted by recall (as in the benchmark's
    code; the curve is not extended to recall 0 or 1).

    Parameters
    ----------
    mask, saliency, percentiles
        As in :func:`precision_recall_curves` (at least two percentiles).

    Returns
    -------
    aupr : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.metrics import area_under_precision_recall
    >>> mask = np.array([[True, True, False, False]])
    >>> saliency = np.array([[[4.0, 3.0, 2.0, 0.0]]])
    >>> area_under_precision_recall(mask, saliency, [40, 70, 100]).round(4)
    array([0.4286])
    """
    levels = _check_percentiles(percentiles, for_area=True)
    precision, recall = precision_recall_curves(mask, saliency, levels)
    order = np.argsort(recall, axis=1, kind="stable")
    return _trapezoid(
        np.take_along_axis(precision, order, axis=1), np.take_along_axis(recall, order, axis=1)
    )


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
    levels = _check_percentiles(percentiles, for_area=True)
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
    return AccuracyDropCurve(levels, accuracy, float(_trapezoid(accuracy, levels / 100.0)))
