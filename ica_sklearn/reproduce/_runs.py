"""What every run of ``reproduce`` shares: its data and how its per-seed numbers are printed."""

import numpy as np

from ..datasets import make_box_train_test

__all__ = ["box_data", "mean_std_text"]


def box_data(layout, seed, config):
    """The train/test box data of one run: ``make_box_train_test``'s six arrays.

    Parameters
    ----------
    layout : str
    seed : int
    config : dict
        With ``n_train``, ``n_test``, ``n_timesteps`` and ``n_features``.

    Examples
    --------
    >>> from ica_sklearn.reproduce import QUICK_CONFIG
    >>> from ica_sklearn.reproduce._runs import box_data
    >>> X_train, X_test, y_train, y_test, mask_train, mask_test = box_data("earlier_box", 0, QUICK_CONFIG)
    >>> X_train.shape, mask_test.shape
    ((200, 30, 30), (60, 30, 30))
    """
    sizes = {key: config[key] for key in ("n_timesteps", "n_features")}
    return make_box_train_test(layout, config["n_train"], config["n_test"], random_state=seed, **sizes)


def mean_std_text(values, digits):
    """'mean' or 'mean ± std' (ddof 1) of per-seed values, NaN ignored; '-' when all are NaN.

    Examples
    --------
    >>> from ica_sklearn.reproduce._runs import mean_std_text
    >>> mean_std_text([0.5, 0.7], 2), mean_std_text([1.0], 1), mean_std_text([float("nan")], 3)
    ('0.60 ± 0.14', '1.0', '-')
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return "-"
    text = f"{values.mean():.{digits}f}"
    if values.size > 1:
        text += f" ± {values.std(ddof=1):.{digits}f}"
    return text
