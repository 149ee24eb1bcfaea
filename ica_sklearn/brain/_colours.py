"""Colour policy of the brain figures: signed vs absolute maps, limits, thresholds.

Signed maps (evidence toward a class, contrasts) get a diverging colour map on
symmetric limits; absolute maps get a sequential one whose top is dark, so the
largest value stands out on white glass brains, grey anatomy and surfaces
alike (``hot`` ends in white and a one-hot map drawn with it is blank on a
white glass brain).
"""

from dataclasses import dataclass

import numpy as np

from ._images import top_fraction_threshold

__all__ = ["ColourScale", "colour_scale", "saliency_cmap"]

ABSOLUTE_CMAP = "ica_saliency_absolute"
SIGNED_CMAP = "ica_saliency_signed"
_CMAPS = {}


def saliency_cmap(signed):
    """The default colour map of signed or absolute saliency.

    Parameters
    ----------
    signed : bool
        True: diverging blue-white-red with the pale middle removed (every
        drawn value is saturated enough to see on white); False: yellow to
        dark red (``YlOrRd`` without its palest quarter).

    Returns
    -------
    cmap : matplotlib.colors.Colormap

    Examples
    --------
    >>> from ica_sklearn.brain import saliency_cmap
    >>> [round(float(c), 2) for c in saliency_cmap(False)(1.0)[:3]]  # top: dark red
    [0.5, 0.0, 0.15]
    """
    name = SIGNED_CMAP if signed else ABSOLUTE_CMAP
    if name not in _CMAPS:
        import matplotlib as mpl
        from matplotlib.colors import ListedColormap

        if signed:
            base = mpl.colormaps["RdBu_r"]
            colours = np.vstack([base(np.linspace(0.0, 0.33, 128)),
                                 base(np.linspace(0.67, 1.0, 128))])
        else:
            colours = mpl.colormaps["YlOrRd"](np.linspace(0.25, 1.0, 256))
        _CMAPS[name] = ListedColormap(colours, name=name)
    return _CMAPS[name]


@dataclass
class ColourScale:
    """Colour map, limits and threshold of one figure.

    Attributes
    ----------
    signed : bool
        Whether values have a sign that matters (diverging map, symmetric limits).
    cmap : matplotlib colormap or str
    vmin, vmax : float
    threshold : float
        Values with ``|v| <= threshold`` are not drawn (at least a tiny
        positive value, so the background, 0, is never coloured).
    """

    signed: bool
    cmap: object
    vmin: float
    vmax: float
    threshold: object


def colour_scale(values, *, signed="auto", top_fraction=0.1, threshold=None, vmin=None,
                 vmax=None, cmap=None):
    """Colour map, limits and threshold for region values.

    Parameters
    ----------
    values : array-like
        The values drawn (NaN ignored).
    signed : bool or "auto", default="auto"
        "auto": signed when any value is negative.
    top_fraction : float or None, default=0.1
        Used when ``threshold`` is None: draw only the top fraction of
        ``|values|``; None draws every value.
    threshold : float, optional
        Explicit threshold on ``|values|`` (nilearn's meaning); overrides
        ``top_fraction``.
    vmin, vmax : float, optional
        Colour limits; default ``[-m, m]`` for signed values (``m`` = largest
        ``|value|``) and ``[0, max]`` for absolute ones.
    cmap : str or Colormap, optional
        Default :func:`saliency_cmap`.

    Returns
    -------
    scale : ColourScale

    Examples
    --------
    >>> from ica_sklearn.brain import colour_scale
    >>> scale = colour_scale([-2.0, 1.0, 0.5], top_fraction=None)
    >>> scale.signed, scale.vmin, scale.vmax
    (True, -2.0, 2.0)
    """
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    if signed == "auto":
        signed = bool(finite.size and finite.min() < 0)
    largest = float(np.abs(finite).max()) if finite.size else 1.0
    if signed:
        vmax = largest if vmax is None else float(vmax)
        vmin = -vmax if vmin is None else float(vmin)
    else:
        vmin = 0.0 if vmin is None else float(vmin)
        vmax = (float(finite.max()) if finite.size else 1.0) if vmax is None else float(vmax)
    if vmax - vmin <= 1e-12 * max(1.0, abs(vmax)):  # nilearn fails on vmin == vmax
        vmax = vmin + max(1e-6, abs(vmin) * 1e-3)
    if threshold is None and top_fraction is not None and finite.size:
        threshold = min(top_fraction_threshold(finite, top_fraction), abs(vmax) * (1 - 1e-3))
    if threshold is None or threshold <= 0:  # still hide the background (exact zeros)
        threshold = 1e-6 * max(abs(vmin), abs(vmax))
    return ColourScale(bool(signed), cmap if cmap is not None else saliency_cmap(signed),
                       vmin, vmax, threshold)
