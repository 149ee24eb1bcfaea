"""Tests of ica_sklearn.brain: atlases, region signals, NIfTI images, figures, simulation."""

import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("nilearn")
nibabel = pytest.importorskip("nibabel")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from ica_sklearn import brain  # noqa: E402
from ica_sklearn.brain import (  # noqa: E402
    Atlas,
    aggregate_time_windows,
    atlas_from_coords,
    atlas_from_labels_img,
    extract_region_signals,
    extract_subjects_region_signals,
    load_coords_atlas,
    make_task_fmri_dataset,
    plot_glass_brain_windows,
    plot_region_time_heatmap,
    plot_saliency_markers,
    plot_saliency_stat_map,
    plot_saliency_surface,
    saliency_to_img,
    top_fraction_threshold,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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


@pytest.fixture(scope="module")
def simulation():
    return make_task_fmri_dataset(n_subjects=4, n_timesteps=80, random_state=0, return_info=True)


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


# --- region signals ----------------------------------------------------------------------


def data_img_with_region_codes(labels_img, n_timesteps=4):
    """4D image whose voxels of region r carry the signal r * (t + 1)."""
    labels = labels_img.get_fdata()
    time = np.arange(1, n_timesteps + 1)
    data = labels[..., None] * time
    return nibabel.Nifti1Image(data.astype(np.float32), labels_img.affine)


def test_region_signals_carry_region_ids():
    labels_img = block_labels_img()
    atlas = atlas_from_labels_img(labels_img)
    result = extract_region_signals(data_img_with_region_codes(labels_img), atlas)
    assert result.signals.shape == (4, 3)
    np.testing.assert_allclose(result.signals, np.outer(np.arange(1, 5), [2, 4, 7]))
    assert result.region_ids.tolist() == [2, 4, 7]
    assert result.missing_ids.tolist() == []


def coarse_data_img(n_timesteps=4):
    """The 6^3 labels grid seen by data of 2 x 2 x 2 voxels: region 4 (one voxel) is lost."""
    data = np.zeros((3, 3, 3, n_timesteps), dtype=np.float32)
    data[:] = np.arange(1, n_timesteps + 1)
    affine = np.diag([2.0, 2.0, 2.0, 1.0])
    return nibabel.Nifti1Image(data, affine)


def test_region_lost_in_resampling_is_reported_and_filled_by_id():
    atlas = atlas_from_labels_img(block_labels_img())
    with pytest.warns(UserWarning, match=r"ids \[4\]"):
        result = extract_region_signals(coarse_data_img(), atlas, fill_value=np.nan)
    assert result.missing_ids.tolist() == [4]
    assert result.region_ids.tolist() == [2, 4, 7]
    assert np.all(np.isnan(result.signals[:, 1]))  # the column of id 4, not a shifted one
    np.testing.assert_allclose(result.signals[:, [0, 2]], np.tile(np.arange(1, 5), (2, 1)).T)


def test_region_lost_in_resampling_can_be_dropped_or_refused():
    atlas = atlas_from_labels_img(block_labels_img())
    dropped = extract_region_signals(coarse_data_img(), atlas, missing="drop")
    assert dropped.region_ids.tolist() == [2, 7]
    assert dropped.signals.shape == (4, 2)
    with pytest.raises(ValueError, match=r"ids \[4\]"):
        extract_region_signals(coarse_data_img(), atlas, missing="raise")


def test_dropped_columns_still_map_to_the_right_voxels():
    atlas = atlas_from_labels_img(block_labels_img())
    dropped = extract_region_signals(coarse_data_img(), atlas, missing="drop")
    img = saliency_to_img([10.0, 70.0], atlas, region_ids=dropped.region_ids)
    labels = atlas.labels_img.get_fdata()
    assert np.all(img.get_fdata()[labels == 7] == 70.0)
    assert np.all(img.get_fdata()[labels == 4] == 0.0)


def test_standardize_and_mask():
    labels_img = block_labels_img()
    atlas = atlas_from_labels_img(labels_img)
    mask = np.zeros((6, 6, 6), dtype=np.int8)
    mask[:3] = 1  # only region 2 survives
    with pytest.warns(UserWarning, match="no voxel"):  # noqa: PT031
        result = extract_region_signals(
            data_img_with_region_codes(labels_img), atlas, standardize=True,
            mask_img=nibabel.Nifti1Image(mask, np.eye(4)),
        )
    assert result.missing_ids.tolist() == [4, 7]
    np.testing.assert_allclose(result.signals[:, 0].mean(), 0, atol=1e-12)
    np.testing.assert_allclose(result.signals[:, 0].std(ddof=1), 1)  # nilearn: ddof 1


def test_subjects_stack_or_stay_ragged():
    labels_img = block_labels_img()
    atlas = atlas_from_labels_img(labels_img)
    same = [data_img_with_region_codes(labels_img, 5) for _ in range(3)]
    X, region_ids = extract_subjects_region_signals(same, atlas)
    assert X.shape == (3, 5, 3) and X.dtype == np.float32
    ragged = [data_img_with_region_codes(labels_img, t) for t in (3, 5)]
    X, _ = extract_subjects_region_signals(ragged, atlas)
    assert [x.shape for x in X] == [(3, 3), (5, 3)]


def test_subjects_drop_a_region_lost_in_any_image():
    labels_img = block_labels_img()
    atlas = atlas_from_labels_img(labels_img)
    images = [data_img_with_region_codes(labels_img), coarse_data_img()]
    X, region_ids = extract_subjects_region_signals(images, atlas, missing="drop")
    assert region_ids.tolist() == [2, 7]
    assert X.shape == (2, 4, 2)
    with pytest.warns(UserWarning, match="filled"):
        X, region_ids = extract_subjects_region_signals(images, atlas)
    assert region_ids.tolist() == [2, 4, 7]


# --- simulation --------------------------------------------------------------------------


def test_simulation_shapes_and_types(simulation):
    X, y, mask, info = simulation
    assert X.shape == mask.shape == (16, 80, 160)
    assert X.dtype == np.float32 and mask.dtype == bool
    assert sorted(np.bincount(y).tolist()) == [8, 8]
    assert info.atlas.n_regions == 160
    assert info.subject.shape == y.shape
    assert np.bincount(info.subject).tolist() == [4, 4, 4, 4]


def test_simulation_mask_marks_exactly_where_signal_was_injected(simulation):
    X, y, mask, info = simulation
    assert np.all(info.signal[mask] > 0)
    strong = info.signal > 0.2 * info.signal.max()
    assert np.all(mask[strong])
    for sample in range(len(y)):
        columns = np.flatnonzero(mask[sample].any(axis=0))
        expected = np.searchsorted(info.region_ids, info.task_regions[y[sample]])
        assert columns.tolist() == expected.tolist()
    # what is left is zero-mean noise, and the signal shows through the noise in the mask
    noise = X - info.signal
    assert abs(noise.mean()) < 0.02 and 0.9 < noise.std() < 1.1
    assert X[mask].mean() > 0.4 and abs(X[~mask].mean()) < 0.05


def test_simulation_places_blocks_early_and_late(simulation):
    _, y, mask, _ = simulation
    active_times = np.flatnonzero(mask.any(axis=(0, 2)))
    assert active_times.min() < 0.2 * 80  # evidence early in the run
    assert active_times.max() > 0.8 * 80  # and late
    early_only = make_task_fmri_dataset(n_subjects=1, n_timesteps=80, placement="early",
                                        random_state=0)[2]
    assert np.flatnonzero(early_only.any(axis=(0, 2))).max() < 0.6 * 80


def test_simulation_is_deterministic_given_a_seed():
    first = make_task_fmri_dataset(n_subjects=2, n_timesteps=40, random_state=3)
    second = make_task_fmri_dataset(n_subjects=2, n_timesteps=40, random_state=3)
    other = make_task_fmri_dataset(n_subjects=2, n_timesteps=40, random_state=4)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_simulation_accepts_custom_design():
    X, y, mask = make_task_fmri_dataset(
        n_subjects=2, n_tasks=3, n_runs=1, n_timesteps=50, coords="power",
        task_regions=[[1, 2], [3], [4, 5, 6]], task_blocks=[[(2, 5)], [(20, 5)], [(35, 5)]],
        onset_jitter=0, shuffle=False, random_state=0,
    )
    assert X.shape == (6, 50, 264)
    assert y.tolist() == [0, 1, 2, 0, 1, 2]
    assert np.flatnonzero(mask[2].any(axis=0)).tolist() == [3, 4, 5]
    assert np.flatnonzero(mask[0].any(axis=1)).min() >= 2


def test_simulation_refuses_bad_arguments():
    with pytest.raises(ValueError, match="n_tasks"):
        make_task_fmri_dataset(n_tasks=1)
    with pytest.raises(ValueError, match="not in the coordinate set"):
        make_task_fmri_dataset(task_regions=[[1], [999]])


# --- figures -----------------------------------------------------------------------------


def assert_png_written(path):
    assert path.exists() and path.stat().st_size > 1000
    assert path.read_bytes()[:8] == PNG_SIGNATURE


@pytest.fixture(scope="module")
def mean_saliency(simulation):
    _, y, _, info = simulation
    noise = np.random.default_rng(0).random(info.signal.shape[1:]) * 0.05
    return np.abs(info.signal[y == 0]).mean(axis=0) + noise


def test_heatmap_groups_regions_by_network(tmp_path, simulation, mean_saliency):
    _, y, mask, info = simulation
    path = tmp_path / "heatmap.png"
    figure = plot_region_time_heatmap(mean_saliency, info.atlas, mask=mask[y == 0].mean(0) > 0.5,
                                      tr=2.0, output_file=path)
    assert_png_written(path)
    ax = figure.axes[0]
    assert ax.get_xlabel() == "time (s)"
    assert [t.get_text() for t in ax.get_yticklabels()] == list(dict.fromkeys(
        info.atlas.networks))
    assert len(figure.axes) == 2  # heatmap + colour bar


def test_glass_brains_one_row_per_window(tmp_path, simulation, mean_saliency):
    windows = aggregate_time_windows(mean_saliency, 3)
    path = tmp_path / "glass.png"
    plot_glass_brain_windows(windows, simulation[3].atlas, title="windows", output_file=path)
    assert_png_written(path)


def test_stat_map_and_markers(tmp_path, simulation, mean_saliency):
    atlas = simulation[3].atlas
    plot_saliency_stat_map(mean_saliency.sum(0), atlas, output_file=tmp_path / "stat.png")
    assert_png_written(tmp_path / "stat.png")
    plot_saliency_markers(mean_saliency.sum(0), atlas, top_fraction=0.1,
                          output_file=tmp_path / "markers.png")
    assert_png_written(tmp_path / "markers.png")


@pytest.mark.parametrize("values", [[1.0, 1.0 + 1e-9, 1.0], [0.0, 0.0, 0.0]])
def test_markers_survive_a_narrow_or_empty_range(tmp_path, small_atlas, values):
    plot_saliency_markers(values, small_atlas, output_file=tmp_path / "m.png")
    assert_png_written(tmp_path / "m.png")


def test_surface_view_offline(tmp_path, simulation, mean_saliency):
    path = tmp_path / "surface.png"
    plot_saliency_surface(mean_saliency.sum(0), simulation[3].atlas, output_file=path)
    assert_png_written(path)


def test_figures_are_returned_open_without_output_file(small_atlas):
    import matplotlib.pyplot as plt

    figure = plot_region_time_heatmap(np.ones((5, 3)), small_atlas)
    assert plt.fignum_exists(figure.number)
    plt.close(figure)


# --- optional dependency -----------------------------------------------------------------


def test_missing_nilearn_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "nilearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install ica_sklearn\[brain\]"):
        load_coords_atlas("dosenbach")


def test_public_names_are_exported():
    for name in brain.__all__:
        assert hasattr(brain, name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert callable(brain.make_task_fmri_dataset)


def test_importing_the_package_does_not_import_nilearn():
    import subprocess

    code = (
        "import sys; import ica_sklearn.brain; "
        "assert 'nilearn' not in sys.modules, 'nilearn imported eagerly'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
