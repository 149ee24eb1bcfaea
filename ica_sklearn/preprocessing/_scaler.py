"""Standardising sequence data, as a Pipeline step before a classifier."""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ..utils._sequences import validate_sequences

__all__ = ["TimeSeriesStandardScaler"]

#: The ``mode`` values: statistics per (time step, feature) position, or per
#: feature over all valid time steps.
PER_POSITION = "per_position"
PER_CHANNEL = "per_channel"


class TimeSeriesStandardScaler(TransformerMixin, BaseEstimator):
    """Standardise sequences with statistics from the training set.

    Two modes:

    * ``mode="per_position"`` (default), the paper's scaling: the data are
      flattened to one column per (time step, feature) position and each
      column is scaled to zero mean and unit variance over the samples.  Every
      position has its own statistics, so series longer than the longest
      training series cannot be transformed.  Use it to reproduce the paper,
      or when all series are aligned in time and have the same length.
    * ``mode="per_channel"``: each feature (channel) is scaled by its mean and
      standard deviation over all samples and all valid time steps, as
      :class:`~sklearn.preprocessing.StandardScaler` on the time steps stacked
      as rows.  The statistics do not depend on the time step, so series of
      any length (longer test series included) are transformed alike.  Use it
      for real recordings of unequal lengths, or whenever the position of a
      time step carries no meaning for its scale.

    This transformer works on 3D input, so a Pipeline needs no reshaping.
    Ragged lists and NaN end padding are accepted; the padding is ignored in
    the statistics and kept in the output.

    Parameters
    ----------
    mode : {"per_position", "per_channel"}, default="per_position"
        Which values share a mean and a standard deviation: those of one
        (time step, feature) position, or those of one feature at every
        valid time step.
    with_mean : bool, default=True
        Subtract the mean; otherwise ``mean_`` is 0.
    with_std : bool, default=True
        Divide by the standard deviation; otherwise ``scale_`` is 1.

    Attributes
    ----------
    mean_ : ndarray of shape (n_timesteps, n_channels) or (n_channels,)
        The first shape for ``mode="per_position"``, the second for
        ``mode="per_channel"``.
    scale_ : ndarray of the same shape as ``mean_``
        Standard deviations; 1 where the values are constant or unobserved.
    n_features_in_ : int
        As for :class:`~ica_sklearn.RNNClassifier`.
    n_timesteps_in_ : int
        Time steps of the longest training series.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn import TimeSeriesStandardScaler
    >>> X = np.arange(12, dtype=float).reshape(2, 3, 2)
    >>> TimeSeriesStandardScaler().fit_transform(X)[:, 0, 0]
    array([-1.,  1.])

    Per channel, test series may be longer than the training ones:

    >>> scaler = TimeSeriesStandardScaler(mode="per_channel").fit([[0.0], [2.0, 4.0]])
    >>> scaler.mean_, scaler.scale_
    (array([2.]), array([1.63299316]))
    >>> scaler.transform([[2.0, 2.0, 2.0, 6.0]])
    array([[0.        , 0.        , 0.        , 2.44948974]])
    """

    _parameter_constraints = {
        "mode": [StrOptions({PER_POSITION, PER_CHANNEL})],
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
    }

    def __init__(self, *, mode=PER_POSITION, with_mean=True, with_std=True):
        self.mode = mode
        self.with_mean = with_mean
        self.with_std = with_std

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the means and standard deviations (see ``mode``).

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
        # Per channel, the samples' time steps are pooled as rows.
        axis = 0 if self.mode == PER_POSITION else (0, 1)
        counts = (~np.isnan(padded)).sum(axis=axis)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # unobserved positions
            mean = np.nanmean(padded, axis=axis)
            std = np.nanstd(padded, axis=axis)
        self.mean_ = np.where(counts > 0, mean, 0.0) if self.with_mean else np.zeros_like(mean)
        scale = np.where((counts > 0) & (std > 10 * np.finfo(float).eps), std, 1.0)
        self.scale_ = scale if self.with_std else np.ones_like(scale)
        return self

    def transform(self, X):
        """Scale X with the statistics of the training set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list
            of (n_timesteps_i, n_features) arrays
            With ``mode="per_position"`` at most ``n_timesteps_in_`` time
            steps; with ``mode="per_channel"`` any number.

        Returns
        -------
        X_scaled : ndarray of float64
            2D for 2D input, else 3D (ragged lists come back NaN-padded).
        """
        check_is_fitted(self)
        padded, input_ndim = validate_sequences(self, X, reset=False, dtype=np.float64)
        if self.mode == PER_CHANNEL:
            mean, scale = self.mean_, self.scale_
        else:
            n_steps = padded.shape[1]
            if n_steps > self.n_timesteps_in_:
                raise ValueError(
                    f"X has {n_steps} time steps but the scaler was fitted on at most "
                    f"{self.n_timesteps_in_}; with mode={PER_POSITION!r} positions "
                    "beyond have no statistics. Fit the scaler on sequences at least "
                    f"as long, or use TimeSeriesStandardScaler(mode={PER_CHANNEL!r}), "
                    "which scales each feature over all time steps and accepts series "
                    "of any length."
                )
            mean, scale = self.mean_[:n_steps], self.scale_[:n_steps]
        scaled = (padded - mean) / scale
        return scaled[:, :, 0] if input_ndim == 2 else scaled

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True
        return tags
