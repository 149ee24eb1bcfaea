"""Brain figures of region saliency (nilearn): glass brains, slices, markers, surface."""

import warnings

import numpy as np

from ._deps import require
from ._images import saliency_to_img
from ._plot_utils import (
    SALIENCY_CMAP,
    _add_colourbar,
    _colour_limits,
    _finish,
    _pyplot,
    _region_values,
    _threshold,
)

__all__ = [
    "plot_glass_brain_windows",
    "plot_saliency_markers",
    "plot_saliency_stat_map",
    "plot_saliency_surface",
]


def plot_glass_brain_windows(
    window_saliency,
    atlas,
    *,
    region_ids=None,
    window_labels=None,
    top_fraction=0.1,
    vmax=None,
    display_mode="lzr",
    cmap=SALIENCY_CMAP,
    title=None,
    output_file=None,
):
    """One glass brain per time window, on a shared colour scale.

    Parameters
    ----------
    window_saliency : array-like of shape (n_windows, n_regions)
        E.g. the output of :func:`aggregate_time_windows`.
    atlas : Atlas
        Regions of the columns.
    region_ids : array-like of int, optional
        Region id of each column; default the atlas order.
    window_labels : sequence of str, optional
        Row titles; default ``"window 1"``, ...
    top_fraction : float or None, default=0.1
        Show only the top fraction of region values over all windows (None:
        show every region with a value).
    vmax : float, optional
        Top of the colour scale; default the largest value.
    display_mode : str, default="lzr"
        nilearn glass brain views (e.g. ``"ortho"``, ``"lzry"``).
    cmap : str, default="hot"
        Colour map.
    title : str, optional
        Figure title.
    output_file : str or pathlib.Path, optional
        Save the figure there (then close it).

    Returns
    -------
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import numpy as np
    >>> from ica_sklearn.brain import atlas_from_coords, plot_glass_brain_windows
    >>> atlas = atlas_from_coords([[-40, -20, 50], [40, -20, 50], [0, -80, 10]], radius=8)
    >>> figure = plot_glass_brain_windows(np.eye(3), atlas, top_fraction=None)
    >>> len(figure.axes) > 3
    True
    """
    plotting = require("nilearn.plotting")
    plt = _pyplot()
    values = _region_values(window_saliency, atlas, region_ids, ndim=2)
    n_windows = values.shape[0]
    labels = window_labels or [f"window {w + 1}" for w in range(n_windows)]
    vmin, vmax = _colour_limits(values, 0.0, vmax)
    threshold = _threshold(values, top_fraction, vmax)
    images = saliency_to_img(values, atlas)
    image = require("nilearn.image")
    height = 2.6 * n_windows + 0.6
    figure, axes = plt.subplots(n_windows, 1, figsize=(9, height), squeeze=False)
    figure.subplots_adjust(left=0.02, right=0.9, bottom=0.02, top=1 - 0.5 / height, hspace=0.1)
    for window, ax in enumerate(axes[:, 0]):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*empty mask.*")  # window below threshold
            plotting.plot_glass_brain(
                image.index_img(images, window), figure=figure, axes=ax,
                display_mode=display_mode, colorbar=False, threshold=threshold, vmin=vmin,
                vmax=vmax, cmap=cmap, plot_abs=False, title=labels[window], annotate=False,
            )
    _add_colourbar(figure, cmap, vmin, vmax, "saliency")
    if title:
        figure.suptitle(title)
    return _finish(figure, output_file)


def plot_saliency_stat_map(
    region_saliency,
    atlas,
    *,
    region_ids=None,
    top_fraction=0.1,
    vmax=None,
    cut_coords=None,
    display_mode="ortho",
    bg_img=None,
    cmap=SALIENCY_CMAP,
    title=None,
    output_file=None,
):
    """Region saliency over an anatomical background (slices).

    Parameters
    ----------
    region_saliency : array-like of shape (n_regions,)
        One value per region (e.g. saliency summed over time).
    atlas : Atlas
        Regions of the values.
    region_ids : array-like of int, optional
        Region id of each value; default the atlas order.
    top_fraction : float or None, default=0.1
        Show only the top fraction of regions.
    vmax : float, optional
        Top of the colour scale.
    cut_coords : tuple of 3 floats, optional
        Slice position (mm); default the centre of the most salient region.
    display_mode : str, default="ortho"
        nilearn slicing mode.
    bg_img : nibabel image, optional
        Background; default nilearn's shipped MNI152 template (2 mm).
    cmap : str, default="hot"
        Colour map.
    title : str, optional
        Figure title.
    output_file : str or pathlib.Path, optional
        Save the figure there (then close it).

    Returns
    -------
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from ica_sklearn.brain import atlas_from_coords, plot_saliency_stat_map
    >>> atlas = atlas_from_coords([[-40, -20, 50], [40, -20, 50]], radius=8)
    >>> figure = plot_saliency_stat_map([0.2, 1.0], atlas, top_fraction=None)
    """
    plotting = require("nilearn.plotting")
    plt = _pyplot()
    values = _region_values(region_saliency, atlas, region_ids, ndim=1)
    vmin, vmax = _colour_limits(values, 0.0, vmax)
    if cut_coords is None and display_mode == "ortho":
        cut_coords = tuple(atlas.coords[int(np.nanargmax(values))])
    if bg_img is None:
        bg_img = require("nilearn.datasets").load_mni152_template()
    figure = plt.figure(figsize=(9, 3.4))
    plotting.plot_stat_map(
        saliency_to_img(values, atlas), bg_img=bg_img, cut_coords=cut_coords,
        display_mode=display_mode, figure=figure, threshold=_threshold(values, top_fraction, vmax),
        vmin=vmin, vmax=vmax, cmap=cmap, symmetric_cbar=False, colorbar=True, title=title,
        draw_cross=False, black_bg=False, resampling_interpolation="nearest",
    )
    return _finish(figure, output_file)


def plot_saliency_markers(
    region_saliency,
    atlas,
    *,
    region_ids=None,
    top_fraction=None,
    vmin=None,
    vmax=None,
    max_node_size=60.0,
    cmap="viridis",
    display_mode="ortho",
    title=None,
    output_file=None,
):
    """One marker per region at its coordinates, coloured and sized by value.

    Colour limits are always explicit (nilearn's ``plot_markers`` fails to
    build its colour bar when the values span a tiny range).

    Parameters
    ----------
    region_saliency : array-like of shape (n_regions,)
        One value per region.
    atlas : Atlas
        Regions (``atlas.coords`` places the markers).
    region_ids : array-like of int, optional
        Region id of each value; default the atlas order.
    top_fraction : float or None, default=None
        Draw only the top fraction of regions; None draws every region, small
        values as small markers.
    vmin, vmax : float, optional
        Colour limits; default 0 (or the minimum if negative) and the maximum.
    max_node_size : float, default=60.0
        Marker area of the largest value (points^2).
    cmap : str, default="viridis"
        Colour map.
    display_mode : str, default="ortho"
        nilearn view.
    title : str, optional
        Figure title.
    output_file : str or pathlib.Path, optional
        Save the figure there (then close it).

    Returns
    -------
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from ica_sklearn.brain import atlas_from_coords, plot_saliency_markers
    >>> atlas = atlas_from_coords([[-40, -20, 50], [40, -20, 50]], radius=8)
    >>> figure = plot_saliency_markers([1.0, 1.0 + 1e-9], atlas)  # narrow range is fine
    """
    plotting = require("nilearn.plotting")
    plt = _pyplot()
    values = np.nan_to_num(_region_values(region_saliency, atlas, region_ids, ndim=1))
    vmin, vmax = _colour_limits(values, vmin, vmax)
    shown = np.abs(values) > _threshold(values, top_fraction, vmax) if top_fraction else (
        np.ones(values.size, dtype=bool))
    relative = np.clip((values - vmin) / (vmax - vmin), 0, 1)
    sizes = 4.0 + (max_node_size - 4.0) * relative
    figure = plt.figure(figsize=(9, 3.4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        plotting.plot_markers(
            values[shown], atlas.coords[shown], node_size=sizes[shown], node_cmap=cmap,
            node_vmin=vmin, node_vmax=vmax, display_mode=display_mode, figure=figure,
            title=title, colorbar=True,
        )
    return _finish(figure, output_file)


def plot_saliency_surface(
    region_saliency,
    atlas,
    *,
    region_ids=None,
    top_fraction=0.1,
    vmax=None,
    radius=6.0,
    cmap=SALIENCY_CMAP,
    title=None,
    output_file=None,
):
    """Region saliency on the fsaverage5 cortical surface (both hemispheres).

    Each vertex of nilearn's shipped fsaverage5 pial surface takes the value
    of the region of its nearest labelled voxel within ``radius`` mm (exact
    region values, no blending of neighbours), drawn on the inflated surface,
    lateral and medial views. Subcortical
    and cerebellar regions do not reach the cortex and are not shown.

    Parameters
    ----------
    region_saliency : array-like of shape (n_regions,)
        One value per region.
    atlas : Atlas
        Regions of the values.
    region_ids : array-like of int, optional
        Region id of each value; default the atlas order.
    top_fraction : float or None, default=0.1
        Show only the top fraction of regions.
    vmax : float, optional
        Top of the colour scale.
    radius : float, default=6.0
        Sampling radius (mm) around each vertex; sphere atlases need a few mm.
    cmap : str, default="hot"
        Colour map.
    title : str, optional
        Figure title.
    output_file : str or pathlib.Path, optional
        Save the figure there (then close it).

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    plotting = require("nilearn.plotting")
    surface = require("nilearn.surface")
    fsaverage = require("nilearn.datasets").fetch_surf_fsaverage("fsaverage5")
    plt = _pyplot()
    values = _region_values(region_saliency, atlas, region_ids, ndim=1)
    vmin, vmax = _colour_limits(values, 0.0, vmax)
    threshold = _threshold(values, top_fraction, vmax)
    figure, axes = plt.subplots(
        2, 2, figsize=(8, 6.5), subplot_kw={"projection": "3d"}, squeeze=False
    )
    for column, hemisphere in enumerate(("left", "right")):
        texture = _region_values_on_mesh(
            values, atlas, surface.load_surf_mesh(fsaverage[f"pial_{hemisphere}"]), radius
        )
        for row, view in enumerate(("lateral", "medial")):
            plotting.plot_surf_stat_map(
                fsaverage[f"infl_{hemisphere}"], texture, hemi=hemisphere, view=view,
                bg_map=fsaverage[f"sulc_{hemisphere}"], axes=axes[row, column], figure=figure,
                threshold=threshold if threshold > 0 else None, vmin=vmin, vmax=vmax,
                cmap=cmap, colorbar=False, symmetric_cbar=False,
                title=f"{hemisphere} {view}",
            )
    _add_colourbar(figure, cmap, vmin, vmax, "saliency", rect=(0.93, 0.25, 0.02, 0.5))
    if title:
        figure.suptitle(title)
    return _finish(figure, output_file)


def _region_values_on_mesh(values, atlas, mesh, radius):
    """Value of the region of each vertex's nearest labelled voxel (NaN if none near)."""
    from scipy.spatial import cKDTree

    from ._atlas import _labels_array, _voxels_to_mm

    labels = _labels_array(atlas.labels_img)
    labelled = np.argwhere(labels > 0)
    tree = cKDTree(_voxels_to_mm(atlas.labels_img.affine, labelled))
    distance, nearest = tree.query(np.asarray(mesh.coordinates), distance_upper_bound=radius)
    found = np.isfinite(distance)
    value_of_label = np.full(int(labels.max()) + 1, np.nan)
    value_of_label[atlas.region_ids] = values
    texture = np.full(len(distance), np.nan)
    vertex_labels = labels[tuple(labelled[nearest[found]].T)]
    texture[found] = value_of_label[vertex_labels]
    return np.nan_to_num(texture, nan=0.0)
