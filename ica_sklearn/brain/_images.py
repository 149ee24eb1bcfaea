"""Region saliency -> NIfTI images on the atlas grid, and time-window aggregation."""

import warnings

import numpy as np

from ._atlas import Atlas
from ._deps import require
from ._signals import masker_column_ids

__all__ = ["region_values_masker", "saliency_to_img", "top_fraction_threshold"]

def _columns_in_atlas_order(values, atlas, region_ids):
    """Reorder the last axis of ``values`` from ``region_ids`` to atlas order."""
    if region_ids is None:
        if values.shape[-1] != atlas.n_regions:
            raise ValueError(
                f"saliency has {values.shape[-1]} regions but the atlas has "
                f"{atlas.n_regions}; pass region_ids to say which column is which."
            )
        return values, np.ones(atlas.n_regions, dtype=bool)
    region_ids = np.asarray(region_ids, dtype=np.int64).ravel()
    if len(region_ids) != values.shape[-1]:
        raise ValueError(f"{len(region_ids)} region_ids for {values.shape[-1]} columns.")
    ordered = np.zeros(values.shape[:-1] + (atlas.n_regions,), dtype=values.dtype)
    ordered[..., atlas.index_of(region_ids)] = values
    given = np.isin(atlas.region_ids, region_ids)
    return ordered, given


def region_values_masker(atlas):
    """The fitted nilearn masker whose ``inverse_transform`` paints ``atlas``' regions."""
    masker = atlas.masker()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return masker.fit()


def saliency_to_img(saliency, atlas, *, region_ids=None):
    """Paint region values onto the atlas' grid or surface (nilearn's inverse mapping).

    Region ``k``'s voxels get the value of region ``k``; background and regions
    without a value get 0. The painting is the ``inverse_transform`` of the
    atlas' nilearn masker: labels and spheres paint constant regions, a
    probabilistic atlas paints its maps weighted by the values, a surface
    atlas paints vertices.

    Parameters
    ----------
    saliency : array-like of shape (n_regions,) or (n_windows, n_regions)
        One value per region, or one row per time window (see
        :func:`aggregate_time_windows`). NaN is written as 0.
    atlas : Atlas
        Regions and grid.
    region_ids : array-like of int, optional
        Region id of each column (e.g. ``RegionSignals.region_ids`` when some
        regions were dropped). Default: the atlas' ``region_ids`` in order.

    Returns
    -------
    img : nibabel.Nifti1Image or nilearn.surface.SurfaceImage
        3D for a 1D input, 4D (x, y, z, window) for a 2D input; float32. A
        surface atlas gives a SurfaceImage (one column per window).

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.brain import atlas_from_coords, saliency_to_img
    >>> atlas = atlas_from_coords([[-40, -20, 50], [40, -20, 50]], radius=8)
    >>> img = saliency_to_img([[0.0, 2.0], [1.0, 0.0]], atlas)
    >>> img.shape
    (99, 117, 95, 2)
    >>> sorted(np.unique(img.get_fdata()[..., 0]).tolist())
    [0.0, 2.0]
    """
    if not isinstance(atlas, Atlas):
        raise TypeError(f"atlas must be an Atlas, got {type(atlas).__name__}.")
    values = np.asarray(saliency, dtype=np.float32)
    if values.ndim not in (1, 2):
        raise ValueError(
            "saliency must be (n_regions,) or (n_windows, n_regions); aggregate a "
            f"(n_timesteps, n_regions) map with aggregate_time_windows first. Got {values.shape}."
        )
    values, _ = _columns_in_atlas_order(np.nan_to_num(values, nan=0.0), atlas, region_ids)
    masker = region_values_masker(atlas)
    if atlas.kind == "maps":  # one column per map, in atlas order
        columns = values
    else:  # the masker's columns: the labels present in the image, by its region_ids_
        columns = values[..., atlas.index_of(masker_column_ids(masker).tolist())]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        img = masker.inverse_transform(columns.astype(np.float32))
    if atlas.kind == "surface":
        return img
    nibabel = require("nibabel")
    return nibabel.Nifti1Image(np.asarray(img.dataobj, dtype=np.float32), img.affine)


def top_fraction_threshold(values, top_fraction=0.1):
    """Value above which the ``top_fraction`` largest ``|values|`` lie.

    Parameters
    ----------
    values : array-like
        Region values (any shape; NaN ignored).
    top_fraction : float, default=0.1
        Fraction of values to keep, in (0, 1].

    Returns
    -------
    threshold : float
        A value strictly below the smallest kept ``|value|`` (so a plot that hides
        ``|v| <= threshold`` keeps the top fraction).

    Examples
    --------
    >>> from ica_sklearn.brain import top_fraction_threshold
    >>> t = top_fraction_threshold(range(1, 11), 0.2)
    >>> 8 < t < 9
    True
    """
    if not 0 < top_fraction <= 1:
        raise ValueError(f"top_fraction must be in (0, 1], got {top_fraction}.")
    magnitudes = np.abs(np.asarray(values, dtype=float))
    magnitudes = np.sort(magnitudes[np.isfinite(magnitudes)])[::-1]
    if magnitudes.size == 0:
        return 0.0
    n_kept = max(1, int(np.ceil(top_fraction * magnitudes.size)))
    smallest_kept = magnitudes[n_kept - 1]
    below = magnitudes[n_kept:]
    next_value = below[0] if below.size else 0.0
    if next_value < smallest_kept:
        return float((smallest_kept + next_value) / 2)
    return float(smallest_kept * (1 - 1e-6))
