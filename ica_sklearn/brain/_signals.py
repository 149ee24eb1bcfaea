"""Region time series from 4D NIfTI data, with regions matched by id."""

import warnings
from dataclasses import dataclass

import numpy as np

from ._atlas import Atlas, _labels_array
from ._deps import require

__all__ = ["RegionSignals", "extract_region_signals", "extract_subjects_region_signals"]

MISSING_POLICIES = ("fill", "drop", "raise")


@dataclass
class RegionSignals:
    """Region time series of one 4D image, with the region id of every column.

    Attributes
    ----------
    signals : ndarray of shape (n_timesteps, n_regions)
        Mean signal of each region's voxels at each time point.
    region_ids : ndarray of int, shape (n_regions,)
        Region id of each column.
    missing_ids : ndarray of int
        Atlas regions that had no voxel on the data grid (lost in resampling,
        outside the field of view or the mask). With ``missing="fill"`` their
        columns hold ``fill_value``; with ``missing="drop"`` they have none.
    """

    signals: np.ndarray
    region_ids: np.ndarray
    missing_ids: np.ndarray


def _labels_on_data_grid(atlas, data_img):
    """Atlas labels resampled (nearest neighbour) onto the grid of ``data_img``."""
    labels_img = atlas.labels_img
    same_grid = labels_img.shape[:3] == data_img.shape[:3] and np.allclose(
        labels_img.affine, data_img.affine
    )
    if same_grid:
        return _labels_array(labels_img)
    image = require("nilearn.image")
    nibabel = require("nibabel")
    target = nibabel.Nifti1Image(np.zeros(data_img.shape[:3], dtype=np.int8), data_img.affine)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=FutureWarning)
        resampled = image.resample_to_img(labels_img, target, interpolation="nearest")
    return _labels_array(resampled)


def _standardize_columns(signals):
    centred = signals - signals.mean(axis=0)
    scale = centred.std(axis=0)
    scale[scale == 0] = 1.0
    return centred / scale


def extract_region_signals(
    img,
    atlas,
    *,
    mask_img=None,
    standardize=False,
    missing="fill",
    fill_value=0.0,
    clean_kwargs=None,
):
    """Mean time series of each atlas region in a 4D image.

    The atlas is resampled onto the data grid (nearest neighbour). Regions that
    end up with no voxel are found by id and reported, never silently shifted:
    column ``k`` of the result always belongs to ``result.region_ids[k]``.

    Parameters
    ----------
    img : str, pathlib.Path or nibabel image
        4D image (x, y, z, time).
    atlas : Atlas
        Regions to average over.
    mask_img : str or nibabel image, optional
        Brain mask on the data grid (or resampled to it); voxels outside are
        ignored.
    standardize : bool, default=False
        Z-score each region's signal over time.
    missing : {"fill", "drop", "raise"}, default="fill"
        What to do with regions that have no voxel on the data grid:
        ``"fill"`` keeps their column, filled with ``fill_value``, and warns;
        ``"drop"`` removes their columns (see ``region_ids``); ``"raise"``
        raises a ValueError naming them.
    fill_value : float, default=0.0
        Value of missing regions' columns with ``missing="fill"`` (use
        ``np.nan`` to make them stand out).
    clean_kwargs : dict, optional
        If given, signals are passed to :func:`nilearn.signal.clean` with these
        arguments (e.g. ``{"detrend": True, "t_r": 2.0, "high_pass": 0.01}``).

    Returns
    -------
    result : RegionSignals
        ``signals`` of shape (n_timesteps, n_regions), ``region_ids`` and
        ``missing_ids``.

    See Also
    --------
    extract_subjects_region_signals : The same for several images, stacked.

    Examples
    --------
    >>> import numpy as np, nibabel
    >>> from ica_sklearn.brain import atlas_from_labels_img, extract_region_signals
    >>> labels = np.zeros((4, 4, 4), dtype=np.int16)
    >>> labels[:2], labels[2:] = 1, 2
    >>> atlas = atlas_from_labels_img(nibabel.Nifti1Image(labels, np.eye(4)))
    >>> data = np.zeros((4, 4, 4, 3)); data[2:] = [1.0, 2.0, 3.0]
    >>> result = extract_region_signals(nibabel.Nifti1Image(data, np.eye(4)), atlas)
    >>> result.signals
    array([[0., 1.],
           [0., 2.],
           [0., 3.]])
    >>> result.region_ids.tolist(), result.missing_ids.tolist()
    ([1, 2], [])
    """
    if not isinstance(atlas, Atlas):
        raise TypeError(f"atlas must be an Atlas, got {type(atlas).__name__}.")
    if missing not in MISSING_POLICIES:
        raise ValueError(f"missing must be one of {MISSING_POLICIES}, got {missing!r}.")
    image = require("nilearn.image")
    data_img = image.load_img(img)
    if len(data_img.shape) != 4:
        raise ValueError(f"img must be 4D (x, y, z, time), got shape {data_img.shape}.")
    labels = _labels_on_data_grid(atlas, data_img)
    if mask_img is not None:
        mask_atlas = Atlas(image.load_img(mask_img), [1], ["mask"], ["mask"], [[0, 0, 0]])
        labels = np.where(_labels_on_data_grid(mask_atlas, data_img) > 0, labels, 0)

    signals, counts = _region_means(np.asanyarray(data_img.dataobj), labels, atlas.region_ids)
    missing_ids = atlas.region_ids[counts == 0]
    signals = _handle_missing(signals, counts, atlas.region_ids, missing, fill_value)
    region_ids = atlas.region_ids if missing != "drop" else atlas.region_ids[counts > 0]
    present = np.isin(region_ids, missing_ids, invert=True)
    if clean_kwargs:
        signal = require("nilearn.signal")
        signals[:, present] = signal.clean(signals[:, present], **clean_kwargs)
    if standardize:
        signals[:, present] = _standardize_columns(signals[:, present])
    return RegionSignals(signals, region_ids, missing_ids)


def _region_means(data, labels, region_ids):
    """Mean over each region's voxels: (n_timesteps, n_regions) and voxel counts."""
    n_timesteps = data.shape[3]
    flat_labels = labels.ravel()
    position = np.full(max(int(flat_labels.max()), int(region_ids.max())) + 1, -1)
    position[region_ids] = np.arange(region_ids.size)
    column = position[flat_labels]
    in_region = column >= 0
    voxel_series = np.asarray(data, dtype=np.float64).reshape(-1, n_timesteps)[in_region]
    counts = np.bincount(column[in_region], minlength=region_ids.size)
    sums = np.zeros((region_ids.size, n_timesteps))
    np.add.at(sums, column[in_region], voxel_series)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts[:, None]
    return means.T, counts


def _handle_missing(signals, counts, region_ids, missing, fill_value):
    lost = counts == 0
    if not lost.any():
        return signals
    lost_ids = region_ids[lost].tolist()
    message = (
        f"{lost.sum()} atlas regions have no voxel on the data grid "
        f"(lost in resampling, outside the field of view or the mask): ids {lost_ids[:20]}"
    )
    if missing == "raise":
        raise ValueError(message + ". Pass missing='fill' or 'drop' to go on.")
    if missing == "drop":
        return signals[:, ~lost]
    warnings.warn(message + f"; their columns are filled with {fill_value}.", stacklevel=3)
    signals[:, lost] = fill_value
    return signals


def extract_subjects_region_signals(imgs, atlas, *, missing="fill", **kwargs):
    """Region time series of several 4D images, columns aligned by region id.

    Parameters
    ----------
    imgs : sequence of str, pathlib.Path or nibabel image
        One 4D image per sample (subject run).
    atlas : Atlas
        Regions to average over.
    missing : {"fill", "drop", "raise"}, default="fill"
        As in :func:`extract_region_signals`; with ``"drop"``, a region missing
        in any image is dropped from all, so columns stay aligned.
    **kwargs
        Passed to :func:`extract_region_signals` (``mask_img``,
        ``standardize``, ``fill_value``, ``clean_kwargs``).

    Returns
    -------
    X : ndarray of shape (n_images, n_timesteps, n_regions) or list
        A 3D float32 array when all images have the same number of time
        points, else a list of (n_timesteps_i, n_regions) arrays (the ragged
        layout the classifiers accept).
    region_ids : ndarray of int, shape (n_regions,)
        Region id of each column.

    Examples
    --------
    >>> import numpy as np, nibabel
    >>> from ica_sklearn.brain import atlas_from_labels_img
    >>> from ica_sklearn.brain import extract_subjects_region_signals
    >>> labels = np.zeros((4, 4, 4), dtype=np.int16); labels[:2], labels[2:] = 1, 2
    >>> atlas = atlas_from_labels_img(nibabel.Nifti1Image(labels, np.eye(4)))
    >>> runs = [nibabel.Nifti1Image(np.ones((4, 4, 4, t)), np.eye(4)) for t in (5, 5)]
    >>> X, region_ids = extract_subjects_region_signals(runs, atlas)
    >>> X.shape, region_ids.tolist()
    ((2, 5, 2), [1, 2])
    """
    policy = "fill" if missing == "drop" else missing
    results = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for img in imgs:
            results.append(extract_region_signals(img, atlas, missing=policy, **kwargs))
    region_ids = atlas.region_ids
    lost_anywhere = np.unique(np.concatenate([r.missing_ids for r in results] + [[]]))
    if missing == "drop":
        keep = np.isin(region_ids, lost_anywhere, invert=True)
        series = [r.signals[:, keep] for r in results]
        region_ids = region_ids[keep]
    else:
        series = [r.signals for r in results]
        if len(lost_anywhere):
            fill = kwargs.get("fill_value", 0.0)
            warnings.warn(
                f"Regions without voxels in some images were filled with {fill}: "
                f"ids {lost_anywhere.astype(int).tolist()[:20]}",
                stacklevel=2,
            )
    for warning in caught:
        if "no voxel on the data grid" not in str(warning.message):
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    if len({s.shape[0] for s in series}) == 1:
        return np.stack(series).astype(np.float32), region_ids
    return [s.astype(np.float32) for s in series], region_ids
