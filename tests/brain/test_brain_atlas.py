"""Atlases and the painting of region values on their grid."""


import numpy as np
import pytest

pytest.importorskip("nilearn")
nibabel = pytest.importorskip("nibabel")

from ica_sklearn.brain import (  # noqa: E402
    Atlas,
    aggregate_time_windows,
    atlas_from_coords,
    atlas_from_labels_img,
    load_coords_atlas,
    saliency_to_img,
    top_fraction_threshold,
)

@pytest.fixture(scope="module")
def dosenbach():
    return load_coords_atlas("dosenbach")


@pytest.fixture(scope="module")
def small_atlas():
    """Three spheres, two networks, on the 4 mm MNI grid."""
    return atlas_from_coords(
        [[-40, -20, 50], [40, -20, 50], [0, -80, 10]],
        radius=8,
        region_ids=[5, 9, 12],
        names=["left M1", "right M1", "V1"],
        networks=["motor", "motor", "visual"],
    )


def block_labels_img(affine=np.eye(4)):
    """6 x 6 x 6 grid: region 2 in x < 3, region 7 in x >= 3 (y < 3), region 4 a single voxel."""
    labels = np.zeros((6, 6, 6), dtype=np.int16)
    labels[:3] = 2
    labels[3:, :3] = 7
    labels[5, 5, 5] = 4
    return nibabel.Nifti1Image(labels, affine)


# --- atlases -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, n_regions, some_network",
    [("dosenbach", 160, "sensorimotor"), ("power", 264, "DefaultMode"),
     ("seitzman", 300, "Visual")],
)
def test_shipped_coordinate_sets_build_offline(name, n_regions, some_network):
    atlas = load_coords_atlas(name)
    assert atlas.n_regions == n_regions
    assert atlas.labels_img.shape == (99, 117, 95)  # 2 mm MNI grid
    assert some_network in set(atlas.networks)
    assert np.all(atlas.voxel_counts() > 0)
    assert set(np.unique(atlas.labels_img.get_fdata())) == {0, *atlas.region_ids.tolist()}


def test_power_networks_come_from_nearby_seitzman_regions():
    atlas = load_coords_atlas("power")
    assert (atlas.networks != "unassigned").sum() >= 220


def test_unknown_coordinate_set_is_refused():
    with pytest.raises(ValueError, match="dosenbach"):
        load_coords_atlas("glasser")


def test_atlas_from_labels_img_reads_ids_names_and_centres():
    atlas = atlas_from_labels_img(block_labels_img(), names={2: "a", 7: "b", 4: "c"})
    assert atlas.region_ids.tolist() == [2, 4, 7]
    assert atlas.names.tolist() == ["a", "c", "b"]
    assert atlas.voxel_counts().tolist() == [108, 1, 54]
    assert atlas.coords[1].tolist() == [5, 5, 5]  # the single voxel, in mm (identity affine)
    assert atlas.networks.tolist() == ["unassigned"] * 3


def test_atlas_from_labels_img_refuses_non_integer_labels():
    data = np.full((2, 2, 2), 1.5)
    with pytest.raises(ValueError, match="integer"):
        atlas_from_labels_img(nibabel.Nifti1Image(data, np.eye(4)))


def test_atlas_validates_metadata_lengths(small_atlas):
    with pytest.raises(ValueError, match="names"):
        Atlas(small_atlas.labels_img, [1, 2], ["only one"], ["n", "n"], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="unique"):
        Atlas(small_atlas.labels_img, [1, 1], ["a", "b"], ["n", "n"], np.zeros((2, 3)))


def test_spheres_have_the_radius_asked_and_keep_a_voxel_when_tiny(small_atlas):
    labels = small_atlas.labels_img.get_fdata()
    affine = small_atlas.labels_img.affine
    grid_mm = np.indices(labels.shape).reshape(3, -1).T @ affine[:3, :3].T + affine[:3, 3]
    for region_id, centre in zip(small_atlas.region_ids, small_atlas.coords):
        within_radius = np.linalg.norm(grid_mm - centre, axis=1) <= 8
        assert np.array_equal(labels.ravel() == region_id, within_radius)
    tiny = atlas_from_coords([[0.4, 0.3, 0.2]], radius=0.5)
    assert tiny.voxel_counts().tolist() == [1]


def test_index_of_and_network_order(small_atlas):
    assert small_atlas.index_of([12, 5]).tolist() == [2, 0]
    with pytest.raises(KeyError, match="3"):
        small_atlas.index_of([3])
    assert small_atlas.network_order().tolist() == [0, 1, 2]
    frame = small_atlas.to_frame()
    assert frame.loc[12, "name"] == "V1"


# --- saliency -> NIfTI -------------------------------------------------------------------


def test_value_of_region_k_lands_on_region_k_voxels_only(dosenbach):
    labels = dosenbach.labels_img.get_fdata()
    rng = np.random.default_rng(0)
    for position in rng.choice(dosenbach.n_regions, size=5, replace=False):
        values = np.zeros(dosenbach.n_regions)
        values[position] = 3.5
        volume = saliency_to_img(values, dosenbach).get_fdata()
        region_voxels = labels == dosenbach.region_ids[position]
        assert np.all(volume[region_voxels] == 3.5)
        assert np.all(volume[~region_voxels] == 0)


def test_round_trip_region_values_through_the_image(dosenbach):
    values = np.random.default_rng(1).random(dosenbach.n_regions).astype(np.float32)
    volume = saliency_to_img(values, dosenbach).get_fdata()
    labels = dosenbach.labels_img.get_fdata()
    recovered = [volume[labels == region_id].mean() for region_id in dosenbach.region_ids]
    np.testing.assert_allclose(recovered, values, rtol=1e-6)


def test_windows_give_a_4d_image_with_one_volume_per_window(small_atlas):
    windows = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 2.0]])
    img = saliency_to_img(windows, small_atlas)
    assert img.shape == (99, 117, 95, 2)
    labels = small_atlas.labels_img.get_fdata()
    assert np.all(img.get_fdata()[..., 0][labels == 5] == 1.0)
    assert np.all(img.get_fdata()[..., 1][labels == 12] == 2.0)
    assert img.get_fdata()[..., 1][labels == 5].max() == 0


def test_columns_are_matched_by_region_id_not_position(small_atlas):
    img = saliency_to_img([7.0, 1.0], small_atlas, region_ids=[12, 5])
    labels = small_atlas.labels_img.get_fdata()
    volume = img.get_fdata()
    assert np.all(volume[labels == 12] == 7.0)
    assert np.all(volume[labels == 5] == 1.0)
    assert np.all(volume[labels == 9] == 0.0)  # no value given: background


def test_saliency_to_img_refuses_ambiguous_shapes(small_atlas):
    with pytest.raises(ValueError, match="region_ids"):
        saliency_to_img([1.0, 2.0], small_atlas)
    with pytest.raises(ValueError, match="aggregate_time_windows"):
        saliency_to_img(np.zeros((2, 3, 3)), small_atlas)


@pytest.mark.parametrize("how, expected", [("mean", [1.0, 4.0]), ("sum", [3.0, 12.0]),
                                          ("max", [2.0, 5.0])])
def test_aggregate_time_windows(how, expected):
    saliency = np.repeat(np.arange(6.0)[:, None], 2, axis=1)  # (6, 2), t in both columns
    windows, bounds = aggregate_time_windows(saliency, 2, how=how, return_bounds=True)
    assert windows[:, 0].tolist() == expected
    assert bounds.tolist() == [[0, 3], [3, 6]]


def test_aggregate_time_windows_on_a_batch_ignores_nan_padding():
    saliency = np.ones((4, 10, 3))
    saliency[:, 8:] = np.nan
    windows = aggregate_time_windows(saliency, 5)
    assert windows.shape == (4, 5, 3)
    assert np.all(windows[:, :4] == 1) and np.all(np.isnan(windows[:, 4]))


def test_top_fraction_threshold_keeps_the_top_fraction():
    values = np.random.default_rng(0).random(200)
    threshold = top_fraction_threshold(values, 0.1)
    assert (values > threshold).sum() == 20
    assert top_fraction_threshold(np.ones(10), 0.1) < 1.0
