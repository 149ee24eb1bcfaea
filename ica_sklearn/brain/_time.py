"""Time in saliency maps: windows in scans or seconds, their labels, event-locked epochs."""

import warnings

import numpy as np
import pandas as pd

__all__ = ["aggregate_time_windows", "event_locked_saliency", "window_labels"]

AGGREGATIONS = {"mean": np.nanmean, "sum": np.nansum, "max": np.nanmax}


def _window_bounds(n_timesteps, n_windows, window_seconds, tr):
    if window_seconds is not None:
        if tr is None:
            raise ValueError("window_seconds needs tr (the repetition time in seconds).")
        scans = max(1, int(round(window_seconds / tr)))
        edges = np.arange(0, n_timesteps + scans, scans)
        edges = np.minimum(edges, n_timesteps)
        edges = np.unique(edges)
        return np.column_stack([edges[:-1], edges[1:]])
    if not 1 <= n_windows <= n_timesteps:
        raise ValueError(f"n_windows must be in [1, {n_timesteps}], got {n_windows}.")
    edges = np.linspace(0, n_timesteps, n_windows + 1).round().astype(int)
    return np.column_stack([edges[:-1], edges[1:]])


def aggregate_time_windows(
    saliency, n_windows=4, *, how="mean", return_bounds=False, tr=None, window_seconds=None
):
    """Aggregate saliency over consecutive time windows.

    Parameters
    ----------
    saliency : array-like of shape (..., n_timesteps, n_regions)
        E.g. one map (T, R) or a batch (n, T, R); NaN (padding) is ignored.
    n_windows : int, default=4
        Number of windows; the time axis is split into near-equal parts.
        Ignored when ``window_seconds`` is given.
    how : {"mean", "sum", "max"}, default="mean"
        Aggregation within a window.
    return_bounds : bool, default=False
        Also return the ``(start, stop)`` of each window: in scans, or in
        seconds when ``tr`` is given.
    tr : float, optional
        Repetition time (s). Bounds are then returned in seconds.
    window_seconds : float, optional
        Window length in seconds (needs ``tr``); the last window may be
        shorter.

    Returns
    -------
    windows : ndarray of shape (..., n_windows, n_regions)
    bounds : ndarray of shape (n_windows, 2)
        Only if ``return_bounds``; stop is exclusive. Pass them to
        :func:`window_labels` for titles.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.brain import aggregate_time_windows
    >>> saliency = np.arange(8.0).reshape(4, 2)
    >>> aggregate_time_windows(saliency, 2, how="max")
    array([[2., 3.],
           [6., 7.]])
    >>> aggregate_time_windows(saliency, 2, return_bounds=True)[1].tolist()
    [[0, 2], [2, 4]]
    >>> aggregate_time_windows(saliency, tr=2.0, window_seconds=4.0,
    ...                        return_bounds=True)[1].tolist()
    [[0.0, 4.0], [4.0, 8.0]]
    """
    saliency = np.asarray(saliency, dtype=float)
    if saliency.ndim < 2:
        raise ValueError("saliency must have shape (..., n_timesteps, n_regions).")
    if how not in AGGREGATIONS:
        raise ValueError(f"how must be one of {sorted(AGGREGATIONS)}, got {how!r}.")
    bounds = _window_bounds(saliency.shape[-2], n_windows, window_seconds, tr)
    aggregate = AGGREGATIONS[how]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # all-NaN windows
        windows = np.stack(
            [aggregate(saliency[..., start:stop, :], axis=-2) for start, stop in bounds],
            axis=-2,
        )
    if not return_bounds:
        return windows
    return windows, (bounds * float(tr) if tr is not None else bounds)


def window_labels(bounds, tr=None, *, unit=None):
    """Readable labels of time windows: ``"0-40 s"`` (or ``"scans 0-20"``).

    Parameters
    ----------
    bounds : array-like of shape (n_windows, 2)
        Window starts and (exclusive) stops, as :func:`aggregate_time_windows`
        returns them.
    tr : float, optional
        If given, ``bounds`` are in scans and are converted to seconds.
    unit : {"s", "scans"}, optional
        Unit of ``bounds`` when ``tr`` is None; default scans for integer
        bounds and seconds for floating-point ones (as
        :func:`aggregate_time_windows` returns them without and with ``tr``).

    Returns
    -------
    labels : list of str

    Examples
    --------
    >>> from ica_sklearn.brain import window_labels
    >>> window_labels([[0, 20], [20, 40]], tr=2.0)
    ['0-40 s', '40-80 s']
    >>> window_labels([[0, 20], [20, 40]])
    ['scans 0-20', 'scans 20-40']
    """
    bounds = np.asarray(bounds)
    if unit is None:
        unit = "scans" if np.issubdtype(bounds.dtype, np.integer) else "s"
    bounds = bounds.astype(float)
    if tr is not None:
        bounds = bounds * float(tr)
        unit = "s"
    if unit == "s":
        return [f"{_number(a)}-{_number(b)} s" for a, b in bounds]
    return [f"scans {int(a)}-{int(b)}" for a, b in bounds]


def _number(value):
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def event_locked_saliency(saliency, events, *, tr, window=(-4.0, 20.0), sample_index=None):
    """Saliency epochs aligned to task onsets, from an events table.

    For every event, the saliency of its run from ``onset + window[0]`` to
    ``onset + window[1]`` seconds (scans outside the run are NaN), so that
    what the model looked at can be read relative to each trial, as an event
    related average. Keep the haemodynamic lag in mind: a region's response
    peaks 4-6 s after the onset.

    Parameters
    ----------
    saliency : array-like of shape (n_runs, n_timesteps, n_regions)
        One map per run (sample).
    events : pandas.DataFrame
        BIDS-style events: ``onset`` (s) and optionally ``trial_type``; a
        ``sample`` column (or ``sample_index``) says which run each event
        belongs to. With one run, every event is of run 0.
    tr : float
        Repetition time in seconds.
    window : (float, float), default=(-4.0, 20.0)
        Epoch start and stop around each onset, in seconds.
    sample_index : array-like of int, optional
        Run of each event, if ``events`` has no ``sample`` column.

    Returns
    -------
    epochs : ndarray of shape (n_events, n_lags, n_regions)
        Saliency around each event (NaN outside the run).
    lags : ndarray of shape (n_lags,)
        Time of each epoch row relative to the onset, in seconds.
    trial_types : ndarray of shape (n_events,)
        ``events["trial_type"]`` (or ``"event"``); average epochs of one type
        with ``np.nanmean(epochs[trial_types == t], axis=0)``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from ica_sklearn.brain import event_locked_saliency
    >>> saliency = np.zeros((1, 50, 2)); saliency[0, 13, 1] = 1.0   # 26 s
    >>> events = pd.DataFrame({"onset": [20.0], "trial_type": ["motor"]})
    >>> epochs, lags, types = event_locked_saliency(saliency, events, tr=2.0, window=(0, 10))
    >>> lags.tolist(), float(lags[epochs[0, :, 1].argmax()])
    ([0.0, 2.0, 4.0, 6.0, 8.0], 6.0)
    """
    saliency = np.asarray(saliency, dtype=float)
    if saliency.ndim != 3:
        raise ValueError("saliency must be (n_runs, n_timesteps, n_regions).")
    if not isinstance(events, pd.DataFrame) or "onset" not in events:
        raise ValueError("events must be a DataFrame with an 'onset' column (seconds).")
    if sample_index is None:
        sample_index = events["sample"] if "sample" in events else np.zeros(len(events), int)
    sample_index = np.asarray(sample_index, dtype=int)
    if sample_index.max(initial=0) >= saliency.shape[0]:
        raise ValueError("an event refers to a run beyond the saliency maps given.")
    start_lag = int(np.floor(window[0] / tr))
    stop_lag = int(np.ceil(window[1] / tr))
    lags = np.arange(start_lag, stop_lag)
    epochs = np.full((len(events), lags.size, saliency.shape[2]), np.nan)
    n_timesteps = saliency.shape[1]
    for event, (onset, run) in enumerate(zip(events["onset"].to_numpy(float), sample_index)):
        scans = int(round(onset / tr)) + lags
        inside = (scans >= 0) & (scans < n_timesteps)
        epochs[event, inside] = saliency[run, scans[inside]]
    trial_types = (events["trial_type"].to_numpy() if "trial_type" in events
                   else np.full(len(events), "event"))
    return epochs, lags * float(tr), trial_types
