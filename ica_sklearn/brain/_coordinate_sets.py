"""Atlases built offline from the region coordinate sets that nilearn ships."""

import numpy as np

from ._atlas import UNASSIGNED, atlas_from_coords
from ._deps import require

__all__ = ["COORDINATE_SETS", "load_coords_atlas"]

COORDINATE_SETS = ("power", "dosenbach", "seitzman")

# Power et al. (2011) as shipped by nilearn has coordinates only; their networks are
# taken from the Seitzman et al. (2018) set, which reuses Power's cortical spheres,
# when a Seitzman centre lies within this distance (242 of the 264 regions).
POWER_NETWORK_MATCH_MM = 5.0


def _coordinate_table(name):
    """Shipped coordinates as a DataFrame with id, x, y, z, name, network, radius."""
    datasets = require("nilearn.datasets")
    if name == "dosenbach":
        bunch = datasets.fetch_coords_dosenbach_2010(ordered_regions=False)
        table = bunch.rois[["x", "y", "z"]].astype(float).copy()
        table["name"] = list(bunch.labels)
        table["network"] = np.asarray(bunch.networks, dtype=str)
        table["radius"] = 5.0
    elif name == "seitzman":
        bunch = datasets.fetch_coords_seitzman_2018(ordered_regions=False)
        table = bunch.rois[["x", "y", "z"]].astype(float).copy()
        table["network"] = np.asarray(bunch.networks, dtype=str)
        table["name"] = [
            f"{region} {index + 1}" for region, index in zip(bunch.regions, table.index)
        ]
        table["radius"] = np.asarray(bunch.radius, dtype=float)
    elif name == "power":
        rois = datasets.fetch_coords_power_2011().rois
        table = rois[["x", "y", "z"]].astype(float).copy()
        table.index = rois["roi"].to_numpy() - 1
        table["name"] = [f"power {roi}" for roi in rois["roi"]]
        table["network"] = _power_networks_from_seitzman(table[["x", "y", "z"]].to_numpy())
        table["radius"] = 5.0
    else:
        raise ValueError(f"Unknown coordinate set {name!r}; choose one of {COORDINATE_SETS}.")
    table = table.sort_index()
    table.insert(0, "id", table.index.to_numpy() + 1)
    return table.reset_index(drop=True)


def _power_networks_from_seitzman(power_xyz):
    seitzman = _coordinate_table("seitzman")
    seitzman_xyz = seitzman[["x", "y", "z"]].to_numpy()
    distance = np.linalg.norm(power_xyz[:, None, :] - seitzman_xyz[None, :, :], axis=-1)
    nearest = distance.argmin(axis=1)
    networks = seitzman["network"].to_numpy()[nearest].astype(object)
    networks[distance.min(axis=1) > POWER_NETWORK_MATCH_MM] = UNASSIGNED
    return networks.astype(str)


def load_coords_atlas(name="dosenbach", *, radius=None, resolution=2, reference_img=None):
    """Build an atlas offline from a region coordinate set that nilearn ships.

    Parameters
    ----------
    name : {"dosenbach", "power", "seitzman"}, default="dosenbach"
        - ``"dosenbach"``: Dosenbach et al. (2010), 160 regions, 6 networks.
        - ``"power"``: Power et al. (2011), 264 regions. nilearn ships no
          network labels for it; each region takes the network of the
          Seitzman et al. (2018) region within 5 mm of it (242 regions), the
          rest are ``"unassigned"``.
        - ``"seitzman"``: Seitzman et al. (2018), 300 regions, 14 networks
          (including ``"unassigned"``), with their own radii (4 or 5 mm).
    radius : float, optional
        Sphere radius in mm; default 5 mm (Seitzman: each region's own).
    resolution : int, default=2
        Voxel size (mm) of the MNI152 grid the spheres are drawn on (that of
        nilearn's background template, so slices show round spheres).
    reference_img : str or nibabel image, optional
        Draw the spheres on this image's grid instead (e.g. your 3 mm data);
        extraction redraws them on the data's grid by itself anyway.

    Returns
    -------
    atlas : Atlas
        Region ids are the 1-based row numbers of the published tables.

    Examples
    --------
    >>> from ica_sklearn.brain import load_coords_atlas
    >>> atlas = load_coords_atlas("dosenbach")
    >>> sorted(set(atlas.networks.tolist()))[:3]
    ['cerebellum', 'cingulo-opercular', 'default']
    """
    if name not in COORDINATE_SETS:
        raise ValueError(f"Unknown coordinate set {name!r}; choose one of {COORDINATE_SETS}.")
    table = _coordinate_table(name)
    radii = table["radius"].to_numpy() if radius is None else radius
    return atlas_from_coords(
        table[["x", "y", "z"]].to_numpy(),
        radius=radii,
        resolution=resolution,
        reference_img=reference_img,
        region_ids=table["id"].to_numpy(),
        names=table["name"].tolist(),
        networks=table["network"].tolist(),
        name=name,
    )
