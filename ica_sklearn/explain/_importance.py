"""Reducing saliency maps to one axis: importance per time step or per feature."""

import numpy as np

__all__ = ["feature_importance", "time_importance"]


def _check_maps(saliency):
    saliency = np.asarray(saliency, dtype=float)
    if saliency.ndim != 3:
        raise ValueError(
            "saliency must have shape (n_samples, n_timesteps, n_features); got "
            f"shape {saliency.shape}. For one map use saliency[None]."
        )
    return saliency


def _reduce(saliency, axis, reduce):
    if reduce not in ("sum", "mean"):
        raise ValueError(f"reduce must be 'sum' or 'mean', got {reduce!r}.")
    observed = ~np.isnan(saliency)
    total = np.where(observed, saliency, 0.0).sum(axis=axis)
    count = observed.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        result = total / count if reduce == "mean" else total
    return np.where(count > 0, result, np.nan)


def time_importance(saliency, reduce="sum"):
    """Importance of each time step: saliency summed (or averaged) over features.

    Parameters
    ----------
    saliency : array-like of shape (n_samples, n_timesteps, n_features)
        Maps from :meth:`SaliencyExplainer.transform`; NaN (padding) ignored.
    reduce : {"sum", "mean"}, default="sum"

    Returns
    -------
    importance : ndarray of shape (n_samples, n_timesteps)
        NaN at padded steps.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.explain import time_importance
    >>> time_importance(np.array([[[1.0, 2.0], [np.nan, np.nan]]]))
    array([[ 3., nan]])
    """
    return _reduce(_check_maps(saliency), 2, reduce)


def feature_importance(saliency, reduce="sum"):
    """Importance of each feature: saliency summed (or averaged) over valid time steps.

    Parameters
    ----------
    saliency : array-like of shape (n_samples, n_timesteps, n_features)
        NaN (padding) is ignored.
    reduce : {"sum", "mean"}, default="sum"

    Returns
    -------
    importance : ndarray of shape (n_samples, n_features)

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.explain import feature_importance
    >>> feature_importance(np.array([[[1.0, 2.0], [3.0, 4.0], [np.nan, np.nan]]]), "mean")
    array([[2., 3.]])
    """
    return _reduce(_check_maps(saliency), 1, reduce)
