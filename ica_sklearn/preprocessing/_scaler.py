"""Standardising sequence data, as a Pipeline step before a classifier."""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted

from ..utils._sequences import validate_sequences

__all__ = ["TimeSeriesStandardScaler"]


class TimeSeriesStandardScaler(TransformerMixin, BaseEstimator):
    """Standardise every (time step, feature) position over the samples.

    The paper's scaling: the data are flattened to one column per
    (time, feature) cell and each column is scaled to zero mean and unit
    variance with statistics from the training set.  This transformer does
    the same on 3D input, so a Pipeline needs no reshaping.  NaN end padding
    is ignored in the statistics and kept in the output.

    Parameters
    ----------
    with_mean : bool, default=True
    with_std : bool, default=True

    Attributes
    ----------
    mean_ : ndarray of shape (n_timesteps, n_channels)
    scale_ : ndarray of shape (n_timesteps, n_channels)
        Standard deviations; 1 where a position is constant or unobserved.
    n_features_in_ : int
        As for :class:`~ica_sklearn.RNNClassifier`.
    n_timesteps_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn import TimeSeriesStandardScaler
    >>> X = np.arange(12, dtype=float).reshape(2, 3, 2)
    >>> TimeSeriesStandardScaler().fit_transform(X)[:, 0, 0]
    array([-1.,  1.])
    """

    _parameter_constraints = {"with_mean": ["boolean"], "with_std": ["boolean"]}

    def __init__(self, *, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the mean and standard deviation of every position.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list
            of (n_timesteps_i, n_features) arrays
        y : ignored

        Returns
        -------
        self
        """
        padded, _ = validate_sequences(self, X, reset=True, dtype=np.float64)
        observed = ~np.isnan(padded)
        counts = observed.sum(axis=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # unobserved positions
            mean = np.nanmean(padded, axis=0)
            std = np.nanstd(padded, axis=0)
        self.mean_ = np.where(counts > 0, mean, 0.0) if self.with_mean else np.zeros_like(mean)
        scale = np.where((counts > 0) & (std > 10 * np.finfo(float).eps), std, 1.0)
        self.scale_ = scale if self.with_std else np.ones_like(scale)
        return self

    def transform(self, X):
        """Scale X with the statistics of the training set.

        Returns
        -------
        X_scaled : ndarray of float64
            2D for 2D input, else 3D (ragged lists come back NaN-padded).
        """
        check_is_fitted(self)
        padded, input_ndim = validate_sequences(self, X, reset=False, dtype=np.float64)
        n_steps = padded.shape[1]
        if n_steps > self.n_timesteps_in_:
            raise ValueError(
                f"X has {n_steps} time steps but the scaler was fitted on at most "
                f"{self.n_timesteps_in_}; positions beyond have no statistics. Fit "
                "the scaler on sequences at least as long."
            )
        scaled = (padded - self.mean_[:n_steps]) / self.scale_[:n_steps]
        return scaled[:, :, 0] if input_ndim == 2 else scaled

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True
        return tags
