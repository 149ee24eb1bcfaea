"""Brain figures of region saliency (nilearn): glass brains, slices, markers, surface.

Every function takes nilearn's own keywords (``threshold``, ``vmin``,
``vmax``, ``cmap``, ``colorbar``, ``symmetric_cbar``, ``axes``, ``figure``,
``title``, ``display_mode``, ...), passes the others on to nilearn, and
returns what nilearn returns (a display object for volume figures, so
``add_contours`` / ``add_markers`` / ``savefig`` work). Signed values get a
diverging colour map on symmetric limits; absolute values a sequential one.
"""

import warnings
from contextlib import contextmanager

import numpy as np

from ._colours import colour_scale
from ._deps import require
from ._images import saliency_to_img
from ._plot_utils import (
    _add_colourbar,
    _finish,
    _finish_display,
    _label_colourbar,
    _nilearn_colourbar,
    _pyplot,
    _region_values,
    _with_defaults,
)

__all__ = [
    "plot_glass_brain_windows",
    "plot_saliency_glass_brain",
    "plot_saliency_markers",
    "plot_saliency_stat_map",
    "plot_saliency_surface",
]

_SHARED_PARAMETERS = """
    region_ids : array-like of int, optional
        Region id of each value; default the atlas order.
    signed : bool or "auto", default="auto"
        Signed values (toward a class, contrasts, t-values) get a diverging
        colour map on symmetric limits; "auto": signed when any value < 0.
    threshold : float, optional
        Do not draw ``|values| <= threshold`` (nilearn's meaning); marked on
        the colour bar by a dashed line.
    vmin, vmax : float, optional
        Colour limits; default symmetric for signed values, from 0 otherwise.
    cmap : str or Colormap, optional
        Default :func:`saliency_cmap` (dark top, visible on white and grey).
    colorbar : bool, default=True
        Draw a colour bar, labelled ``colorbar_label``.
    colorbar_label : str, default="saliency"
        Label of the colour bar (e.g. ``"t"`` or ``"-log10 p"``).
    title : str, optional
        Title.
    output_file : str or pathlib.Path, optional
        Save the figure there (then close it).
"""


def _volume_img(values, atlas, what):
    if atlas.kind == "surface":
        raise ValueError(
            f"{what} draws volumes; a surface atlas has none. Use plot_saliency_surface "
            "or plot_saliency_markers."
        )
    return saliency_to_img(values, atlas)


@contextmanager
def _quiet_plot():
    """Silence nilearn's notes on empty (fully thresholded) maps and limits."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*empty mask.*")
        warnings.filterwarnings("ignore", category=UserWarning, module="nilearn")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        yield


def plot_saliency_glass_brain(
    region_saliency,
    atlas,
    *,
    region_ids=None,
    signed="auto",
    top_fraction=0.1,
    threshold=None,
    vmin=None,
    vmax=None,
    cmap=None,
    colorbar=True,
    colorbar_label="saliency",
    display_mode="lyrz",
    title=None,
    output_file=None,
    **kwargs,
):
    """Region saliency on a glass brain (nilearn's ``plot_glass_brain``).

    Parameters
    ----------
    region_saliency : array-like of shape (n_regions,)
        One value per region.
    atlas : Atlas
        Regions of the values (labels, maps or spheres).
    display_mode : str, default="lyrz"
        nilearn glass brain views.
    top_fraction : float or None, default=0.1
        When ``threshold`` is None, draw only the top fraction of ``|values|``.
    %(shared)s
    **kwargs
        Passed to :func:`nilearn.plotting.plot_glass_brain` (``axes``,
        ``figure``, ``symmetric_cbar``, ``black_bg``, ``annotate``, ...).

    Returns
    -------
    display : nilearn.plotting.displays.OrthoProjector
        nilearn's display (``add_contours``, ``add_markers``, ``savefig``).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from ica_sklearn.brain import atlas_from_coords, plot_saliency_glass_brain
    >>> atlas = atlas_from_coords([[-40, -20, 50], [40, -20, 50]], radius=8)
    >>> display = plot_saliency_glass_brain([-1.0, 2.0], atlas)   # signed: diverging
    >>> type(display).__name__
    'LYRZProjector'
    >>> display.close()
    """
    plotting = require("nilearn.plotting")
    values = _region_values(region_saliency, atlas, region_ids, ndim=1)
    scale = colour_scale(values, signed=signed, top_fraction=top_fraction, threshold=threshold,
                         vmin=vmin, vmax=vmax, cmap=cmap)
    options = _with_defaults(
        kwargs, display_mode=display_mode, colorbar=colorbar, threshold=scale.threshold,
        vmin=scale.vmin, vmax=scale.vmax, cmap=scale.cmap, plot_abs=not scale.signed,
        symmetric_cbar=scale.signed, title=title, resampling_interpolation="nearest",
    )
    with _quiet_plot():
        display = plotting.plot_glass_brain(_volume_img(values, atlas, "a glass brain"),
                                            **options)
    _label_colourbar(_nilearn_colourbar(display), colorbar_label, scale)
    return _finish_display(display, output_file)


def plot_saliency_stat_map(
    region_saliency,
    atlas,
    *,
    region_ids=None,
    signed="auto",
    top_fraction=0.1,
    threshold=None,
    vmin=None,
    vmax=None,
    cut_coords=None,
    display_mode="ortho",
    bg_img=None,
    cmap=None,
    colorbar=True,
    colorbar_label="saliency",
    title=None,
    output_file=None,
    **kwargs,
):
    """Region saliency over an anatomical background (nilearn's ``plot_stat_map``).

    Parameters
    ----------
    region_saliency : array-like of shape (n_regions,)
        One value per region (e.g. saliency summed over time).
    atlas : Atlas
        Regions of the values.
    cut_coords : tuple of 3 floats, optional
        Slice position (mm); default (``display_mode="ortho"``) the centre of
        the region with the largest ``|value|``.
    display_mode : str, default="ortho"
        nilearn slicing mode.
    bg_img : nibabel image, optional
        Background; default nilearn's shipped MNI152 template (1 mm-looking
        2 mm template, offline).
    top_fraction : float or None, default=0.1
        When ``threshold`` is None, draw only the top fraction of ``|values|``.
    %(shared)s
    **kwargs
        Passed to :func:`nilearn.plotting.plot_stat_map` (``axes``,
        ``figure``, ``symmetric_cbar``, ``black_bg``, ``draw_cross``, ...).

    Returns
    -------
    display : nilearn.plotting.displays.OrthoSlicer
        nilearn's display (``add_contours``, ``add_markers``, ``savefig``).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from ica_sklearn.brain import atlas_from_coords, plot_saliency_stat_map
    >>> atlas = atlas_from_coords([[-40, -20, 50], [40, -20, 50]], radius=8)
    >>> display = plot_saliency_stat_map([0.2, 1.0], atlas, top_fraction=None)
    >>> display.add_markers([[40, -20, 50]])
    >>> display.close()
    """
    plotting = require("nilearn.plotting")
    values = _region_values(region_saliency, atlas, region_ids, ndim=1)
    scale = colour_scale(values, signed=signed, top_fraction=top_fraction, threshold=threshold,
                         vmin=vmin, vmax=vmax, cmap=cmap)
    if cut_coords is None and display_mode == "ortho" and np.isfinite(values).any():
        cut_coords = tuple(atlas.coords[int(np.nanargmax(np.abs(values)))])
    if bg_img is None:
        bg_img = require("nilearn.datasets").load_mni152_template()
    options = _with_defaults(
        kwargs, bg_img=bg_img, cut_coords=cut_coords, display_mode=display_mode,
        threshold=scale.threshold, vmin=scale.vmin, vmax=scale.vmax, cmap=scale.cmap,
        symmetric_cbar=scale.signed, colorbar=colorbar, title=title, draw_cross=False,
        black_bg=False, resampling_interpolation="continuous",
    )
    if "figure" not in options and "axes" not in options:
        options["figure"] = _pyplot().figure(figsize=(9, 3.4))
    with _quiet_plot():
        display = plotting.plot_stat_map(_volume_img(values, atlas, "a stat map"), **options)
    _label_colourbar(_nilearn_colourbar(display), colorbar_label, scale)
    return _finish_display(display, output_file)


def plot_saliency_markers(
    region_saliency,
    atlas,
    *,
    region_ids=None,
    signed="auto",
    top_fraction=None,
    threshold=None,
    vmin=None,
    vmax=None,
    max_node_size=60.0,
    cmap=None,
    colorbar=True,
    colorbar_label="saliency",
    display_mode="ortho",
    title=None,
    output_file=None,
    **kwargs,
):
    """One marker per region at its coordinates, coloured and sized by value.

    Marker area grows with ``|value|``; colour limits are always explicit
    (nilearn's ``plot_markers`` fails to build its colour bar when the values
    span a tiny range).

    Parameters
    ----------
    region_saliency : array-like of shape (n_regions,)
        One value per region.
    atlas : Atlas
        Regions (``atlas.coords`` places the markers); any kind, surface too.
    top_fraction : float or None, default=None
        Draw only the top fraction of regions; None draws every region, small
        values as small markers.
    max_node_size : float, default=60.0
        Marker area of the largest ``|value|`` (points^2); nilearn's
        ``node_size`` in ``kwargs`` overrides the sizes.
    display_mode : str, default="ortho"
        nilearn view.
    %(shared)s
    **kwargs
        Passed to :func:`nilearn.plotting.plot_markers` (``axes``, ``figure``,
        ``node_size``, ``alpha``, ``node_kwargs``, ...).

    Returns
    -------
    display : nilearn.plotting.displays.OrthoProjector

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from ica_sklearn.brain import atlas_from_coords, plot_saliency_markers
    >>> atlas = atlas_from_coords([[-40, -20, 50], [40, -20, 50]], radius=8)
    >>> display = plot_saliency_markers([1.0, 1.0 + 1e-9], atlas)  # narrow range is fine
    >>> display.close()
    """
    plotting = require("nilearn.plotting")
    values = np.nan_to_num(_region_values(region_saliency, atlas, region_ids, ndim=1))
    explicit_threshold = threshold is not None or top_fraction is not None
    scale = colour_scale(values, signed=signed, top_fraction=top_fraction, threshold=threshold,
                         vmin=vmin, vmax=vmax, cmap=cmap)
    shown = np.abs(values) > scale.threshold if explicit_threshold else np.ones(values.size, bool)
    largest = max(abs(scale.vmin), abs(scale.vmax))
    sizes = 4.0 + (max_node_size - 4.0) * np.clip(np.abs(values) / largest, 0, 1)
    node_size = kwargs.pop("node_size", sizes)
    node_size = np.broadcast_to(np.asarray(node_size, dtype=float), values.shape)
    order = np.argsort(np.abs(values[shown]))  # largest drawn last, on top
    options = _with_defaults(
        kwargs, node_size=node_size[shown][order], node_cmap=scale.cmap, node_vmin=scale.vmin,
        node_vmax=scale.vmax, display_mode=display_mode, title=title, colorbar=colorbar,
    )
    if "figure" not in options and "axes" not in options:
        options["figure"] = _pyplot().figure(figsize=(9, 3.4))
    with _quiet_plot():
        display = plotting.plot_markers(values[shown][order], atlas.coords[shown][order],
                                        **options)
    _label_colourbar(_nilearn_colourbar(display), colorbar_label,
                     scale if explicit_threshold else _no_threshold(scale))
    return _finish_display(display, output_file)


def _no_threshold(scale):
    from dataclasses import replace

    return replace(scale, threshold=0.0)


def _surface_texture(values, atlas, mesh, radius):
    """Region values on a mesh: the atlas' own surface, or sampled from the volume."""
    surface = require("nilearn.surface")
    if atlas.kind == "surface":
        return saliency_to_img(values, atlas)
    img = saliency_to_img(values, atlas)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # nilearn's sampling; "nearest_most_frequent" keeps exact region values
        return surface.SurfaceImage.from_volume(
            mesh, img, radius=radius, interpolation="nearest_most_frequent"
        )


def plot_saliency_surface(
    region_saliency,
    atlas,
    *,
    region_ids=None,
    signed="auto",
    top_fraction=0.1,
    threshold=None,
    vmin=None,
    vmax=None,
    radius=6.0,
    mesh="fsaverage5",
    hemispheres=("left", "right"),
    views=("lateral", "medial"),
    cmap=None,
    colorbar=True,
    colorbar_label="saliency",
    title=None,
    figure=None,
    output_file=None,
    **kwargs,
):
    """Region saliency on the cortical surface (nilearn's ``plot_surf_stat_map``).

    A surface atlas is drawn on its own mesh; a volume atlas is sampled onto
    the pial surface by nilearn (``SurfaceImage.from_volume``, most frequent
    nearby region within ``radius`` mm, so region values stay exact) and drawn
    on the inflated one. Subcortical and cerebellar regions do not reach the
    cortex and are not shown.

    Parameters
    ----------
    region_saliency : array-like of shape (n_regions,)
        One value per region.
    atlas : Atlas
        Regions of the values.
    radius : float, default=6.0
        Sampling radius (mm) of volume atlases; sphere atlases need a few mm.
    mesh : str or nilearn.surface.PolyMesh, default="fsaverage5"
        fsaverage mesh name (offline: fsaverage5) or the atlas' own mesh.
    hemispheres : sequence of {"left", "right"}, default=("left", "right")
        Columns of the figure.
    views : sequence of str, default=("lateral", "medial")
        Rows of the figure (nilearn view names).
    figure : matplotlib.figure.Figure, optional
        Draw into this figure.
    top_fraction : float or None, default=0.1
        When ``threshold`` is None, draw only the top fraction of ``|values|``.
    %(shared)s
    **kwargs
        Passed to :func:`nilearn.plotting.plot_surf_stat_map` (``bg_on_data``,
        ``darkness``, ``alpha``, ...). nilearn's ``hemi`` (``"left"``,
        ``"right"``, ``"both"``) and ``view`` choose the panels; ``axes`` (a 3D
        matplotlib axes) draws a single panel there.

    Returns
    -------
    figure : matplotlib.figure.Figure
        One panel per hemisphere and view (nilearn returns figures for surfaces).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from ica_sklearn.brain import atlas_from_coords, plot_saliency_surface
    >>> atlas = atlas_from_coords([[-40, -20, 50], [40, -20, 50]], radius=8)
    >>> figure = plot_saliency_surface([0.5, -1.0], atlas, views=("lateral",))
    >>> len(figure.axes)   # two hemispheres and the colour bar
    3
    """
    plotting = require("nilearn.plotting")
    datasets = require("nilearn.datasets")
    plt = _pyplot()
    values = _region_values(region_saliency, atlas, region_ids, ndim=1)
    scale = colour_scale(values, signed=signed, top_fraction=top_fraction, threshold=threshold,
                         vmin=vmin, vmax=vmax, cmap=cmap)
    if atlas.kind == "surface":
        texture = _surface_texture(values, atlas, None, radius)
        draw_mesh, bg = _display_mesh(atlas.labels_img.mesh, datasets)
    else:
        meshes = datasets.load_fsaverage(mesh) if isinstance(mesh, str) else {"pial": mesh}
        texture = _surface_texture(values, atlas, meshes["pial"], radius)
        draw_mesh, bg = _display_mesh(meshes["pial"], datasets)
    hemi, view, axes = kwargs.pop("hemi", None), kwargs.pop("view", None), kwargs.pop("axes", None)
    hemispheres = list(hemispheres) if hemi in (None, "both") else [hemi]
    views = list(views) if view is None else [view]
    if axes is not None:  # nilearn's single-panel call: one hemisphere, one view
        if len(hemispheres) * len(views) != 1:
            raise ValueError("axes= draws one panel: give hemi='left' or 'right' and one view.")
        figure = axes.figure
        axes = np.array([[axes]])
    else:
        if figure is None:
            figure = plt.figure(figsize=(4 * len(hemispheres) + 0.8, 3.2 * len(views)))
        axes = figure.subplots(len(views), len(hemispheres), squeeze=False,
                               subplot_kw={"projection": "3d"})
    with _quiet_plot():
        for column, hemisphere in enumerate(hemispheres):
            for row, view in enumerate(views):
                options = _with_defaults(
                    kwargs, hemi=hemisphere, view=view, bg_map=bg, axes=axes[row, column],
                    figure=figure, threshold=scale.threshold, vmin=scale.vmin,
                    vmax=scale.vmax, cmap=scale.cmap, colorbar=False,
                    symmetric_cbar=scale.signed, title=f"{hemisphere} {view}",
                )
                plotting.plot_surf_stat_map(draw_mesh, texture, **options)
    if colorbar:
        _add_colourbar(figure, scale, colorbar_label, rect=(0.93, 0.25, 0.02, 0.5))
    if title:
        figure.suptitle(title)
    return _finish(figure, output_file)


def _display_mesh(mesh, datasets):
    """fsaverage5's inflated mesh and sulcal depth when ``mesh`` is fsaverage5 (shipped)."""
    fsaverage5 = datasets.load_fsaverage("fsaverage5")
    if fsaverage5["pial"].n_vertices == mesh.n_vertices:
        return fsaverage5["inflated"], datasets.load_fsaverage_data("fsaverage5",
                                                                   data_type="sulcal")
    return mesh, None


def plot_glass_brain_windows(
    window_saliency,
    atlas,
    *,
    region_ids=None,
    window_labels=None,
    signed="auto",
    top_fraction=0.1,
    threshold=None,
    vmin=None,
    vmax=None,
    display_mode="lzr",
    cmap=None,
    colorbar_label="saliency",
    title=None,
    output_file=None,
    **kwargs,
):
    """One glass brain per time window, on one shared colour scale.

    Parameters
    ----------
    window_saliency : array-like of shape (n_windows, n_regions)
        E.g. the output of :func:`aggregate_time_windows`.
    atlas : Atlas
        Regions of the columns.
    window_labels : sequence of str, optional
        Row titles; default the window number. Use :func:`window_labels` on
        the bounds :func:`aggregate_time_windows` returns for times in seconds.
    display_mode : str, default="lzr"
        nilearn glass brain views (e.g. ``"ortho"``, ``"lzry"``).
    top_fraction : float or None, default=0.1
        When ``threshold`` is None, draw only the top fraction of ``|values|``.
    %(shared)s
    **kwargs
        Passed to :func:`nilearn.plotting.plot_glass_brain`.

    Returns
    -------
    figure : matplotlib.figure.Figure
        One row per window and a shared, labelled colour bar with the
        threshold marked. ``figure.displays`` holds nilearn's displays.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import numpy as np
    >>> from ica_sklearn.brain import atlas_from_coords, plot_glass_brain_windows
    >>> atlas = atlas_from_coords([[-40, -20, 50], [40, -20, 50], [0, -80, 10]], radius=8)
    >>> figure = plot_glass_brain_windows(np.eye(3), atlas, top_fraction=None)
    >>> len(figure.displays)
    3
    """
    plotting = require("nilearn.plotting")
    plt = _pyplot()
    values = _region_values(window_saliency, atlas, region_ids, ndim=2)
    n_windows = values.shape[0]
    labels = list(window_labels) if window_labels is not None else [
        f"window {w + 1}" for w in range(n_windows)]
    scale = colour_scale(values, signed=signed, top_fraction=top_fraction, threshold=threshold,
                         vmin=vmin, vmax=vmax, cmap=cmap)
    images = _volume_img(values, atlas, "a glass brain")
    image = require("nilearn.image")
    height = 2.6 * n_windows + 0.6
    figure, axes = plt.subplots(n_windows, 1, figsize=(9, height), squeeze=False)
    figure.subplots_adjust(left=0.02, right=0.9, bottom=0.02, top=1 - 0.5 / height, hspace=0.1)
    figure.displays = []
    with _quiet_plot():
        for window, ax in enumerate(axes[:, 0]):
            options = _with_defaults(
                kwargs, figure=figure, axes=ax, display_mode=display_mode, colorbar=False,
                threshold=scale.threshold, vmin=scale.vmin, vmax=scale.vmax, cmap=scale.cmap,
                plot_abs=not scale.signed, symmetric_cbar=scale.signed, title=labels[window],
                annotate=False, resampling_interpolation="nearest",
            )
            figure.displays.append(
                plotting.plot_glass_brain(image.index_img(images, window), **options))
    _add_colourbar(figure, scale, colorbar_label)
    if title:
        figure.suptitle(title)
    return _finish(figure, output_file)


for _function in (plot_saliency_glass_brain, plot_saliency_stat_map, plot_saliency_markers,
                  plot_saliency_surface, plot_glass_brain_windows):
    _function.__doc__ = _function.__doc__.replace("    %(shared)s\n", _SHARED_PARAMETERS[1:])
