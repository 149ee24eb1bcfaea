"""Shared helpers of the figure functions."""

import numpy as np

from ._atlas import Atlas
from ._images import _columns_in_atlas_order, top_fraction_threshold

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


def _region_values(saliency, atlas, region_ids, ndim):
    if not isinstance(atlas, Atlas):
        raise TypeError(f"atlas must be an Atlas, got {type(atlas).__name__}.")
    values = np.asarray(saliency, dtype=float)
    if values.ndim != ndim:
        shapes = {1: "(n_regions,)", 2: "(n_windows or n_timesteps, n_regions)"}
        raise ValueError(f"saliency must have shape {shapes[ndim]}, got {values.shape}.")
    ordered, _ = _columns_in_atlas_order(values, atlas, region_ids)
    return ordered


def _colour_limits(values, vmin=None, vmax=None):
    """Explicit, never-degenerate colour limits (nilearn crashes on vmin == vmax)."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    low = float(finite.min()) if vmin is None and finite.size else (vmin or 0.0)
    high = float(finite.max()) if vmax is None and finite.size else (vmax or 1.0)
    if vmin is None and low > 0:
        low = 0.0
    if high - low <= 1e-12 * max(1.0, abs(high)):
        high = low + max(1e-6, abs(low) * 1e-3)
    return low, high


def _threshold(values, top_fraction, vmax):
    """Threshold showing the top fraction of regions (just under vmax if all equal)."""
    if top_fraction is None:
        return 0.0
    threshold = top_fraction_threshold(values, top_fraction)
    return min(threshold, vmax * (1 - 1e-3))


def _add_colourbar(figure, cmap, vmin, vmax, label, rect=(0.92, 0.15, 0.015, 0.7)):
    import matplotlib as mpl

    plt = _pyplot()
    axis = figure.add_axes(rect)
    mappable = mpl.cm.ScalarMappable(mpl.colors.Normalize(vmin, vmax), plt.get_cmap(cmap))
    colourbar = figure.colorbar(mappable, cax=axis)
    colourbar.set_label(label)
    return colourbar
