"""Per-row min-max scaling over the valid entries of each row.

Saliency maps are compared after scaling each sample's map to [0, 1] (the
box metrics, the figures) and Temporal Saliency Rescaling scales its time and
feature relevances the same way; all of them call :func:`minmax_rows`.
"""

import numpy as np
from sklearn.preprocessing import minmax_scale

__all__ = ["minmax_rows"]


def minmax_rows(values, valid=None):
    """Scale each row of ``values`` to [0, 1] over its ``valid`` entries.

    Parameters
    ----------
    values : ndarray of shape (n_rows, n_columns)
    valid : ndarray of bool of the same shape, optional
        Entries that take part; all when omitted.

    Returns
    -------
    scaled : ndarray of float64, same shape
        ``(v - min) / (max - min)`` per row; rows that are constant over
        their valid entries (or have none) become 0, as do invalid entries.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.utils._scaling import minmax_rows
    >>> values = np.array([[1.0, 3.0, 2.0], [5.0, 5.0, 9.0]])
    >>> minmax_rows(values, np.array([[True, True, True], [True, True, False]]))
    array([[0. , 1. , 0.5],
           [0. , 0. , 0. ]])
    """
    values = np.asarray(values, dtype=np.float64)
    if valid is None:
        valid = np.ones(values.shape, dtype=bool)
    if values.size == 0:
        return np.zeros(values.shape)
    # scikit-learn's scaler ignores NaN entries and maps constant rows to 0.
    scaled = minmax_scale(np.where(valid, values, np.nan), axis=1)
    return np.where(valid, scaled, 0.0)
