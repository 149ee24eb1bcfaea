"""Region signals: ids, lost regions, standardisation, stacking runs."""


import numpy as np
import pytest

pytest.importorskip("nilearn")
nibabel = pytest.importorskip("nibabel")

from ica_sklearn.brain import (  # noqa: E402
    atlas_from_labels_img,
    extract_region_signals,
    extract_subjects_region_signals,
    saliency_to_img,
)

def block_labels_img(affine=np.eye(4)):
    """6 x 6 x 6 grid: region 2 in x < 3, region 7 in x >= 3 (y < 3), region 4 a single voxel."""
    labels = np.zeros((6, 6, 6), dtype=np.int16)
    labels[:3] = 2
    labels[3:, :3] = 7
    labels[5, 5, 5] = 4
    return nibabel.Nifti1Image(labels, affine)


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


def _nilearn_before(version):
    import nilearn
    from packaging.version import Version

    return Version(nilearn.__version__) < Version(version)


@pytest.mark.skipif(
    _nilearn_before("0.13"),
    reason="nilearn < 0.13 keeps regions outside mask_img as zero columns instead of dropping them",
)
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
