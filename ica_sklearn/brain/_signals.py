"""Region time series from 4D NIfTI or surface data, through nilearn maskers.

The masker (labels, maps, spheres or surface; built from an :class:`Atlas` or
given fitted) does the extraction, the cleaning (nilearn's ``standardize``,
``detrend``, filters, confounds) and the resampling; this module matches its
columns to region ids and reports regions that were lost.
"""

import warnings
from dataclasses import dataclass

import numpy as np

from ._atlas import Atlas, _is_surface_image, _labels_array
from ._deps import require

__all__ = ["RegionSignals", "extract_region_signals", "extract_subjects_region_signals"]

MISSING_POLICIES = ("fill", "drop", "raise")
# clean_kwargs keys that are masker parameters; the others go to its clean_args.
MASKER_CLEAN_PARAMETERS = ("detrend", "t_r", "high_pass", "low_pass", "standardize",
                           "standardize_confounds", "high_variance_confounds", "smoothing_fwhm")


@dataclass
class RegionSignals:
    """Region time series of one run, with the region id of every column.

    Attributes
    ----------
    signals : ndarray of shape (n_timesteps, n_regions)
        Signal of each region at each retained time point.
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


def nilearn_standardize(standardize):
    """nilearn's value for ``standardize``: True is ``"zscore_sample"`` (ddof 1).

    Parameters
    ----------
    standardize : bool, str or None
        ``True`` / ``"zscore_sample"`` (z-score with the sample standard
        deviation, ddof 1, as nilearn), ``"zscore"`` (ddof 0), ``"psc"``
        (percent signal change), ``False`` / ``None`` (none).

    Returns
    -------
    value : str or None

    Examples
    --------
    >>> from ica_sklearn.brain import nilearn_standardize
    >>> nilearn_standardize(True), nilearn_standardize(False)
    ('zscore_sample', None)
    """
    if standardize is True:
        return "zscore_sample"
    if standardize is False or standardize is None:
        return None
    return standardize


def _is_masker(obj):
    return hasattr(obj, "transform") and hasattr(obj, "fit") and not isinstance(obj, Atlas)


def _masker_kwargs(standardize, mask_img, clean_kwargs, masker_kwargs):
    kwargs = dict(masker_kwargs)
    clean_kwargs = dict(clean_kwargs or {})
    kwargs["standardize"] = nilearn_standardize(clean_kwargs.pop("standardize", standardize))
    for key in MASKER_CLEAN_PARAMETERS:
        if key in clean_kwargs:
            kwargs[key] = clean_kwargs.pop(key)
    if clean_kwargs:
        kwargs["clean_args"] = {**kwargs.get("clean_args", {}), **clean_kwargs}
    if mask_img is not None:
        kwargs["mask_img"] = mask_img
    return kwargs


def _load_data(img, atlas_or_masker):
    """A nibabel 4D image, or a SurfaceImage for surface atlases ({"left", "right"} ok)."""
    surface_masker = type(atlas_or_masker).__name__.startswith("Surface") or (
        isinstance(atlas_or_masker, Atlas) and atlas_or_masker.kind == "surface"
    )
    if surface_masker:
        if _is_surface_image(img):
            return img
        if not isinstance(img, dict):
            raise TypeError(
                "A surface atlas reads a nilearn SurfaceImage or a dict {'left': ..., "
                "'right': ...} of per-hemisphere data (arrays or files: GIFTI, .mgz)."
            )
        surface = require("nilearn.surface")
        mesh = (atlas_or_masker.labels_img if isinstance(atlas_or_masker, Atlas)
                else atlas_or_masker.labels_img).mesh
        data = {h: surface.load_surf_data(v) if not isinstance(v, np.ndarray) else v
                for h, v in img.items()}
        data = {h: np.asarray(v, dtype=np.float32).reshape(v.shape[0], -1) for h, v in data.items()}
        return surface.SurfaceImage(mesh, data)
    data_img = require("nilearn.image").load_img(img)
    if len(data_img.shape) != 4:
        raise ValueError(f"img must be 4D (x, y, z, time), got shape {data_img.shape}.")
    return data_img


def masker_column_ids(masker):
    """Region id of each output column of a fitted labels masker, or None.

    Read from nilearn's ``region_ids_``, whose background entry is keyed
    ``"background"`` in nilearn >= 0.13 and ``0`` before; the background
    label is dropped either way.
    """
    ids = getattr(masker, "region_ids_", None)
    if ids is None:
        return None
    background = getattr(masker, "background_label", 0)
    numbered = sorted(k for k in ids if k != "background")
    return np.array([ids[k] for k in numbered if ids[k] != background], dtype=np.int64)


def _masker_region_ids(masker, n_columns):
    """Region id of each output column of a fitted masker."""
    ids = masker_column_ids(masker)
    if ids is not None:
        return ids[:n_columns]
    return np.arange(1, n_columns + 1)


def _expected_ids(masker, atlas):
    if atlas is not None:
        return atlas.region_ids
    labels_img = getattr(masker, "labels_img_", None)
    if labels_img is None:
        labels_img = getattr(masker, "labels_img", None)
    if labels_img is not None and not isinstance(labels_img, str):
        present = np.unique(_labels_array(labels_img))
        background = getattr(masker, "background_label", 0)
        return present[present != background]
    return None


def extract_region_signals(
    img,
    atlas,
    *,
    confounds=None,
    sample_mask=None,
    mask_img=None,
    standardize=False,
    missing="fill",
    fill_value=0.0,
    clean_kwargs=None,
    **masker_kwargs,
):
    """Time series of each atlas region in one run, by nilearn's maskers.

    Column ``k`` of the result always belongs to ``result.region_ids[k]``:
    regions that end up with no voxel on the data grid are found by id and
    reported, never silently shifted.

    Parameters
    ----------
    img : str, pathlib.Path, nibabel image, SurfaceImage or dict
        A 4D image (x, y, z, time); for a surface atlas a
        :class:`~nilearn.surface.SurfaceImage` or ``{"left": ..., "right":
        ...}`` per-hemisphere data (arrays of shape (n_vertices, n_timesteps)
        or files nilearn reads: GIFTI, ``.mgz``).
    atlas : Atlas or nilearn masker
        Regions to extract: an :class:`Atlas` (its :meth:`Atlas.masker` is
        built with the cleaning arguments here; sphere atlases are redrawn on
        the data's grid first) or a nilearn masker, fitted or not (then the
        cleaning arguments are the masker's own).
    confounds : array-like, DataFrame, str or "fmriprep", optional
        Confounds of this run, regressed out by the masker. A path is read by
        nilearn; ``"fmriprep"`` loads the fMRIPrep confounds file next to
        ``img`` with :func:`nilearn.interfaces.fmriprep.load_confounds`
        (arguments in ``fmriprep_kwargs`` inside ``masker_kwargs``, e.g.
        ``fmriprep_kwargs={"strategy": ("motion", "wm_csf")}``); the scrubbing
        sample mask it returns is used too.
    sample_mask : array-like of int or bool, optional
        Time points to keep (nilearn's ``sample_mask``).
    mask_img : str or nibabel image, optional
        Brain mask; voxels outside are ignored.  Regions wholly outside it
        are missing regions (see ``missing``) with nilearn >= 0.13; nilearn
        0.12 keeps them as columns of zeros instead.
    standardize : bool or {"zscore_sample", "zscore", "psc"}, default=False
        nilearn's semantics: ``True`` is ``"zscore_sample"`` (ddof 1).
    missing : {"fill", "drop", "raise"}, default="fill"
        What to do with regions that have no voxel on the data grid:
        ``"fill"`` keeps their column, filled with ``fill_value``, and warns;
        ``"drop"`` removes their columns (see ``region_ids``); ``"raise"``
        raises a ValueError naming them.
    fill_value : float, default=0.0
        Value of missing regions' columns with ``missing="fill"``.
    clean_kwargs : dict, optional
        Cleaning arguments (``detrend``, ``t_r``, ``high_pass``, ...), as
        masker parameters; other keys go to the masker's ``clean_args``.
    **masker_kwargs
        Other masker parameters (``detrend=True``, ``t_r=2.0``,
        ``high_pass=0.01``, ``smoothing_fwhm``, ``strategy``, ...).

    Returns
    -------
    result : RegionSignals
        ``signals`` of shape (n_timesteps, n_regions), ``region_ids`` and
        ``missing_ids``.

    See Also
    --------
    extract_subjects_region_signals : The same for several runs, stacked.

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
    masker, atlas_used = _fitted_masker(img, atlas, standardize, mask_img, clean_kwargs,
                                        masker_kwargs)
    return _transform_run(img, masker, atlas_used, confounds, sample_mask, missing, fill_value,
                          masker_kwargs.get("fmriprep_kwargs"), stacklevel=3)


def _fitted_masker(img, atlas, standardize, mask_img, clean_kwargs, masker_kwargs):
    if not isinstance(atlas, Atlas) and not _is_masker(atlas):
        raise TypeError(
            f"atlas must be an Atlas or a nilearn masker, got {type(atlas).__name__}."
        )
    masker_kwargs = {k: v for k, v in masker_kwargs.items() if k != "fmriprep_kwargs"}
    if isinstance(atlas, Atlas):
        data_img = _load_data(img, atlas)
        atlas = atlas.on_grid(data_img) if atlas.kind == "spheres" else atlas
        masker = atlas.masker(**_masker_kwargs(standardize, mask_img, clean_kwargs,
                                               masker_kwargs))
        with _quiet_nilearn():
            masker.fit(data_img if atlas.kind == "surface" else None)
        return masker, atlas
    masker = atlas
    if not _is_fitted(masker):
        with _quiet_nilearn():
            masker.fit(_load_data(img, masker))
    return masker, None


def _is_fitted(masker):
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(masker)
    except NotFittedError:
        return False
    return True


class _quiet_nilearn(warnings.catch_warnings):
    """Silence nilearn's deprecation chatter and resampling notes while it works."""

    def __enter__(self):
        result = super().__enter__()
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*[Rr]esampl.*")
        warnings.filterwarnings("ignore", message=".*have been masked out.*")
        warnings.filterwarnings("ignore", message=".*labels were removed.*")
        warnings.filterwarnings("ignore", message=".*Use 'zscore_sample'.*")
        return result


def _fmriprep_confounds(img, fmriprep_kwargs):
    if not isinstance(img, (str, bytes)) and not hasattr(img, "__fspath__"):
        raise ValueError(
            "confounds='fmriprep' needs img as the path of an fMRIPrep preprocessed "
            "run (the confounds file is found next to it)."
        )
    fmriprep = require("nilearn.interfaces.fmriprep")
    return fmriprep.load_confounds(str(img), **(fmriprep_kwargs or {}))


def _transform_run(img, masker, atlas, confounds, sample_mask, missing, fill_value,
                   fmriprep_kwargs, stacklevel):
    if missing not in MISSING_POLICIES:
        raise ValueError(f"missing must be one of {MISSING_POLICIES}, got {missing!r}.")
    if isinstance(confounds, str) and confounds == "fmriprep":
        confounds, fmriprep_mask = _fmriprep_confounds(img, fmriprep_kwargs)
        sample_mask = fmriprep_mask if sample_mask is None else sample_mask
    data = _load_data(img, atlas if atlas is not None else masker)
    with _quiet_nilearn():
        signals = np.asarray(masker.transform(data, confounds=confounds,
                                              sample_mask=sample_mask), dtype=np.float64)
    if signals.ndim == 1:
        signals = signals[None, :]
    columns_ids = _masker_region_ids(masker, signals.shape[1])
    expected = _expected_ids(masker, atlas)
    if expected is None:
        return RegionSignals(signals, columns_ids, np.array([], dtype=np.int64))
    lost = np.setdiff1d(expected, columns_ids)
    full = np.full((signals.shape[0], expected.size), np.nan)
    position_of = {int(region_id): k for k, region_id in enumerate(expected)}
    full[:, [position_of[int(i)] for i in columns_ids]] = signals
    present = np.isin(expected, lost, invert=True)
    full = _handle_missing(full, present, expected, missing, fill_value, stacklevel)
    region_ids = expected if missing != "drop" else expected[present]
    return RegionSignals(full, region_ids, lost)


def _handle_missing(signals, present, region_ids, missing, fill_value, stacklevel):
    lost = ~present
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
        return signals[:, present]
    warnings.warn(message + f"; their columns are filled with {fill_value}.",
                  stacklevel=stacklevel + 1)
    signals[:, lost] = fill_value
    return signals


def _per_run(value, n_runs, what):
    if value is None or (isinstance(value, str) and value == "fmriprep"):
        return [value] * n_runs
    value = list(value)
    if len(value) != n_runs:
        raise ValueError(
            f"{what} has {len(value)} entries for {n_runs} runs; give one per run "
            "(None where a run has none)."
        )
    return value


def extract_subjects_region_signals(
    imgs,
    atlas,
    *,
    confounds=None,
    sample_masks=None,
    missing="fill",
    standardize=False,
    mask_img=None,
    fill_value=0.0,
    clean_kwargs=None,
    **masker_kwargs,
):
    """Region time series of several runs, columns aligned by region id.

    One masker is fitted once and applied to every run, each with its own
    confounds (nilearn's ``MultiNiftiLabelsMasker`` idea, with the region
    bookkeeping of :func:`extract_region_signals`).

    Parameters
    ----------
    imgs : sequence of str, pathlib.Path, nibabel image, SurfaceImage or dict
        One 4D image (or surface data) per sample (subject run).
    atlas : Atlas or nilearn masker
        Regions to extract (see :func:`extract_region_signals`).
    confounds : sequence or "fmriprep", optional
        One confounds entry per run (array, DataFrame, path or None), or
        ``"fmriprep"`` to load each run's fMRIPrep confounds.
    sample_masks : sequence, optional
        One ``sample_mask`` per run (or None).
    missing : {"fill", "drop", "raise"}, default="fill"
        As in :func:`extract_region_signals`; with ``"drop"``, a region missing
        in any run is dropped from all, so columns stay aligned.
    standardize, mask_img, fill_value, clean_kwargs, **masker_kwargs
        As in :func:`extract_region_signals`.

    Returns
    -------
    X : ndarray of shape (n_runs, n_timesteps, n_regions) or list
        A 3D float32 array when all runs keep the same number of time
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
    imgs = list(imgs)
    if not imgs:
        raise ValueError("imgs is empty: give one image per run.")
    confounds = _per_run(confounds, len(imgs), "confounds")
    sample_masks = _per_run(sample_masks, len(imgs), "sample_masks")
    masker, atlas_used = _fitted_masker(imgs[0], atlas, standardize, mask_img, clean_kwargs,
                                        masker_kwargs)
    results = []
    for img, run_confounds, run_mask in zip(imgs, confounds, sample_masks):
        if atlas_used is not None and atlas_used.kind == "spheres" and not _same_grid(
                atlas_used.labels_img, _load_data(img, atlas_used)):
            masker, atlas_used = _fitted_masker(img, atlas, standardize, mask_img, clean_kwargs,
                                                masker_kwargs)
        results.append(_quiet_run(img, masker, atlas_used, run_confounds, run_mask,
                                  masker_kwargs.get("fmriprep_kwargs")))
    region_ids = results[0].region_ids
    lost_anywhere = np.unique(np.concatenate([r.missing_ids for r in results] + [[]]))
    keep = np.isin(region_ids, lost_anywhere, invert=True)
    if lost_anywhere.size:
        message = (f"regions without voxels in some runs: ids "
                   f"{lost_anywhere.astype(int).tolist()[:20]}")
        if missing == "raise":
            raise ValueError(message + ". Pass missing='fill' or 'drop' to go on.")
        if missing == "fill":
            warnings.warn(f"Regions were filled with {fill_value}: {message}", stacklevel=2)
    if missing == "drop":
        series = [r.signals[:, keep] for r in results]
        region_ids = region_ids[keep]
    else:
        series = [np.where(np.isnan(r.signals) & ~keep, fill_value, r.signals) for r in results]
    if len({s.shape[0] for s in series}) == 1:
        return np.stack(series).astype(np.float32), region_ids
    return [s.astype(np.float32) for s in series], region_ids


def _same_grid(first, second):
    return first.shape[:3] == second.shape[:3] and np.allclose(first.affine, second.affine)


def _quiet_run(img, masker, atlas, confounds, sample_mask, fmriprep_kwargs):
    """One run with lost regions as NaN, without the per-run warning."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*no voxel on the data grid.*")
        return _transform_run(img, masker, atlas, confounds, sample_mask, "fill", np.nan,
                              fmriprep_kwargs, stacklevel=3)
