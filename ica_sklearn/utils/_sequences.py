"""Input conversion for sequence data: one place that turns the layouts users
have into a padded ``(n_samples, n_timesteps, n_features)`` array.

Accepted layouts
----------------
* 3D array-like ``(n_samples, n_timesteps, n_features)``;
* 2D array-like ``(n_samples, n_timesteps)``: univariate series;
* a list of ``(n_timesteps_i, n_features)`` (or 1D ``(n_timesteps_i,)``)
  arrays of unequal lengths (also as a 1D object array or a pandas Series
  of arrays).

Unequal lengths inside an array are written as NaN end padding: every feature
of the trailing steps is NaN.  NaN anywhere else, and infinities, are errors.

Channels-first data (aeon's and sktime's numpy layout: 3D ``(n_cases,
n_channels, n_timepoints)``, or a list of ``(n_channels, n_timepoints_i)``
arrays) is turned into this layout by :func:`to_time_major`, and results back
by :func:`from_time_major`, for estimators with
``input_layout="samples_channels_time"``.
"""

import numpy as np
from sklearn.utils.validation import check_array, validate_data

#: The ``input_layout`` values: which axes of a 3D X (or of each sequence of a
#: list) hold the time steps and the features.
TIME_MAJOR = "samples_time_features"
CHANNELS_FIRST = "samples_channels_time"
INPUT_LAYOUTS = (TIME_MAJOR, CHANNELS_FIRST)

__all__ = [
    "CHANNELS_FIRST",
    "INPUT_LAYOUTS",
    "TIME_MAJOR",
    "from_time_major",
    "is_ragged_sequence_list",
    "to_padded_array",
    "to_time_major",
    "split_padding",
    "unpad",
    "validate_sequences",
]


def is_ragged_sequence_list(X):
    """Whether ``X`` is a list/tuple of per-sample sequences of unequal shape
    or of 2D ``(n_timesteps_i, n_features)`` arrays."""
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    shapes = [np.shape(sample) for sample in X]
    if any(len(shape) == 2 for shape in shapes):
        return True
    return len(set(shapes)) > 1


def _refuse_dates(X, input_name):
    """Dates and durations convert to numbers silently; refuse them."""
    dtypes = getattr(X, "dtypes", None)  # a DataFrame
    kinds = {np.dtype(d).kind for d in dtypes if isinstance(d, np.dtype)} if dtypes is not None else set()
    if isinstance(getattr(X, "dtype", None), np.dtype):
        kinds.add(X.dtype.kind)
    if kinds & {"m", "M"}:
        raise ValueError(
            f"{input_name} holds dates or durations (datetime64/timedelta64). Convert "
            "them to numbers first (e.g. seconds since a reference time), or drop them."
        )


def _check_numeric(array, **kwargs):
    """``check_array`` that explains non-numeric (string/object) values."""
    _refuse_dates(array, kwargs.get("input_name", "X"))
    try:
        return check_array(array, **kwargs)
    except ValueError as error:
        if "contains infinity" in str(error):
            raise ValueError(
                f"{error} Remove or clip infinite (or out-of-range) values first, "
                "e.g. with np.clip or np.nan_to_num."
            ) from None
        if "could not convert" not in str(error):
            raise
        raise ValueError(
            f"X must hold numbers, but it has non-numeric values ({error}). "
            "Encode categorical features as numbers first (e.g. "
            "sklearn.preprocessing.OrdinalEncoder), or drop those features."
        ) from None


def _pad_ragged(X, dtype, layout_hint):
    """Stack a list of (T_i, F) or (T_i,) arrays into a NaN-padded 3D array.

    ``layout_hint``: when the feature counts differ but the row counts do
    not, say how to pass channels-first sequences.
    """
    samples = []
    for index, sample in enumerate(X):
        if np.shape(sample)[:1] == (0,):
            raise ValueError(
                f"X[{index}] is an empty sequence (shape {np.shape(sample)}): every "
                "sequence needs at least one time step. Drop it before fitting."
            )
        sample = _check_numeric(
            np.asarray(sample) if np.ndim(sample) == 2 else np.reshape(sample, (-1, 1)),
            dtype=dtype,
            ensure_all_finite="allow-nan",
            input_name=f"X[{index}]",
            ensure_min_samples=1,
        )
        samples.append(sample)
    n_features = {sample.shape[1] for sample in samples}
    if len(n_features) > 1:
        counts = [sample.shape[1] for sample in samples]
        rows = {sample.shape[0] for sample in samples}
        hint = (
            f" Every sequence has {rows.pop()} rows: if they are (n_channels, "
            "n_timesteps_i) arrays, the layout of aeon and sktime, pass "
            f"input_layout={CHANNELS_FIRST!r} to RNNClassifier, or transpose each "
            "sequence (x.T) to (n_timesteps_i, n_features)."
            if layout_hint and len(rows) == 1 else ""
        )
        raise ValueError(
            "All sequences must have the same number of features; got feature "
            f"counts {sorted(n_features)} (first samples: {counts[:5]}). Select "
            "the same features (columns) in every sequence." + hint
        )
    n_steps = max(sample.shape[0] for sample in samples)
    padded = np.full((len(samples), n_steps, n_features.pop()), np.nan, dtype=dtype)
    for index, sample in enumerate(samples):
        padded[index, : sample.shape[0]] = sample
    return padded


def to_padded_array(X, *, dtype=np.float32, layout_hint=True):
    """Convert any accepted layout to a NaN-padded 3D array.

    Parameters
    ----------
    X : array-like or list of array-like
        See the module docstring for the layouts.
    dtype : numpy dtype, default=np.float32
    layout_hint : bool, default=True
        When a list's sequences differ in their number of columns but not
        of rows, add to the error how to pass channels-first sequences
        (False when X has been read as channels-first already).

    Returns
    -------
    padded : ndarray of shape (n_samples, n_timesteps, n_features)
        NaN where a sequence has ended.
    input_ndim : int
        2 for a 2D array of univariate series, 3 otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.utils._sequences import to_padded_array
    >>> padded, ndim = to_padded_array([np.ones((3, 2)), np.ones((1, 2))])
    >>> padded.shape, ndim
    ((2, 3, 2), 3)
    >>> padded[1, :, 0]
    array([ 1., nan, nan], dtype=float32)
    """
    if getattr(X, "ndim", None) == 1 and getattr(X, "dtype", None) == object:
        X = list(X)  # a 1D object array or pandas Series holding one sequence each
    if is_ragged_sequence_list(X):
        return _pad_ragged(X, dtype, layout_hint), 3
    array = _check_numeric(
        X,
        dtype=dtype,
        allow_nd=True,
        ensure_all_finite="allow-nan",
        input_name="X",
    )
    if array.ndim == 2:
        return array[:, :, None], 2
    if array.ndim != 3:
        raise ValueError(
            f"X must be 2D (n_samples, n_timesteps) or 3D (n_samples, n_timesteps, "
            f"n_features); got an array with {array.ndim} dimensions and shape "
            f"{array.shape}. Reshape it, e.g. to one row per sample."
        )
    if array.shape[1] == 0 or array.shape[2] == 0:
        raise ValueError(
            f"X has shape {array.shape}: every sample needs at least one time "
            "step and one feature."
        )
    return array, 3


def to_time_major(X, input_layout):
    """``X`` with its sequences as (time steps, features), whatever ``input_layout``.

    With ``input_layout="samples_channels_time"`` a 3D array-like
    ``(n_samples, n_channels, n_timesteps)`` is transposed to ``(n_samples,
    n_timesteps, n_channels)``, and each 2D sequence of a list to
    ``(n_timesteps_i, n_channels)``.  2D input (univariate series) and 1D
    sequences read the same in both layouts and are returned unchanged, as is
    everything with the default layout.  Nothing is validated here.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.utils._sequences import to_time_major
    >>> to_time_major(np.zeros((4, 3, 10)), "samples_channels_time").shape
    (4, 10, 3)
    >>> [x.shape for x in to_time_major([np.zeros((3, 7)), np.zeros((3, 5))],
    ...                                 "samples_channels_time")]
    [(7, 3), (5, 3)]
    """
    if input_layout == TIME_MAJOR:
        return X
    if getattr(X, "ndim", None) == 1 and getattr(X, "dtype", None) == object:
        X = list(X)  # a 1D object array or pandas Series holding one sequence each
    if isinstance(X, (list, tuple)):
        if not any(np.ndim(sample) == 2 for sample in X):
            return X
        return [np.swapaxes(np.asarray(s), 0, 1) if np.ndim(s) == 2 else s for s in X]
    try:
        ndim = np.ndim(X)
    except ValueError:  # ragged: left to the validation's messages
        return X
    return np.swapaxes(np.asarray(X), 1, 2) if ndim == 3 else X


def from_time_major(array, input_layout):
    """A ``(n_samples, n_timesteps, n_features)`` result in ``input_layout``.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.utils._sequences import from_time_major
    >>> from_time_major(np.zeros((4, 10, 3)), "samples_channels_time").shape
    (4, 3, 10)
    """
    return np.swapaxes(array, 1, 2) if input_layout == CHANNELS_FIRST else array


def split_padding(padded):
    """Sequence lengths of a NaN-padded array, and the array with padding zeroed.

    Parameters
    ----------
    padded : ndarray of shape (n_samples, n_timesteps, n_features)

    Returns
    -------
    values : ndarray of the same shape
        A copy with the padded steps set to 0.
    lengths : ndarray of shape (n_samples,), dtype int64
        Number of valid steps per sample (at least 1).

    Raises
    ------
    ValueError
        When a value is infinite, a NaN is not part of end padding, or a
        sequence has no valid step.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.utils._sequences import split_padding
    >>> values, lengths = split_padding(np.array([[[1.0], [2.0], [np.nan]]]))
    >>> lengths
    array([2])
    """
    if np.isfinite(padded).all():  # no padding and nothing to report: one pass
        return padded.copy(), np.full(len(padded), padded.shape[1], dtype=np.int64)
    if np.isinf(padded).any():
        sample, step, feature = np.argwhere(np.isinf(padded))[0]
        raise ValueError(
            f"X contains infinity (first at sample {sample}, time step {step}, "
            f"feature {feature}). Remove or clip infinite values before fitting."
        )
    missing = np.isnan(padded)
    step_is_padding = missing.all(axis=2)  # (n, T)
    lengths = padded.shape[1] - np.flip(step_is_padding, axis=1).cumprod(axis=1).sum(
        axis=1
    )
    inside = np.arange(padded.shape[1])[None, :] < lengths[:, None]
    interior_nan = missing & inside[:, :, None]
    if interior_nan.any():
        sample, step, feature = np.argwhere(interior_nan)[0]
        raise ValueError(
            f"X contains NaN inside a sequence (first at sample {sample}, time "
            f"step {step}, feature {feature}). NaN is only read as end padding: "
            "all features NaN at the trailing steps of a shorter sequence. "
            "Impute missing values first (e.g. forward fill or "
            "sklearn.impute.SimpleImputer)."
        )
    if (lengths == 0).any():
        sample = int(np.flatnonzero(lengths == 0)[0])
        raise ValueError(
            f"Sample {sample} of X has no valid time step (all values are NaN). "
            "Drop empty sequences before fitting."
        )
    values = np.where(inside[:, :, None], padded, 0).astype(padded.dtype, copy=False)
    return values, lengths.astype(np.int64)


def unpad(padded, lengths):
    """Set the steps past each sequence's length to NaN (in place) and return it.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.utils._sequences import unpad
    >>> unpad(np.zeros((1, 3, 1)), np.array([1]))[0, :, 0]
    array([ 0., nan, nan])
    """
    beyond = np.arange(padded.shape[1])[None, :] >= np.asarray(lengths)[:, None]
    padded[beyond] = np.nan
    return padded


def validate_sequences(estimator, X, *, reset, dtype=np.float32):
    """Convert ``X`` to a NaN-padded 3D array and keep the estimator's
    input bookkeeping, as scikit-learn's ``validate_data`` does for 2D data.

    On ``reset`` (fit) it records ``n_features_in_`` (features per step for 3D
    or ragged input; columns for 2D input, scikit-learn's convention),
    ``feature_names_in_`` (2D DataFrames), ``n_channels_`` (features per step
    the model sees) and ``n_timesteps_in_``.  Otherwise it checks ``X``
    against them.

    Returns
    -------
    padded : ndarray of shape (n_samples, n_timesteps, n_channels)
    input_ndim : int
        2 when X was a 2D array of univariate series, else 3.
    """
    layout_hint = getattr(estimator, "input_layout", TIME_MAJOR) == TIME_MAJOR
    padded, input_ndim = to_padded_array(X, dtype=dtype, layout_hint=layout_hint)
    if reset:
        estimator._fit_input_ndim = input_ndim
    if input_ndim == 2 and estimator._fit_input_ndim == 2:
        try:
            validate_data(estimator, X, reset=reset, ensure_all_finite="allow-nan", dtype=dtype)
        except ValueError as error:
            if reset or "is expecting" not in str(error):
                raise
            raise ValueError(
                f"{error} A model fitted on 2D input reads its columns as the time steps "
                "of univariate series; series of another length work in the 3D form "
                "X[:, :, np.newaxis], shape (n_samples, n_timesteps, 1)."
            ) from None
    elif reset:
        estimator.n_features_in_ = padded.shape[2]
        if hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
    if reset:
        estimator.n_channels_ = padded.shape[2]
        estimator.n_timesteps_in_ = padded.shape[1]
    elif padded.shape[2] != estimator.n_channels_:
        raise ValueError(
            f"X has {padded.shape[2]} features per time step, but "
            f"{type(estimator).__name__} was fitted with {estimator.n_channels_}. "
            "Pass the same features (in the same order) as during fit."
        )
    return padded, input_ndim
