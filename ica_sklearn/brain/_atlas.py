"""Atlases: brain regions plus their ids, names, networks and coordinates.

An :class:`Atlas` holds the regions in one of four forms (a 3D labels image, a
4D probabilistic image, spheres around coordinates, or a surface
parcellation) and builds the nilearn masker that reads them
(:meth:`Atlas.masker`), so extraction and inverse mapping are nilearn's.
"""

import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._deps import require

__all__ = ["Atlas", "atlas_from_coords", "atlas_from_labels_img", "atlas_from_maps_img"]

UNASSIGNED = "unassigned"
# Names of the 0 entry of a lookup table (nilearn's atlases, FreeSurfer LUTs).
BACKGROUND_NAMES = {"background", "unknown", "???", "medial_wall", "medial wall"}


def _is_surface_image(img):
    return type(img).__name__ == "SurfaceImage"


@dataclass
class Atlas:
    """Brain regions and one row of metadata per region.

    Region ``k`` is the set of voxels (or surface vertices) of ``labels_img``
    whose value is ``region_ids[k]``; 0 is background. Everything else
    (saliency columns, region time series) is matched to regions by these
    ids, never by position alone.

    Parameters
    ----------
    labels_img : nibabel.Nifti1Image or nilearn.surface.SurfaceImage
        3D integer image (voxel value = region id, 0 = background), or a
        surface image of integer labels on a mesh (both hemispheres).
    region_ids : array-like of int, shape (n_regions,)
        Positive, unique ids. Order defines the column order of arrays built
        with this atlas.
    names : array-like of str, shape (n_regions,)
        Region names.
    networks : array-like of str, shape (n_regions,)
        Network (system) of each region; ``"unassigned"`` when unknown.
    coords : array-like of float, shape (n_regions, 3)
        A representative MNI position (mm) of each region, used for markers.
    name : str, default="custom"
        Name of the atlas, for titles.
    maps_img : nibabel.Nifti1Image, optional
        4D probabilistic atlas, volume ``k`` being region ``region_ids[k]``
        (then ``labels_img`` is its arg-max, for drawing). Extraction and
        inverse mapping use :class:`nilearn.maskers.NiftiMapsMasker`.
    radius : ndarray of float, optional
        Sphere radii (mm) of a coordinate atlas. Spheres are redrawn on the
        data's grid before extraction (:meth:`on_grid`).

    Attributes
    ----------
    kind : {"labels", "maps", "spheres", "surface"}
        Which of the four forms.

    See Also
    --------
    load_coords_atlas : Build one offline from the coordinate sets nilearn ships.
    atlas_from_labels_img : Build one from any labels image.
    atlas_from_maps_img : Build one from a 4D probabilistic atlas.
    atlas_from_coords : Build one from region centres (spheres on a grid).
    atlas_from_surface_labels : Build one from a surface parcellation.

    Examples
    --------
    >>> from ica_sklearn.brain import load_coords_atlas
    >>> atlas = load_coords_atlas("dosenbach")
    >>> atlas.n_regions, atlas.kind
    (160, 'spheres')
    >>> atlas.to_frame().columns.tolist()
    ['name', 'network', 'x', 'y', 'z', 'n_voxels']
    """

    labels_img: object
    region_ids: np.ndarray
    names: np.ndarray
    networks: np.ndarray
    coords: np.ndarray
    name: str = "custom"
    maps_img: object = None
    radius: object = None

    def __post_init__(self):
        self.region_ids = np.asarray(self.region_ids, dtype=np.int64).ravel()
        n_regions = self.region_ids.size
        if np.unique(self.region_ids).size != n_regions:
            raise ValueError("region_ids must be unique.")
        if n_regions and self.region_ids.min() <= 0:
            raise ValueError("region_ids must be positive (0 is the background).")
        self.names = np.asarray(self.names, dtype=str).ravel()
        self.networks = np.asarray(self.networks, dtype=str).ravel()
        self.coords = np.asarray(self.coords, dtype=float).reshape(-1, 3)
        if self.radius is not None:
            self.radius = np.broadcast_to(np.asarray(self.radius, dtype=float), (n_regions,))
        for field in ("names", "networks", "coords"):
            if len(getattr(self, field)) != n_regions:
                raise ValueError(
                    f"Atlas.{field} has {len(getattr(self, field))} rows but there are "
                    f"{n_regions} region_ids."
                )
        if self.maps_img is not None and self.maps_img.shape[3] != n_regions:
            raise ValueError(
                f"maps_img has {self.maps_img.shape[3]} maps but there are {n_regions} "
                "region_ids."
            )

    @property
    def n_regions(self):
        """int: Number of regions."""
        return self.region_ids.size

    @property
    def kind(self):
        """str: ``"labels"``, ``"maps"``, ``"spheres"`` or ``"surface"``."""
        if self.maps_img is not None:
            return "maps"
        if _is_surface_image(self.labels_img):
            return "surface"
        return "spheres" if self.radius is not None else "labels"

    def index_of(self, region_ids):
        """Positions of ``region_ids`` in this atlas' column order.

        Parameters
        ----------
        region_ids : array-like of int
            Ids to look up.

        Returns
        -------
        positions : ndarray of int
            ``self.region_ids[positions] == region_ids``.

        Raises
        ------
        KeyError
            If an id is not in the atlas.
        """
        wanted = np.asarray(region_ids, dtype=np.int64).ravel()
        position_of = {int(region_id): k for k, region_id in enumerate(self.region_ids)}
        unknown = [int(i) for i in wanted if int(i) not in position_of]
        if unknown:
            raise KeyError(f"Region ids not in atlas {self.name!r}: {unknown[:20]}")
        return np.array([position_of[int(i)] for i in wanted], dtype=np.int64)

    def voxel_counts(self):
        """Number of voxels (vertices for a surface atlas) of each region.

        Returns
        -------
        counts : ndarray of int, shape (n_regions,)
            In ``region_ids`` order.
        """
        labels = _labels_array(self.labels_img)
        counts = np.bincount(labels.ravel(), minlength=int(self.region_ids.max()) + 1)
        return counts[self.region_ids]

    def network_order(self):
        """Region positions grouped by network (networks in first-seen order).

        Returns
        -------
        order : ndarray of int, shape (n_regions,)
            Positions that sort the regions by network, stable within a network.
        """
        _, first_seen = np.unique(self.networks, return_index=True)
        rank_of_network = {self.networks[i]: rank for rank, i in enumerate(sorted(first_seen))}
        ranks = np.array([rank_of_network[n] for n in self.networks])
        return np.argsort(ranks, kind="stable")

    def to_frame(self):
        """Region metadata as a DataFrame indexed by region id.

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``name``, ``network``, ``x``, ``y``, ``z``, ``n_voxels``.
        """
        return pd.DataFrame(
            {
                "name": self.names,
                "network": self.networks,
                "x": self.coords[:, 0],
                "y": self.coords[:, 1],
                "z": self.coords[:, 2],
                "n_voxels": self.voxel_counts(),
            },
            index=pd.Index(self.region_ids, name="region_id"),
        )

    def on_grid(self, reference_img):
        """This atlas with its spheres redrawn on the grid of ``reference_img``.

        Coordinate atlases are drawn on a template grid; extracting signals
        from data of another resolution then needs the spheres on the data's
        own grid (as :class:`nilearn.maskers.NiftiSpheresMasker` draws them).
        Other kinds are returned unchanged: their masker resamples them.

        Parameters
        ----------
        reference_img : str or nibabel image
            An image on the grid wanted (e.g. the 4D data).

        Returns
        -------
        atlas : Atlas
        """
        if self.kind != "spheres":
            return self
        return atlas_from_coords(
            self.coords, radius=self.radius, region_ids=self.region_ids, names=self.names,
            networks=self.networks, reference_img=reference_img, name=self.name,
        )

    def masker(self, **masker_kwargs):
        """The (unfitted) nilearn masker that reads these regions.

        Parameters
        ----------
        **masker_kwargs
            Passed to the masker (``standardize``, ``detrend``, ``t_r``,
            ``high_pass``, ``mask_img``, ...).

        Returns
        -------
        masker : nilearn masker
            :class:`~nilearn.maskers.NiftiLabelsMasker` (labels, spheres),
            :class:`~nilearn.maskers.NiftiMapsMasker` (maps) or
            :class:`~nilearn.maskers.SurfaceLabelsMasker` (surface).

        Examples
        --------
        >>> from ica_sklearn.brain import atlas_from_coords
        >>> atlas = atlas_from_coords([[-40, -20, 50], [40, -20, 50]], radius=8)
        >>> type(atlas.masker(standardize="zscore_sample")).__name__
        'NiftiLabelsMasker'
        """
        maskers = require("nilearn.maskers")
        if self.kind == "maps":
            return maskers.NiftiMapsMasker(self.maps_img, **masker_kwargs)
        if self.kind == "surface":
            return maskers.SurfaceLabelsMasker(self.labels_img, **masker_kwargs)
        return maskers.NiftiLabelsMasker(self.labels_img, **masker_kwargs)

    def __repr__(self):
        shape = tuple(self.labels_img.shape)
        n_networks = np.unique(self.networks).size
        return (
            f"Atlas(name={self.name!r}, kind={self.kind!r}, n_regions={self.n_regions}, "
            f"n_networks={n_networks}, grid={shape})"
        )


def _labels_array(labels_img):
    """Integer labels of a 3D image, or of a surface image (both hemispheres, flat)."""
    if _is_surface_image(labels_img):
        data = np.concatenate([np.asarray(part).ravel() for part in labels_img.data.parts.values()])
    else:
        data = np.asanyarray(labels_img.dataobj)
        if data.ndim == 4 and data.shape[3] == 1:
            data = data[..., 0]
        if data.ndim != 3:
            raise ValueError(
                f"A labels image must be 3D, got shape {data.shape}; for a 4D "
                "probabilistic atlas use atlas_from_maps_img."
            )
    rounded = np.rint(data)
    if not np.allclose(data, rounded):
        raise ValueError(
            "A labels image must hold integer region ids; for a probabilistic atlas "
            "use atlas_from_maps_img."
        )
    if rounded.min() < 0:
        raise ValueError("A labels image must not hold negative values.")
    return rounded.astype(np.int64)


def _voxels_to_mm(affine, voxel_indices):
    voxel_indices = np.asarray(voxel_indices, dtype=float)
    return voxel_indices @ affine[:3, :3].T + affine[:3, 3]


def _without_background(values, region_ids):
    """Drop a leading background entry from a list of names (nilearn's ``labels``)."""
    if values is None or isinstance(values, dict):
        return values
    values = list(values)
    first = str(values[0]).strip().lower() if values else ""
    if len(values) == len(region_ids) + 1 and first in BACKGROUND_NAMES:
        return values[1:]
    return values


def _aligned_metadata(values, region_ids, default, what):
    values = _without_background(values, region_ids)
    if values is None:
        return [default(region_id) for region_id in region_ids]
    if isinstance(values, dict):
        return [values.get(int(i), default(i)) for i in region_ids]
    if len(values) != len(region_ids):
        raise ValueError(
            f"{what} has {len(values)} entries for {len(region_ids)} regions (a first "
            "'Background' entry is dropped when there is one more)."
        )
    return values


def _names_from_lut(lut, region_ids):
    """Names keyed by id from a lookup table (DataFrame with index/name columns)."""
    frame = lut if isinstance(lut, pd.DataFrame) else pd.read_csv(lut, sep=None, engine="python")
    id_column = "index" if "index" in frame.columns else frame.columns[0]
    name_column = "name" if "name" in frame.columns else frame.columns[1]
    return dict(zip(frame[id_column].astype(int), frame[name_column].astype(str)))


def _region_centres(labels, affine, region_ids):
    """For each region, its voxel nearest its centroid (in mm); NaN if empty."""
    flat = labels.ravel()
    in_region = np.flatnonzero(np.isin(flat, region_ids))
    order = in_region[np.argsort(flat[in_region], kind="stable")]
    ids_sorted = flat[order]
    starts = np.searchsorted(ids_sorted, region_ids, side="left")
    stops = np.searchsorted(ids_sorted, region_ids, side="right")
    centres = np.full((len(region_ids), 3), np.nan)
    for k, (start, stop) in enumerate(zip(starts, stops)):
        if start == stop:
            continue
        voxels = np.column_stack(np.unravel_index(order[start:stop], labels.shape))
        mm = _voxels_to_mm(affine, voxels)
        nearest = np.argmin(((mm - mm.mean(axis=0)) ** 2).sum(axis=1))
        centres[k] = mm[nearest]
    return centres


def atlas_from_labels_img(
    labels_img, *, region_ids=None, names=None, networks=None, lut=None, name="custom"
):
    """Build an :class:`Atlas` from a labels image the user has.

    Parameters
    ----------
    labels_img : str, pathlib.Path or nibabel.Nifti1Image
        3D image of integer region ids (0 = background), e.g. a Schaefer or
        Glasser parcellation, such as nilearn's atlas fetchers return. A 4D
        image of several volumes is a probabilistic atlas and is passed on to
        :func:`atlas_from_maps_img`.
    region_ids : array-like of int, optional
        The regions to keep, in the column order wanted. Defaults to the
        non-zero values present in the image, sorted. Ids absent from the image
        are kept (they then have no voxels) so that a lookup table's order is
        preserved.
    names, networks : sequence of str or dict {region_id: str}, optional
        Region names and networks, aligned with ``region_ids`` (or keyed by id).
        A list with one more entry whose first is ``"Background"`` (nilearn's
        ``labels`` convention) has that entry dropped. Default ``"region <id>"``
        and ``"unassigned"``.
    lut : pandas.DataFrame or path, optional
        A lookup table with ``index`` and ``name`` columns (nilearn's ``lut``,
        BIDS ``dseg.tsv``); gives the names when ``names`` is None.
    name : str, default="custom"
        Atlas name used in titles.

    Returns
    -------
    atlas : Atlas
        ``coords`` holds, for each region, its voxel nearest its centroid (mm),
        so markers land inside even non-convex parcels.

    Examples
    --------
    >>> import numpy as np, nibabel
    >>> from ica_sklearn.brain import atlas_from_labels_img
    >>> data = np.zeros((4, 4, 4), dtype=np.int16)
    >>> data[:2], data[2:] = 3, 7
    >>> atlas = atlas_from_labels_img(nibabel.Nifti1Image(data, np.eye(4)),
    ...                               names=["Background", "left", "right"])
    >>> atlas.region_ids.tolist(), atlas.names.tolist()
    ([3, 7], ['left', 'right'])
    """
    image = require("nilearn.image")
    labels_img = image.load_img(labels_img)
    if len(labels_img.shape) == 4 and labels_img.shape[3] > 1:
        return atlas_from_maps_img(labels_img, names=names, networks=networks, name=name)
    labels = _labels_array(labels_img)
    if region_ids is None:
        present = np.unique(labels)
        region_ids = present[present > 0]
    region_ids = np.asarray(region_ids, dtype=np.int64).ravel()
    if names is None and lut is not None:
        names = _names_from_lut(lut, region_ids)
    names = _aligned_metadata(names, region_ids, lambda i: f"region {int(i)}", "names")
    networks = _aligned_metadata(networks, region_ids, lambda i: UNASSIGNED, "networks")
    nibabel = require("nibabel")
    clean_img = nibabel.Nifti1Image(labels.astype(np.int32), labels_img.affine)
    coords = _region_centres(labels, labels_img.affine, region_ids)
    return Atlas(clean_img, region_ids, names, networks, coords, name=name)


def atlas_from_maps_img(maps_img, *, names=None, networks=None, name="custom"):
    """Build an :class:`Atlas` from a 4D probabilistic atlas (one map per region).

    Signals are then the maps' weighted means
    (:class:`nilearn.maskers.NiftiMapsMasker`) and region values are drawn
    back as the maps weighted by the values (its ``inverse_transform``).

    Parameters
    ----------
    maps_img : str, pathlib.Path or nibabel.Nifti1Image
        4D image, volume ``k`` = region ``k + 1`` (e.g. DiFuMo, MSDL).
    names, networks : sequence of str or dict {region_id: str}, optional
        As in :func:`atlas_from_labels_img`.
    name : str, default="custom"
        Atlas name used in titles.

    Returns
    -------
    atlas : Atlas
        ``kind == "maps"``; ``labels_img`` is each voxel's strongest map
        (for voxel counts and drawing); ``coords`` are nilearn's
        :func:`~nilearn.plotting.find_probabilistic_atlas_cut_coords`.

    Examples
    --------
    >>> import numpy as np, nibabel
    >>> from ica_sklearn.brain import atlas_from_maps_img
    >>> maps = np.zeros((4, 4, 4, 2)); maps[:2, ..., 0] = 1.0; maps[2:, ..., 1] = 0.5
    >>> atlas = atlas_from_maps_img(nibabel.Nifti1Image(maps, np.eye(4)))
    >>> atlas.kind, atlas.region_ids.tolist(), atlas.voxel_counts().tolist()
    ('maps', [1, 2], [32, 32])
    """
    image = require("nilearn.image")
    maps_img = image.load_img(maps_img)
    if len(maps_img.shape) != 4:
        raise ValueError(f"maps_img must be 4D (x, y, z, region), got {maps_img.shape}.")
    maps = np.asanyarray(maps_img.dataobj).astype(np.float32)
    n_regions = maps.shape[3]
    region_ids = np.arange(1, n_regions + 1)
    strongest = np.where(maps.max(axis=3) > 0, maps.argmax(axis=3) + 1, 0).astype(np.int32)
    nibabel = require("nibabel")
    with _quiet():
        coords = require("nilearn.plotting").find_probabilistic_atlas_cut_coords(maps_img)
    names = _aligned_metadata(names, region_ids, lambda i: f"map {int(i)}", "names")
    networks = _aligned_metadata(networks, region_ids, lambda i: UNASSIGNED, "networks")
    return Atlas(
        nibabel.Nifti1Image(strongest, maps_img.affine), region_ids, names, networks, coords,
        name=name, maps_img=nibabel.Nifti1Image(maps, maps_img.affine),
    )


@contextmanager
def _quiet():
    """Silence nilearn's warnings about a probabilistic atlas' cut coordinates."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _paint_spheres(shape, affine, centres_mm, radii_mm, region_ids):
    """Label each voxel with the id of the nearest centre whose sphere holds it.

    nilearn's spheres masker refuses overlapping spheres; published sets
    (Power, Seitzman) overlap, so a voxel goes to the nearest centre here. A
    region's voxel nearest its centre is always part of its sphere, so a
    radius smaller than the grid spacing still gives every region a voxel.
    """
    labels = np.zeros(shape, dtype=np.int32)
    best_distance = np.full(shape, np.inf)
    voxel_size = np.sqrt((affine[:3, :3] ** 2).sum(axis=0))
    mm_to_voxel = np.linalg.inv(affine)
    for region_id, centre, radius in zip(region_ids, centres_mm, radii_mm):
        centre_voxel = mm_to_voxel[:3, :3] @ centre + mm_to_voxel[:3, 3]
        half_width = np.ceil(radius / voxel_size).astype(int) + 1
        low = np.maximum(np.floor(centre_voxel).astype(int) - half_width, 0)
        high = np.minimum(np.ceil(centre_voxel).astype(int) + half_width + 1, shape)
        if np.any(high <= low):
            continue
        box = np.stack(
            np.meshgrid(*[np.arange(lo, hi) for lo, hi in zip(low, high)], indexing="ij"),
            axis=-1,
        )
        distance = np.linalg.norm(_voxels_to_mm(affine, box.reshape(-1, 3)) - centre, axis=1)
        distance = distance.reshape(box.shape[:3])
        inside = (distance <= radius) | (distance == distance.min())
        view = tuple(slice(lo, hi) for lo, hi in zip(low, high))
        closer = inside & (distance < best_distance[view])
        labels[view][closer] = region_id
        best_distance[view][closer] = distance[closer]
    return labels


def _reference_grid(reference_img, resolution):
    if reference_img is not None:
        reference_img = require("nilearn.image").load_img(reference_img)
        return reference_img.shape[:3], reference_img.affine
    template = require("nilearn.datasets").load_mni152_template(resolution=resolution)
    return template.shape[:3], template.affine


def atlas_from_coords(
    coords,
    *,
    radius=5.0,
    resolution=2,
    region_ids=None,
    names=None,
    networks=None,
    reference_img=None,
    name="custom",
):
    """Build an :class:`Atlas` of spheres around region centres.

    Parameters
    ----------
    coords : array-like of shape (n_regions, 3) or DataFrame with x, y, z
        Region centres in MNI mm.
    radius : float or array-like of shape (n_regions,), default=5.0
        Sphere radius in mm. Where spheres overlap, a voxel goes to the nearest
        centre. Each region always keeps its voxel nearest its centre.
    resolution : int, default=2
        Voxel size (mm) of the MNI152 grid the spheres are drawn on (nilearn's
        shipped template, no download). Ignored when ``reference_img`` is given.
    region_ids : array-like of int, optional
        Ids of the regions, default ``1..n_regions``.
    names, networks : sequence of str or dict {region_id: str}, optional
        Region names and networks.
    reference_img : str or nibabel image, optional
        Draw the spheres on this image's grid (e.g. your data's) instead.
        Extraction does this by itself (:meth:`Atlas.on_grid`).
    name : str, default="custom"
        Atlas name used in titles.

    Returns
    -------
    atlas : Atlas
        ``kind == "spheres"``.

    Raises
    ------
    ValueError
        If a region ends with no voxel (centre off the grid, or a closer
        neighbouring centre took its only voxel): use a finer grid.

    Examples
    --------
    >>> from ica_sklearn.brain import atlas_from_coords
    >>> atlas = atlas_from_coords([[-40, -20, 50], [40, -20, 50]], radius=8,
    ...                           names=["left M1", "right M1"])
    >>> atlas.voxel_counts().tolist()
    [257, 257]
    """
    if isinstance(coords, pd.DataFrame):
        coords = coords[["x", "y", "z"]].to_numpy()
    centres = np.asarray(coords, dtype=float).reshape(-1, 3)
    n_regions = len(centres)
    radii = np.broadcast_to(np.asarray(radius, dtype=float), (n_regions,))
    if np.any(radii <= 0):
        raise ValueError("radius must be positive.")
    if region_ids is None:
        region_ids = np.arange(1, n_regions + 1)
    region_ids = np.asarray(region_ids, dtype=np.int64).ravel()
    if len(region_ids) != n_regions:
        raise ValueError(f"{len(region_ids)} region_ids for {n_regions} coordinates.")
    shape, affine = _reference_grid(reference_img, resolution)
    labels = _paint_spheres(shape, affine, centres, radii, region_ids)
    counts = np.bincount(labels.ravel(), minlength=int(region_ids.max()) + 1)[region_ids]
    if np.any(counts == 0):
        grid = "the reference grid" if reference_img is not None else f"a {resolution} mm grid"
        raise ValueError(
            f"Regions {region_ids[counts == 0].tolist()[:20]} got no voxel on {grid} "
            "(off the grid, or a closer centre took their only voxel); use a finer "
            "grid or check the coordinates."
        )
    names = _aligned_metadata(names, region_ids, lambda i: f"region {int(i)}", "names")
    networks = _aligned_metadata(networks, region_ids, lambda i: UNASSIGNED, "networks")
    nibabel = require("nibabel")
    labels_img = nibabel.Nifti1Image(labels, affine)
    return Atlas(labels_img, region_ids, names, networks, centres, name=name, radius=radii)
