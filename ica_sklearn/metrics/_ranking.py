"""ROC AUC of every row of a score matrix at once.

scikit-learn's ``roc_auc_score`` scores one ranking per call; the saliency
metrics score one ranking per sample, so they use this vectorised form of the
same statistic (Mann-Whitney U over average ranks, ties counted as 1/2).
"""

import numpy as np
from scipy.stats import rankdata

__all__ = ["auc_from_rank_sum", "rowwise_auc"]


def rowwise_auc(scores, positive, valid):
    """ROC AUC of ``scores`` for the ``positive`` entries, row by row.

    Parameters
    ----------
    scores : ndarray of shape (n_rows, n_entries)
    positive : ndarray of bool, same shape
        Entries of the positive class.
    valid : ndarray of bool, same shape
        Entries that take part; the others are ignored.

    Returns
    -------
    auc : ndarray of shape (n_rows,)
        The probability that a random valid positive entry scores higher than
        a random valid negative one; NaN for a row without valid entries of
        both classes.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.metrics._ranking import rowwise_auc
    >>> scores = np.array([[4.0, 3.0, 2.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    >>> positive = np.array([[True, False, True, False]] * 2)
    >>> rowwise_auc(scores, positive, np.ones_like(positive))
    array([0.75, 0.5 ])
    """
    positive = positive & valid
    ranks = rankdata(np.where(valid, scores, np.inf), axis=1)
    n_positive = positive.sum(axis=1)
    return auc_from_rank_sum(
        np.where(positive, ranks, 0.0).sum(axis=1), n_positive, valid.sum(axis=1) - n_positive
    )


def auc_from_rank_sum(rank_sum, n_positive, n_negative):
    """ROC AUC from the sum of the positives' (average, ascending) ranks.

    The Mann-Whitney U statistic ``rank_sum - n_positive (n_positive + 1) / 2``
    over the number of (positive, negative) pairs; NaN where either class is
    empty.

    Parameters
    ----------
    rank_sum : ndarray of shape (n_rows,)
        Sum of the 1-based ranks of each row's positive entries among its
        valid entries, ties given their average rank.
    n_positive, n_negative : ndarray of int, shape (n_rows,)

    Returns
    -------
    auc : ndarray of shape (n_rows,)

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.metrics._ranking import auc_from_rank_sum
    >>> auc_from_rank_sum(np.array([6.0]), np.array([2]), np.array([2]))  # ranks 4 and 2
    array([0.75])
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = (rank_sum - n_positive * (n_positive + 1) / 2.0) / (n_positive * n_negative)
    return np.where((n_positive > 0) & (n_negative > 0), auc, np.nan)
