"""Matplotlib figures of saliency maps, in the style of Ismail et al. (2019).

Two figures: the mean saliency map per model and class (time on the x axis,
features on the y axis, the true box outlined), and the mean saliency per
time step for each model, which shows where a model's saliency vanishes.
Maps are min-max scaled per sample before averaging (as the box metrics
scale them), so models with very different gradient sizes are comparable.
"""

import numpy as np

from ..metrics._inputs import scale_saliency

__all__ = [
    "normalize_maps",
    "mean_saliency_maps",
    "saliency_over_time",
    "plot_saliency_maps",
    "plot_saliency_over_time",
]


def normalize_maps(saliency):
    """Absolute saliency, min-max scaled to [0, 1] per sample (NaN ignored).

    Parameters
    ----------
    saliency : array-like of shape (n_samples, n_timesteps, n_features)

    Returns
    -------
    scaled : ndarray of shape (n_samples, n_timesteps, n_features)
        A constant map becomes all zeros; NaN padding stays NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.plotting import normalize_maps
    >>> normalize_maps(np.array([[[1.0, -3.0], [2.0, 5.0]]]))
    array([[[0.  , 0.5 ],
            [0.25, 1.  ]]])
    """
    shape = np.shape(saliency)
    scaled = scale_saliency(saliency)  # the box metrics' scaling, flattened
    return np.where(scaled.valid, scaled.values, np.nan).reshape(shape)


def mean_saliency_maps(saliency, y):
    """Mean scaled saliency map of each class.

    Parameters
    ----------
    saliency : array-like of shape (n_samples, n_timesteps, n_features)
    y : array-like of shape (n_samples,)
        Class of each sample.

    Returns
    -------
    maps : dict
        ``class label -> ndarray (n_timesteps, n_features)``, labels sorted.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.plotting import mean_saliency_maps
    >>> maps = mean_saliency_maps(np.ones((4, 3, 2)), [0, 1, 1, 0])
    >>> sorted(maps), maps[1].shape
    ([0, 1], (3, 2))
    """
    scaled = normalize_maps(saliency)
    y = np.asarray(y)
    return {label.item(): np.nanmean(scaled[y == label], axis=0) for label in np.unique(y)}


def saliency_over_time(saliency):
    """Mean scaled saliency per time step (over samples and features).

    Parameters
    ----------
    saliency : array-like of shape (n_samples, n_timesteps, n_features)

    Returns
    -------
    curve : ndarray of shape (n_timesteps,)

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.plotting import saliency_over_time
    >>> saliency_over_time(np.array([[[0.0, 0.0], [1.0, 3.0]]]))
    array([0.        , 0.66666667])
    """
    return np.nanmean(normalize_maps(saliency), axis=(0, 2))


def _box_edges(mask):
    """Line segments along the cell edges between box and non-box cells.

    ``mask`` is (time, feature); segments are in plot coordinates with time
    on x and features on y, cells centred on integers.
    """
    padded = np.pad(np.asarray(mask) > 0, 1)
    segments = []
    for t, f in zip(*np.nonzero(padded[1:, 1:-1] != padded[:-1, 1:-1])):
        segments.append([(t - 0.5, f - 0.5), (t - 0.5, f + 0.5)])
    for t, f in zip(*np.nonzero(padded[1:-1, 1:] != padded[1:-1, :-1])):
        segments.append([(t - 0.5, f - 0.5), (t + 0.5, f - 0.5)])
    return segments


def _outline_box(ax, mask):
    """Outline, in red, the cells where ``mask`` (time x feature) is set."""
    if mask is None or not np.any(mask):
        return
    from matplotlib.collections import LineCollection

    ax.add_collection(LineCollection(_box_edges(mask), colors="red", linewidths=1.5, label="true box"))


def _draw_map(ax, image, mask, title, limits):
    shown = ax.imshow(
        np.asarray(image).T, origin="lower", aspect="auto", cmap="viridis",
        interpolation="nearest", vmin=limits[0], vmax=limits[1],
    )
    _outline_box(ax, mask)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("time step")
    ax.set_ylabel("feature")
    return shown


SCALING_NOTE = "each sample's |saliency| min-max scaled to [0, 1], then averaged"


def plot_saliency_maps(maps, mask=None, *, title=None):
    """Heatmaps of mean saliency, one row per model and one column per class.

    All panels share one colour scale (from 0 to the largest value shown) and
    one colour bar, so that panels can be compared; the figure says how the
    maps were scaled.

    Parameters
    ----------
    maps : dict
        ``model name -> {class label -> (n_timesteps, n_features) array}``,
        e.g. :func:`mean_saliency_maps` per model.
    mask : array-like of shape (n_timesteps, n_features) or None
        The true box(es), outlined in red.  For per-sample boxes pass the
        mean mask: every cell that is in some sample's box is outlined.
    title : str or None
        Figure title.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.plotting import plot_saliency_maps
    >>> mask = np.zeros((10, 8), bool); mask[:3, 2:6] = True
    >>> maps = {"ica_lstm": {0: np.random.rand(10, 8), 1: np.random.rand(10, 8)}}
    >>> fig = plot_saliency_maps(maps, mask, title="earlier box")
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_title()
    ('time step', 'ica_lstm, class 0')
    """
    import matplotlib.pyplot as plt

    models = list(maps)
    classes = sorted({label for per_class in maps.values() for label in per_class}, key=str)
    shown = [image for per_class in maps.values() for image in per_class.values()]
    top = max((float(np.nanmax(image)) for image in shown), default=1.0)
    limits = (0.0, top if top > 0 else 1.0)
    fig, axes = plt.subplots(
        len(models), len(classes), figsize=(4.2 * len(classes) + 1.0, 3.2 * len(models) + 0.6),
        squeeze=False, layout="constrained",
    )
    image_artist = None
    for row, model in enumerate(models):
        for col, label in enumerate(classes):
            image = maps[model].get(label)
            if image is None:
                axes[row, col].set_axis_off()
                continue
            image_artist = _draw_map(axes[row, col], image, mask, f"{model}, class {label}", limits)
    if image_artist is not None:
        fig.colorbar(image_artist, ax=axes, label="mean saliency (shared scale)", shrink=0.9)
    fig.suptitle(f"{title}\n({SCALING_NOTE})" if title else SCALING_NOTE, fontsize=10)
    return fig


def plot_saliency_over_time(curves, mask=None, *, title=None):
    """Mean saliency per time step, one line per model.

    Parameters
    ----------
    curves : dict
        ``model name -> (n_timesteps,) array``, e.g. :func:`saliency_over_time`.
    mask : array-like of shape (n_timesteps, n_features) or None
        The true box(es); the time steps they cover are shaded.
    title : str or None
        Axes title.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.plotting import plot_saliency_over_time
    >>> fig = plot_saliency_over_time({"lstm": np.linspace(0, 1, 10)}, title="earlier box")
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_title()
    ('time step', 'earlier box')
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    if mask is not None:
        steps = np.flatnonzero(np.asarray(mask).any(axis=1))
        for step in steps:
            ax.axvspan(step - 0.5, step + 0.5, color="red", alpha=0.08, linewidth=0)
        if steps.size:
            ax.plot([], [], color="red", alpha=0.3, linewidth=6, label="true box (time)")
    for model, curve in curves.items():
        ax.plot(np.arange(len(curve)), curve, label=model)
    ax.set_xlabel("time step")
    ax.set_ylabel("mean scaled saliency")
    ax.set_ylim(bottom=0)
    ax.set_title(title or "Mean saliency per time step")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
