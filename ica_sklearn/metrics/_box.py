"""The box-accuracy metrics of Ismail et al. (2019): how well a saliency map
finds the informative cells.

Every metric takes ``(mask, saliency)`` and returns one value per sample:

- ``mask``: boolean, True on the cells that carry the class signal; shape
  ``(n_timesteps, n_features)`` (shared by all samples) or
  ``(n_samples, n_timesteps, n_features)`` (one per sample).
- ``saliency``: ``(n_samples, n_timesteps, n_features)``; NaN marks padding,
  and padding cells are left out of every computation.

As in Ismail et al. (NeurIPS 2019), each sample's map is turned into
``s = minmax(|saliency|)``, flattened and scaled to [0, 1] over the sample's
valid cells; ``m`` is the box mask as 0/1 and ``K`` its number of cells. A
map that is constant over its valid cells says nothing about any cell and is
scaled to all zeros (so WJac = 0, Euc = 1, AUC = 0.5, top-K Jaccard = K / n
valid cells, i.e. chance). The "top-K cells" are the cells whose saliency is
at least the K-th largest value: cells tied with it are all included, so the
set (possibly larger than K) does not depend on the order of the cells.

All metrics are vectorised over samples; :func:`~ica_sklearn.metrics.evaluate_saliency`
computes them together from one sort per sample (``_batched``).
"""

import numpy as np

from ._inputs import prepare_saliency
from ._ranking import rowwise_auc

__all__ = [
    "enrichment_score",
    "euclidean_distance",
    "saliency_auc",
    "top_k_jaccard",
    "weighted_jaccard",
]


def weighted_jaccard(mask, saliency):
    """Weighted Jaccard similarity of the scaled saliency and the box (WJac).

    ``sum(min(m, s)) / sum(max(m, s))``: 1 when the map is exactly the box,
    0 when it puts no saliency on the box. Higher is better.

    Parameters
    ----------
    mask : array-like of bool, shape (n_timesteps, n_features) or (n_samples, n_timesteps, n_features)
        True inside the box; one mask for all samples or one per sample.
    saliency : array-like of shape (n_samples, n_timesteps, n_features)
        Saliency maps; NaN marks padding.

    Returns
    -------
    wjac : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from ica_sklearn.metrics import weighted_jaccard
    >>> import numpy as np
    >>> mask = np.array([[True, True, False, False]])
    >>> saliency = np.array([[[4.0, 3.0, 2.0, 0.0]]])  # scaled: 1, .75, .5, 0
    >>> weighted_jaccard(mask, saliency)  # (1 + .75) / (1 + 1 + .5)
    array([0.7])
    """
    return weighted_jaccard_of(prepare_saliency(mask, saliency))


def weighted_jaccard_of(prepared):
    """:func:`weighted_jaccard` of already prepared inputs (a ``PreparedSaliency``)."""
    box = prepared.box.astype(float)
    return np.minimum(box, prepared.values).sum(axis=1) / np.maximum(box, prepared.values).sum(
        axis=1
    )


def euclidean_distance(mask, saliency):
    """Euclidean distance of the scaled saliency to the box, relative (Euc).

    ``||m - s||_2 / ||m||_2 = ||m - s||_2 / sqrt(K)``: 0 when the map is
    exactly the box, 1 for an all-zero map. Lower is better.

    Parameters
    ----------
    mask, saliency
        As in :func:`weighted_jaccard`.

    Returns
    -------
    euc : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from ica_sklearn.metrics import euclidean_distance
    >>> import numpy as np
    >>> mask = np.array([[True, True, False, False]])
    >>> saliency = np.array([[[4.0, 3.0, 2.0, 0.0]]])  # scaled: 1, .75, .5, 0
    >>> euclidean_distance(mask, saliency).round(4)  # sqrt(0 + .0625 + .25 + 0) / sqrt(2)
    array([0.3953])
    """
    return euclidean_distance_of(prepare_saliency(mask, saliency))


def euclidean_distance_of(prepared):
    """:func:`euclidean_distance` of already prepared inputs (a ``PreparedSaliency``)."""
    residual = prepared.box.astype(float) - prepared.values
    return np.sqrt((residual**2).sum(axis=1) / prepared.n_box)


def _top_k_cells(prepared):
    """Cells at least as salient as the K-th most salient valid cell."""
    ranked = np.sort(np.where(prepared.valid, prepared.values, -np.inf), axis=1)
    kth_largest = np.take_along_axis(
        ranked, (ranked.shape[1] - prepared.n_box)[:, None], axis=1
    )
    return prepared.valid & (prepared.values >= kth_largest)


def top_k_jaccard(mask, saliency):
    """Jaccard index of the top-K saliency cells and the K box cells.

    ``|top-K & box| / |top-K | box|``, where the top-K cells are those at
    least as salient as the K-th largest value (ties included, see the
    module notes). Higher is better; a constant map scores the chance level
    ``K / n_valid_cells``.

    Parameters
    ----------
    mask, saliency
        As in :func:`weighted_jaccard`.

    Returns
    -------
    jaccard : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from ica_sklearn.metrics import top_k_jaccard
    >>> import numpy as np
    >>> mask = np.array([[True, False, True, False]])
    >>> saliency = np.array([[[4.0, 3.0, 2.0, 0.0]]])  # K = 2, top-2 = cells 0, 1
    >>> top_k_jaccard(mask, saliency).round(4)  # |{0}| / |{0, 1, 2}|
    array([0.3333])
    """
    prepared = prepare_saliency(mask, saliency)
    top = _top_k_cells(prepared)
    return (top & prepared.box).sum(axis=1) / (top | prepared.box).sum(axis=1)


def enrichment_score(mask, saliency):
    """Saliency on box cells inside the top-K minus outside it, over K.

    ``(sum(s, box & top-K) - sum(s, box & ~top-K)) / K``, with the top-K
    cells as in :func:`top_k_jaccard`. In [-1, 1]; higher is better.

    Parameters
    ----------
    mask, saliency
        As in :func:`weighted_jaccard`.

    Returns
    -------
    enrichment : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from ica_sklearn.metrics import enrichment_score
    >>> import numpy as np
    >>> mask = np.array([[True, False, True, False]])
    >>> saliency = np.array([[[4.0, 3.0, 2.0, 0.0]]])  # scaled: 1, .75, .5, 0
    >>> enrichment_score(mask, saliency)  # (1 - .5) / 2
    array([0.25])
    """
    prepared = prepare_saliency(mask, saliency)
    top = _top_k_cells(prepared)
    inside = np.where(prepared.box & top, prepared.values, 0.0).sum(axis=1)
    outside = np.where(prepared.box & ~top, prepared.values, 0.0).sum(axis=1)
    return (inside - outside) / prepared.n_box


def saliency_auc(mask, saliency):
    """ROC AUC of the saliency as a score for "cell is in the box".

    Computed from rank sums (Mann-Whitney U, ties counted as 1/2): the
    probability that a random box cell is more salient than a random cell
    outside the box. 0.5 is chance; higher is better. Each sample needs at
    least one valid cell outside the box.

    Parameters
    ----------
    mask, saliency
        As in :func:`weighted_jaccard`.

    Returns
    -------
    auc : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from ica_sklearn.metrics import saliency_auc
    >>> import numpy as np
    >>> mask = np.array([[True, False, True, False]])
    >>> saliency = np.array([[[4.0, 3.0, 2.0, 0.0]]])
    >>> saliency_auc(mask, saliency)  # pairs (box, other): 4>3, 4>0, 2<3, 2>0
    array([0.75])
    """
    prepared = prepare_saliency(mask, saliency, require_background=True)
    return rowwise_auc(prepared.values, prepared.box, prepared.valid)
