"""Shared helpers of the figure functions: values in atlas order, colour bars, saving."""

import numpy as np

from ._atlas import Atlas
from ._images import _columns_in_atlas_order

# The old default (kept importable): ``hot`` ends in white, invisible on a white
# glass brain; the figures now default to :func:`saliency_cmap`.
SALIENCY_CMAP = "hot"


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _finish(figure, output_file, dpi=120):
    """Save (then close) ``figure`` if ``output_file`` is given; return it."""
    if output_file is not None:
        figure.savefig(output_file, dpi=dpi, bbox_inches="tight")
        _pyplot().close(figure)
    return figure


def _finish_display(display, output_file, dpi=120):
    """Save (then close) a nilearn display if ``output_file`` is given; return it."""
    if output_file is not None:
        display.savefig(output_file, dpi=dpi)
        display.close()
    return display


def _region_values(saliency, atlas, region_ids, ndim):
    if not isinstance(atlas, Atlas):
        raise TypeError(f"atlas must be an Atlas, got {type(atlas).__name__}.")
    values = np.asarray(saliency, dtype=float)
    if values.ndim != ndim:
        shapes = {1: "(n_regions,)", 2: "(n_windows or n_timesteps, n_regions)"}
        raise ValueError(f"saliency must have shape {shapes[ndim]}, got {values.shape}.")
    ordered, _ = _columns_in_atlas_order(values, atlas, region_ids)
    return ordered


def _label_colourbar(colourbar, label, scale):
    """Label a colour bar, give it round ticks and mark the threshold on it."""
    if colourbar is None:
        return
    from matplotlib.ticker import MaxNLocator

    colourbar.set_label(label)
    colourbar.locator = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10])
    colourbar.formatter = _tick_formatter()
    colourbar.update_ticks()
    _mark_threshold(colourbar, scale)


def _tick_formatter():
    from matplotlib.ticker import FormatStrFormatter

    return FormatStrFormatter("%.3g")


def _mark_threshold(colourbar, scale):
    """Dashed line(s) at the threshold, so the reader sees what is not drawn."""
    large_enough = scale.threshold > 1e-3 * max(abs(scale.vmin), abs(scale.vmax))
    if not large_enough:
        return
    levels = [scale.threshold, -scale.threshold] if scale.signed else [scale.threshold]
    for level in levels:
        if scale.vmin < level < scale.vmax:
            _cbar_line(colourbar, level)


def _cbar_line(colourbar, level):
    axis = colourbar.ax
    vertical = colourbar.orientation == "vertical"
    line = axis.axhline if vertical else axis.axvline
    line(level, color="black", linestyle="--", linewidth=1.0, label="threshold")


def _nilearn_colourbar(display):
    """The matplotlib colour bar of a nilearn display (None without one)."""
    return getattr(display, "_cbar", None)


def _add_colourbar(figure, scale, label, rect=(0.92, 0.15, 0.015, 0.7)):
    import matplotlib as mpl

    axis = figure.add_axes(rect)
    cmap = mpl.colormaps[scale.cmap] if isinstance(scale.cmap, str) else scale.cmap
    mappable = mpl.cm.ScalarMappable(mpl.colors.Normalize(scale.vmin, scale.vmax), cmap)
    colourbar = figure.colorbar(mappable, cax=axis)
    _label_colourbar(colourbar, label, scale)
    return colourbar


def _with_defaults(kwargs, **defaults):
    """``defaults`` updated by the caller's nilearn keywords (the caller wins)."""
    return {**defaults, **kwargs}
