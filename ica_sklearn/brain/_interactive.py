"""Interactive (HTML) brain views of region saliency, in nilearn's ``view_*`` style."""

import numpy as np

from ._colours import colour_scale
from ._deps import require
from ._images import saliency_to_img
from ._plot_utils import _region_values, _with_defaults

__all__ = ["view_saliency_img", "view_saliency_markers"]


def view_saliency_img(region_saliency, atlas, *, region_ids=None, signed="auto",
                      top_fraction=0.1, threshold=None, vmin=None, vmax=None, cmap=None,
                      title=None, **kwargs):
    """Interactive slices of region saliency (nilearn's ``view_img``).

    Parameters
    ----------
    region_saliency : array-like of shape (n_regions,)
        One value per region.
    atlas : Atlas
        Regions of the values (volume kinds).
    region_ids : array-like of int, optional
        Region id of each value; default the atlas order.
    signed : bool or "auto", default="auto"
        Signed values get a symmetric diverging colour map.
    top_fraction : float or None, default=0.1
        When ``threshold`` is None, show only the top fraction of ``|values|``.
    threshold, vmin, vmax, cmap, title
        As in :func:`plot_saliency_stat_map`.
    **kwargs
        Passed to :func:`nilearn.plotting.view_img` (``bg_img``,
        ``cut_coords``, ``width_view``, ``opacity``, ...).

    Returns
    -------
    view : nilearn.plotting.html_stat_map.StatMapView
        Shows itself in a notebook; ``save_as_html(path)`` or
        ``open_in_browser()`` elsewhere.

    Examples
    --------
    >>> from ica_sklearn.brain import atlas_from_coords, view_saliency_img
    >>> atlas = atlas_from_coords([[-40, -20, 50], [40, -20, 50]], radius=8)
    >>> view = view_saliency_img([-1.0, 2.0], atlas)
    >>> "<html" in view.get_standalone()
    True
    """
    plotting = require("nilearn.plotting")
    values = _region_values(region_saliency, atlas, region_ids, ndim=1)
    scale = colour_scale(values, signed=signed, top_fraction=top_fraction, threshold=threshold,
                         vmin=vmin, vmax=vmax, cmap=cmap)
    if atlas.kind == "surface":
        raise ValueError("view_saliency_img shows volumes; use view_saliency_markers or "
                         "nilearn.plotting.view_surf with saliency_to_img for a surface atlas.")
    options = _with_defaults(
        kwargs, threshold=scale.threshold, cmap=scale.cmap, symmetric_cmap=scale.signed,
        vmax=max(abs(scale.vmin), abs(scale.vmax)), title=title,
        resampling_interpolation="nearest", draw_cross=False, black_bg=False,
    )
    if not scale.signed and "vmin" not in kwargs:
        options["vmin"] = scale.vmin
    return plotting.view_img(saliency_to_img(values, atlas), **options)


def view_saliency_markers(region_saliency, atlas, *, region_ids=None, signed="auto",
                          top_fraction=None, threshold=None, vmin=None, vmax=None, cmap=None,
                          max_marker_size=12.0, title=None, **kwargs):
    """Interactive 3D markers at region centres (nilearn's ``view_markers``).

    Marker colour follows the colour map (diverging for signed values) and
    size grows with ``|value|``; hovering shows the region name and value.

    Parameters
    ----------
    region_saliency : array-like of shape (n_regions,)
        One value per region.
    atlas : Atlas
        Regions (``atlas.coords`` places the markers); any kind.
    max_marker_size : float, default=12.0
        Size of the largest ``|value|``.
    region_ids, signed, top_fraction, threshold, vmin, vmax, cmap, title
        As in :func:`plot_saliency_markers`.
    **kwargs
        Passed to :func:`nilearn.plotting.view_markers` (``title_fontsize``).

    Returns
    -------
    view : nilearn.plotting.html_connectome.ConnectomeView

    Examples
    --------
    >>> from ica_sklearn.brain import atlas_from_coords, view_saliency_markers
    >>> atlas = atlas_from_coords([[-40, -20, 50], [40, -20, 50]], radius=8,
    ...                           names=["left M1", "right M1"])
    >>> view = view_saliency_markers([-1.0, 2.0], atlas)
    >>> "right M1: 2" in view.get_standalone()
    True
    """
    import matplotlib as mpl

    plotting = require("nilearn.plotting")
    values = np.nan_to_num(_region_values(region_saliency, atlas, region_ids, ndim=1))
    explicit = threshold is not None or top_fraction is not None
    scale = colour_scale(values, signed=signed, top_fraction=top_fraction, threshold=threshold,
                         vmin=vmin, vmax=vmax, cmap=cmap)
    shown = np.abs(values) > scale.threshold if explicit else np.ones(values.size, dtype=bool)
    colormap = mpl.colormaps[scale.cmap] if isinstance(scale.cmap, str) else scale.cmap
    norm = mpl.colors.Normalize(scale.vmin, scale.vmax, clip=True)
    colours = [mpl.colors.to_hex(colormap(norm(v))) for v in values[shown]]
    largest = max(abs(scale.vmin), abs(scale.vmax))
    sizes = 2.0 + (max_marker_size - 2.0) * np.clip(np.abs(values[shown]) / largest, 0, 1)
    labels = [f"{name}: {value:.3g}" for name, value in zip(atlas.names[shown], values[shown])]
    options = _with_defaults(kwargs, marker_color=colours, marker_size=sizes.tolist(),
                             marker_labels=labels, title=title)
    return plotting.view_markers(atlas.coords[shown], **options)
