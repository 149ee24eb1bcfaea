"""Background processes for the synthetic box datasets.

Every generator returns an array of shape ``(n_samples, n_timesteps,
n_features)`` whose cells have mean 0 and variance 1 (exactly in distribution
for "gaussian", "autoregressive", "harmonic" and "gaussian_process"; per
series for "narma", which is standardised over time). The class signal is
added on top by :func:`ica_sklearn.datasets.make_box_dataset`, so the
signal-to-noise ratio inside a box is the same whatever the background.

The generators are vectorised over samples and features; the two recursive
processes ("autoregressive" through ``scipy.signal.lfilter`` and "narma"
through a loop over time steps) never loop over samples.

Every parameter is checked (finite, in range, integer where a count is
meant), and a background that still comes out non-finite raises rather
than reaching the data.
"""

from numbers import Integral

import numpy as np

__all__ = ["BACKGROUND_PROCESSES", "generate_background"]


def _gaussian(rng, shape):
    """I.i.d. N(0, 1) cells: the background of Ismail et al. (2019)."""
    return rng.standard_normal(shape)


def _autoregressive(rng, shape, *, ar_coefficient=0.9):
    """AR(1) per (sample, feature), started in its stationary distribution.

    ``x_0 ~ N(0, 1)`` and ``x_t = phi * x_{t-1} + sqrt(1 - phi**2) * e_t``
    with ``e_t ~ N(0, 1)``, so every cell has variance 1 and neighbouring
    time steps have correlation ``phi``.
    """
    phi = _finite(ar_coefficient, "ar_coefficient")
    if not -1.0 < phi < 1.0:
        raise ValueError(
            f"ar_coefficient must lie strictly between -1 and 1 for a stationary "
            f"AR(1) process, got {ar_coefficient!r}."
        )
    from scipy.signal import lfilter  # (imports in ~0.5 s: only when needed)

    innovations = rng.standard_normal(shape)
    innovations[:, 1:] *= np.sqrt(1.0 - phi**2)
    return lfilter([1.0], [1.0, -phi], innovations, axis=1)


def _finite(value, name):
    """``value`` as a float; a ``ValueError`` names non-numbers, NaN and infinity."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}.") from None
    if not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    return number


def _count(value, name, minimum):
    """``value`` as an int >= ``minimum``; non-integers are refused, not truncated."""
    if isinstance(value, bool) or not (
        isinstance(value, Integral) or (isinstance(value, float) and value.is_integer())
    ):
        raise ValueError(f"{name} must be an integer, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}.")
    return int(value)


def _check_noise_fraction(noise_fraction):
    fraction = _finite(noise_fraction, "noise_fraction")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(
            f"noise_fraction is the share of variance that is white noise and "
            f"must lie in [0, 1], got {noise_fraction!r}."
        )
    return fraction


def _harmonic(rng, shape, *, frequency_range=(1.0, 5.0), noise_fraction=0.1):
    """Sinusoids with random frequency and phase per (sample, feature).

    ``x_t = sqrt(2 (1 - q)) sin(2 pi f t / T + phase) + sqrt(q) e_t`` with
    ``f`` (cycles per sequence) uniform in ``frequency_range``, ``phase``
    uniform in ``[0, 2 pi)`` and ``q = noise_fraction``; the random phase
    makes the variance of every cell exactly 1.
    """
    try:
        low, high = (_finite(value, "frequency_range") for value in frequency_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"frequency_range must be (low, high) with finite 0 < low <= high cycles "
            f"per sequence, got {frequency_range!r}."
        ) from None
    if not 0.0 < low <= high:
        raise ValueError(
            f"frequency_range must be (low, high) with 0 < low <= high cycles per "
            f"sequence, got {frequency_range!r}."
        )
    fraction = _check_noise_fraction(noise_fraction)
    n_samples, n_timesteps, n_features = shape
    frequency = rng.uniform(low, high, size=(n_samples, 1, n_features))
    phase = rng.uniform(0.0, 2.0 * np.pi, size=(n_samples, 1, n_features))
    time = np.arange(n_timesteps)[None, :, None] / n_timesteps
    wave = np.sin(2.0 * np.pi * frequency * time + phase)
    noise = rng.standard_normal(shape)
    return np.sqrt(2.0 * (1.0 - fraction)) * wave + np.sqrt(fraction) * noise


def _standardise_over_time(series):
    centred = series - series.mean(axis=1, keepdims=True)
    scale = centred.std(axis=1, keepdims=True)
    return centred / np.where(scale > 0, scale, 1.0)


def _narma(rng, shape, *, narma_order=10, burn_in=50):
    """NARMA-like nonlinear autoregression driven by uniform inputs.

    ``y_{t+1} = tanh(0.3 y_t + 0.05 y_t sum_{i<n} y_{t-i} + 1.5 u_{t-n+1} u_t
    + 0.1)`` with ``u_t ~ U(0, 0.5)`` and ``n = narma_order``: the classic
    NARMA-n recursion, wrapped in ``tanh`` so it can never diverge. The first
    ``burn_in`` steps are dropped and each series is standardised over time.
    """
    order = _count(narma_order, "narma_order", 1)
    burn_in = _count(burn_in, "burn_in", 0)
    n_samples, n_timesteps, n_features = shape
    n_steps = n_timesteps + burn_in + order
    drive = rng.uniform(0.0, 0.5, size=(n_samples, n_steps, n_features))
    output = np.zeros_like(drive)
    window_sum = np.zeros((n_samples, n_features))
    for t in range(n_steps - 1):
        window_sum += output[:, t]
        if t >= order:
            window_sum -= output[:, t - order]
        lagged_drive = drive[:, t - order + 1] if t >= order - 1 else 0.0
        output[:, t + 1] = np.tanh(
            0.3 * output[:, t]
            + 0.05 * output[:, t] * window_sum
            + 1.5 * lagged_drive * drive[:, t]
            + 0.1
        )
    return _standardise_over_time(output[:, n_steps - n_timesteps :])


def _gaussian_process(rng, shape, *, length_scale=5.0, noise_fraction=0.01):
    """Gaussian process over time with a squared-exponential kernel.

    Covariance ``(1 - q) exp(-(t - s)**2 / (2 l**2)) + q [t == s]`` with
    ``l = length_scale`` in time steps and ``q = noise_fraction`` (which also
    keeps the Cholesky factorisation stable), independent per (sample,
    feature). One matrix product draws all series.
    """
    scale = _finite(length_scale, "length_scale")
    if scale <= 0:
        raise ValueError(f"length_scale must be > 0 time steps, got {length_scale!r}.")
    fraction = _check_noise_fraction(noise_fraction)
    n_samples, n_timesteps, n_features = shape
    time = np.arange(n_timesteps, dtype=float)
    # (distance / scale first: scale**2 underflows to 0 for tiny scales)
    with np.errstate(over="ignore"):
        kernel = np.exp(-0.5 * ((time[:, None] - time[None, :]) / scale) ** 2)
    covariance = (1.0 - fraction) * kernel + (fraction + 1e-9) * np.eye(n_timesteps)
    cholesky = np.linalg.cholesky(covariance)
    white = rng.standard_normal(shape)
    by_time = white.transpose(1, 0, 2).reshape(n_timesteps, -1)
    coloured = (cholesky @ by_time).reshape(n_timesteps, n_samples, n_features)
    return coloured.transpose(1, 0, 2)


BACKGROUND_PROCESSES = {
    "gaussian": _gaussian,
    "autoregressive": _autoregressive,
    "harmonic": _harmonic,
    "narma": _narma,
    "gaussian_process": _gaussian_process,
}
"""Background process names mapped to their generators."""

_PROCESS_PARAMETERS = {
    "gaussian": (),
    "autoregressive": ("ar_coefficient",),
    "harmonic": ("frequency_range", "noise_fraction"),
    "narma": ("narma_order", "burn_in"),
    "gaussian_process": ("length_scale", "noise_fraction"),
}


def generate_background(name, shape, rng, **params):
    """Draw a unit-variance background of ``shape`` from process ``name``.

    Parameters
    ----------
    name : str
        One of :data:`BACKGROUND_PROCESSES`.
    shape : tuple of int
        ``(n_samples, n_timesteps, n_features)``.
    rng : numpy.random.RandomState
        Source of randomness.
    **params
        Process parameters (see the generators); unknown names raise.

    Returns
    -------
    background : ndarray of shape ``shape``, dtype float64
    """
    if name not in BACKGROUND_PROCESSES:
        raise ValueError(
            f"Unknown background {name!r}; choose one of {sorted(BACKGROUND_PROCESSES)}."
        )
    allowed = _PROCESS_PARAMETERS[name]
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(
            f"Background {name!r} does not take parameter(s) {unknown}; "
            f"it accepts {list(allowed) or 'no parameters'}."
        )
    background = np.asarray(BACKGROUND_PROCESSES[name](rng, tuple(shape), **params), dtype=float)
    if not np.isfinite(background).all():
        raise ValueError(
            f"Background {name!r} came out non-finite for parameters {params}; "
            "choose parameters of moderate size."
        )
    return background
