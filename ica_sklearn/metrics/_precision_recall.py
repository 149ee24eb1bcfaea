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

import numpy as np
from scipy.integrate import trapezoid

from ._inputs import prepare_saliency

__all__ = [
    "DEFAULT_PERCENTILES",
    "area_under_precision",
    "area_under_precision_recall",
    "area_under_recall",
    "check_percentiles",
    "precision_recall_curves",
    "top_saliency_cells",
]

DEFAULT_PERCENTILES = tuple(range(10, 100, 10))


def check_percentiles(percentiles, *, for_area=False):
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
    levels = check_percentiles(percentiles)
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
    levels = check_percentiles(percentiles, for_area=True)
    precision, _ = precision_recall_curves(mask, saliency, levels)
    return trapezoid(precision, levels / 100.0)


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
    levels = check_percentiles(percentiles, for_area=True)
    _, recall = precision_recall_curves(mask, saliency, levels)
    return trapezoid(recall, levels / 100.0)


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
    levels = check_percentiles(percentiles, for_area=True)
    return area_of_precision_over_recall(*precision_recall_curves(mask, saliency, levels))


def area_of_precision_over_recall(precision, recall):
    """Trapezoidal area of each row's precision over its recall, points sorted by recall."""
    order = np.argsort(recall, axis=1, kind="stable")
    return trapezoid(
        np.take_along_axis(precision, order, axis=1), np.take_along_axis(recall, order, axis=1)
    )
