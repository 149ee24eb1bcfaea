"""Region saliency -> NIfTI images on the atlas grid, and time-window aggregation."""

import warnings

import numpy as np

from ._atlas import Atlas, _labels_array
from ._deps import require

__all__ = ["aggregate_time_windows", "saliency_to_img", "top_fraction_threshold"]

AGGREGATIONS = {"mean": np.nanmean, "sum": np.nansum, "max": np.nanmax}


def aggregate_time_windows(saliency, n_windows=4, *, how="mean", return_bounds=False):
    """Aggregate saliency over consecutive time windows.

    Parameters
    ----------
    saliency : array-like of shape (..., n_timesteps, n_regions)
        E.g. one map (T, R) or a batch (n, T, R); NaN (padding) is ignored.
    n_windows : int, default=4
        Number of windows; the time axis is split into near-equal parts.
    how : {"mean", "sum", "max"}, default="mean"
        Aggregation within a window.
    return_bounds : bool, default=False
        Also return the ``(start, stop)`` time step of each window.

    Returns
    -------
    windows : ndarray of shape (..., n_windows, n_regions)
    bounds : ndarray of shape (n_windows, 2)
        Only if ``return_bounds``; stop is exclusive.

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
    """
    saliency = np.asarray(saliency, dtype=float)
    if saliency.ndim < 2:
        raise ValueError("saliency must have shape (..., n_timesteps, n_regions).")
    if how not in AGGREGATIONS:
        raise ValueError(f"how must be one of {sorted(AGGREGATIONS)}, got {how!r}.")
    n_timesteps = saliency.shape[-2]
    if not 1 <= n_windows <= n_timesteps:
        raise ValueError(f"n_windows must be in [1, {n_timesteps}], got {n_windows}.")
    edges = np.linspace(0, n_timesteps, n_windows + 1).round().astype(int)
    bounds = np.column_stack([edges[:-1], edges[1:]])
    aggregate = AGGREGATIONS[how]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # all-NaN windows
        windows = np.stack(
            [aggregate(saliency[..., start:stop, :], axis=-2) for start, stop in bounds],
            axis=-2,
        )
    return (windows, bounds) if return_bounds else windows


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


def saliency_to_img(saliency, atlas, *, region_ids=None):
    """Paint region values onto the atlas grid.

    Region ``k``'s voxels get the value of region ``k``; background and regions
    without a value get 0.

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
    img : nibabel.Nifti1Image
        3D for a 1D input, 4D (x, y, z, window) for a 2D input; float32.

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.brain import atlas_from_coords, saliency_to_img
    >>> atlas = atlas_from_coords([[-40, -20, 50], [40, -20, 50]], radius=8)
    >>> img = saliency_to_img([[0.0, 2.0], [1.0, 0.0]], atlas)
    >>> img.shape
    (50, 59, 48, 2)
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
    labels = _labels_array(atlas.labels_img)
    lookup = np.zeros(values.shape[:-1] + (int(max(labels.max(), atlas.region_ids.max())) + 1,),
                      dtype=np.float32)
    lookup[..., atlas.region_ids] = values
    volume = lookup[..., labels]
    if volume.ndim == 4:
        volume = np.moveaxis(volume, 0, -1)
    nibabel = require("nibabel")
    return nibabel.Nifti1Image(volume, atlas.labels_img.affine)


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
