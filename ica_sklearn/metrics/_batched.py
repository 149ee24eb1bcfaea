"""All saliency metrics at once, from one preparation and one sort per sample.

Called one by one, the metric functions each check and scale the maps again,
and the rank-based ones sort every sample again: the top-K metrics sort once
each, the AUC ranks the cells, and each precision/recall area sorts and
cumulates every sample once per percentage (27 sorts for the three areas).
For 300 maps of 100 x 100 that is seconds.  Here each sample's cells are
sorted once, most salient first, with their tie groups, and every rank-based
metric is read off that order:

- the top-K cells of :func:`~ica_sklearn.metrics.top_k_jaccard` are the
  sorted prefix up to the end of the K-th cell's tie group;
- the average ascending rank of a valid cell in the tie group at sorted
  positions ``a..b`` is ``n_valid - (a + b) / 2``, which gives the AUC's
  rank sum (exact: integers and halves);
- the top-p % cells of :func:`~ica_sklearn.metrics.precision_recall_curves`
  are the prefix up to the end of the tie group where the cumulative
  saliency first reaches p % of the total; their saliency and box saliency
  are read from cumulative sums.

The values equal the functions' own to rounding (sums taken in another
order); the tests hold them to 1e-12.
"""

from functools import cached_property

import numpy as np
from scipy.integrate import trapezoid

from ._box import euclidean_distance_of, weighted_jaccard_of
from ._inputs import prepare_saliency
from ._localization import axis_auc_of, check_map_shape
from ._precision_recall import (
    DEFAULT_PERCENTILES,
    _safe_ratio,
    area_of_precision_over_recall,
    check_percentiles,
)
from ._ranking import auc_from_rank_sum

__all__ = ["BatchedMetrics", "RankedSaliency"]

_PADDING_KEY = -1.0  # below every scaled saliency value (all in [0, 1])


class RankedSaliency:
    """Each sample's cells sorted once by scaled saliency, most salient first.

    Padding cells sort last.  Cells in one tie group (equal saliency) may come
    in any order; everything read from this class depends on whole tie groups
    only, never on the order inside one.

    Parameters
    ----------
    prepared : PreparedSaliency
        From :func:`~ica_sklearn.metrics._inputs.prepare_saliency`.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.metrics._inputs import prepare_saliency
    >>> from ica_sklearn.metrics._batched import RankedSaliency
    >>> mask = np.array([[True, False, True, False]])
    >>> ranked = RankedSaliency(prepare_saliency(mask, np.array([[[4.0, 3.0, 3.0, 0.0]]])))
    >>> ranked.values  # scaled 1, .75, .75, 0, most salient first
    array([[1.  , 0.75, 0.75, 0.  ]])
    >>> ranked.group_start, ranked.group_end  # cells 1 and 2 are tied
    (array([[0, 1, 1, 3]]), array([[0, 2, 2, 3]]))
    """

    def __init__(self, prepared):
        self.prepared = prepared
        key = np.where(prepared.valid, prepared.values, _PADDING_KEY)
        order = np.argsort(-key, axis=1)
        sorted_key = np.take_along_axis(key, order, axis=1)
        self.values = np.take_along_axis(prepared.values, order, axis=1)
        """(n_samples, n_cells) scaled saliency, descending (padding as 0, last)."""
        self.box = np.take_along_axis(prepared.box, order, axis=1)
        """(n_samples, n_cells) bool, the box cells in that order."""
        self.group_start, self.group_end = _tie_groups(sorted_key)

    @cached_property
    def cumulative(self):
        """Cumulative saliency along the sorted cells."""
        return np.cumsum(self.values, axis=1)

    @cached_property
    def box_cumulative(self):
        """Cumulative saliency of the box cells along the sorted cells."""
        return np.cumsum(np.where(self.box, self.values, 0.0), axis=1)

    @cached_property
    def box_count(self):
        """Cumulative number of box cells along the sorted cells."""
        return np.cumsum(self.box, axis=1)

    @cached_property
    def box_total(self):
        """Saliency on each sample's box cells."""
        return np.where(self.prepared.box, self.prepared.values, 0.0).sum(axis=1)

    def _at(self, array, lengths):
        """``array`` summed over the first ``lengths`` sorted cells (cumulative read-out)."""
        return np.take_along_axis(array, lengths.reshape(len(lengths), -1) - 1, axis=1)

    @cached_property
    def top_k(self):
        """(n_top, n_top_in_box, saliency_on_box_in_top) of the top-K cells, per sample."""
        n_box = self.prepared.n_box
        n_top = np.take_along_axis(self.group_end, (n_box - 1)[:, None], axis=1)[:, 0] + 1
        hits = self._at(self.box_count, n_top)[:, 0]
        inside = self._at(self.box_cumulative, n_top)[:, 0]
        return n_top, hits, inside

    def top_k_jaccard(self):
        """As :func:`~ica_sklearn.metrics.top_k_jaccard`."""
        n_top, hits, _ = self.top_k
        return hits / (n_top + self.prepared.n_box - hits)

    def enrichment_score(self):
        """As :func:`~ica_sklearn.metrics.enrichment_score`."""
        _, _, inside = self.top_k
        return (inside - (self.box_total - inside)) / self.prepared.n_box

    def saliency_auc(self):
        """As :func:`~ica_sklearn.metrics.saliency_auc` (NaN without background cells)."""
        n_valid = self.prepared.valid.sum(axis=1)
        n_box = self.prepared.n_box
        # Average ascending rank of a valid cell: n_valid - (start + end) / 2.
        doubled_offsets = np.where(self.box, self.group_start + self.group_end, 0).sum(axis=1)
        rank_sum = n_box * n_valid - doubled_offsets / 2.0
        return auc_from_rank_sum(rank_sum, n_box, n_valid - n_box)

    def precision_recall(self, percentiles=DEFAULT_PERCENTILES):
        """As :func:`~ica_sklearn.metrics.precision_recall_curves`.

        Parameters
        ----------
        percentiles : sequence of float, default=range(10, 100, 10)

        Returns
        -------
        precision, recall : ndarray of shape (n_samples, n_percentiles)
        """
        levels = check_percentiles(percentiles)
        cumulative = self.cumulative
        total = cumulative[:, -1]
        # The same target as top_saliency_cells, evaluated in the same order.
        target = (levels / 100.0)[None, :] * total[:, None] * (1.0 - 1e-12)
        # Cumulative sums of non-negative values never decrease, so the number
        # of positions below the target is a binary search in each row.
        first_reaching = np.stack(
            [np.searchsorted(row, goal, side="left") for row, goal in zip(cumulative, target)]
        )
        first_reaching = np.minimum(first_reaching, cumulative.shape[1] - 1)
        n_selected = np.take_along_axis(self.group_end, first_reaching, axis=1) + 1
        selects_anything = (total > 0)[:, None] & (levels > 0)[None, :]
        selected_total = np.where(selects_anything, self._at(cumulative, n_selected), 0.0)
        true_positive = np.where(selects_anything, self._at(self.box_cumulative, n_selected), 0.0)
        return (
            _safe_ratio(true_positive, selected_total),
            _safe_ratio(true_positive, self.box_total[:, None]),
        )


def _tie_groups(sorted_key):
    """First and last index of each entry's run of equal values, row by row."""
    n_columns = sorted_key.shape[1]
    index = np.arange(n_columns)
    starts = np.ones(sorted_key.shape, dtype=bool)
    starts[:, 1:] = sorted_key[:, 1:] != sorted_key[:, :-1]
    ends = np.ones(sorted_key.shape, dtype=bool)
    ends[:, :-1] = starts[:, 1:]
    group_start = np.maximum.accumulate(np.where(starts, index, 0), axis=1)
    reversed_ends = np.where(ends, index, n_columns - 1)[:, ::-1]
    group_end = np.minimum.accumulate(reversed_ends, axis=1)[:, ::-1]
    return group_start, group_end


class BatchedMetrics:
    """Every metric of :data:`~ica_sklearn.metrics.SALIENCY_METRICS` as a method.

    The inputs are checked and scaled once, sorted once when a rank-based
    metric is asked for, and the precision/recall curves are computed once
    for the three areas.

    Parameters
    ----------
    mask, saliency
        As in :func:`~ica_sklearn.metrics.weighted_jaccard`.
    require_background : bool, default=False
        Whether every sample needs a valid cell outside the box (the AUC does).

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.metrics._batched import BatchedMetrics
    >>> mask = np.array([[True, False, True, False]])
    >>> batch = BatchedMetrics(mask, np.array([[[4.0, 3.0, 2.0, 0.0]]]))
    >>> batch.saliency_auc(), batch.top_k_jaccard().round(4)
    (array([0.75]), array([0.3333]))
    """

    def __init__(self, mask, saliency, *, require_background=False):
        self.shape = np.shape(saliency)
        self.prepared = prepare_saliency(mask, saliency, require_background=require_background)

    @cached_property
    def ranked(self):
        """The :class:`RankedSaliency` of the maps."""
        return RankedSaliency(self.prepared)

    @cached_property
    def _curves(self):
        levels = check_percentiles(DEFAULT_PERCENTILES, for_area=True)
        return levels, *self.ranked.precision_recall(levels)

    def weighted_jaccard(self):
        return weighted_jaccard_of(self.prepared)

    def euclidean_distance(self):
        return euclidean_distance_of(self.prepared)

    def top_k_jaccard(self):
        return self.ranked.top_k_jaccard()

    def enrichment_score(self):
        return self.ranked.enrichment_score()

    def saliency_auc(self):
        return self.ranked.saliency_auc()

    def time_localization(self):
        check_map_shape(self.shape)
        return axis_auc_of(self.prepared, self.shape, axis=1)

    def feature_localization(self):
        check_map_shape(self.shape)
        return axis_auc_of(self.prepared, self.shape, axis=2)

    def area_under_precision(self):
        levels, precision, _ = self._curves
        return trapezoid(precision, levels / 100.0)

    def area_under_recall(self):
        levels, _, recall = self._curves
        return trapezoid(recall, levels / 100.0)

    def area_under_precision_recall(self):
        _, precision, recall = self._curves
        return area_of_precision_over_recall(precision, recall)
