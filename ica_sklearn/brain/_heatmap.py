"""Time x region heatmap of saliency, regions grouped by network (matplotlib only)."""

import numpy as np

from ._colours import colour_scale
from ._plot_utils import _finish, _label_colourbar, _pyplot, _region_values

__all__ = ["plot_region_time_heatmap"]


def plot_region_time_heatmap(
    saliency,
    atlas,
    *,
    region_ids=None,
    mask=None,
    tr=None,
    group_by_network=True,
    signed="auto",
    vmin=None,
    vmax=None,
    cmap=None,
    colorbar_label="saliency",
    title=None,
    ax=None,
    output_file=None,
):
    """Time x region heatmap of saliency, regions grouped by network.

    Parameters
    ----------
    saliency : array-like of shape (n_timesteps, n_regions)
        A saliency map (e.g. the mean over test samples).
    atlas : Atlas
        Regions of the columns (names of networks for the labels).
    region_ids : array-like of int, optional
        Region id of each column; default the atlas order.
    mask : array-like of bool, shape (n_timesteps, n_regions), optional
        Ground truth (e.g. the mean of a simulation's masks > 0.5); outlined.
    tr : float, optional
        Repetition time; the time axis is then in seconds, else in scans.
    group_by_network : bool, default=True
        Sort regions by network, with separators and network names.
    signed : bool or "auto", default="auto"
        Signed maps get a diverging colour map on symmetric limits; "auto":
        signed when any value is negative.
    vmin, vmax : float, optional
        Colour limits (default symmetric for signed maps, from 0 otherwise).
    cmap : str or Colormap, optional
        Default :func:`saliency_cmap`.
    colorbar_label : str, default="saliency"
        Label of the colour bar.
    title : str, optional
        Axes title.
    ax : matplotlib.axes.Axes, optional
        Draw there; default a new figure.
    output_file : str or pathlib.Path, optional
        Save the figure there (then close it).

    Returns
    -------
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import numpy as np
    >>> from ica_sklearn.brain import atlas_from_coords, plot_region_time_heatmap
    >>> atlas = atlas_from_coords([[-40, -20, 50], [40, -20, 50]], radius=8,
    ...                           networks=["motor", "motor"])
    >>> figure = plot_region_time_heatmap(np.random.rand(20, 2), atlas, tr=2.0)
    >>> figure.axes[0].get_xlabel()
    'time (s)'
    """
    plt = _pyplot()
    values = _region_values(saliency, atlas, region_ids, ndim=2)
    order = atlas.network_order() if group_by_network else np.arange(atlas.n_regions)
    grid = values[:, order].T
    n_timesteps = grid.shape[1]
    scale = tr if tr else 1.0
    extent = (-0.5 * scale, (n_timesteps - 0.5) * scale, atlas.n_regions - 0.5, -0.5)
    colours = colour_scale(grid, signed=signed, top_fraction=None, vmin=vmin, vmax=vmax,
                           cmap=cmap)
    if ax is None:
        figure, ax = plt.subplots(figsize=(9, max(4.0, 0.02 * atlas.n_regions + 3)))
    else:
        figure = ax.figure
    image = ax.imshow(grid, aspect="auto", cmap=colours.cmap, vmin=colours.vmin, vmax=colours.vmax,
                      extent=extent, interpolation="nearest")
    if mask is not None:
        _outline_mask(ax, np.asarray(mask, dtype=bool), atlas, region_ids, order, scale)
    _label_networks(ax, atlas.networks[order], group_by_network)
    ax.set_xlabel("time (s)" if tr else "time (scans)")
    ax.set_title(title or f"saliency per region over time ({atlas.name} atlas)")
    colourbar = figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    _label_colourbar(colourbar, colorbar_label, colours)
    return _finish(figure, output_file)


def _outline_mask(ax, mask, atlas, region_ids, order, scale):
    mask_grid = _region_values(mask.astype(float), atlas, region_ids, ndim=2)[:, order].T
    times = np.arange(mask_grid.shape[1]) * scale
    rows = np.arange(mask_grid.shape[0])
    if mask_grid.any():
        ax.contour(times, rows, mask_grid, levels=[0.5], colors="cyan", linewidths=0.8)
        ax.plot([], [], color="cyan", label="true signal")
        ax.legend(loc="upper right", fontsize="small", framealpha=0.6)


def _label_networks(ax, networks_in_order, group_by_network):
    if not group_by_network:
        ax.set_ylabel("region")
        return
    boundaries = np.flatnonzero(networks_in_order[1:] != networks_in_order[:-1]) + 1
    starts = np.concatenate([[0], boundaries])
    stops = np.concatenate([boundaries, [len(networks_in_order)]])
    for boundary in boundaries:
        ax.axhline(boundary - 0.5, color="white", linewidth=0.8)
    ax.set_yticks((starts + stops - 1) / 2)
    ax.set_yticklabels(networks_in_order[starts], fontsize="small")
    ax.set_ylabel("region (grouped by network)")
