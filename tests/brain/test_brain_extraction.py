"""Extraction through nilearn maskers: kinds of atlases, fitted maskers, confounds, grids."""

import warnings

import numpy as np
import pandas as pd
import pytest

nibabel = pytest.importorskip("nibabel")
maskers = pytest.importorskip("nilearn.maskers")

from ica_sklearn.brain import (  # noqa: E402
    atlas_from_coords,
    atlas_from_labels_img,
    atlas_from_maps_img,
    atlas_from_surface_labels,
    extract_region_signals,
    extract_subjects_region_signals,
    load_coords_atlas,
    nilearn_standardize,
    saliency_to_img,
)


def labels_img():
    labels = np.zeros((6, 6, 6), dtype=np.int16)
    labels[:3] = 2
    labels[3:, :3] = 7
    return nibabel.Nifti1Image(labels, np.eye(4))


def noisy_run(n_timesteps=30, seed=0, affine=np.eye(4), shape=(6, 6, 6)):
    rng = np.random.default_rng(seed)
    return nibabel.Nifti1Image(rng.standard_normal(shape + (n_timesteps,)).astype(np.float32),
                               affine)


def test_background_entry_of_nilearn_labels_is_accepted():
    atlas = atlas_from_labels_img(labels_img(), names=["Background", "left", "right"])
    assert atlas.names.tolist() == ["left", "right"]
    lut = pd.DataFrame({"index": [0, 2, 7], "name": ["Background", "a", "b"]})
    assert atlas_from_labels_img(labels_img(), lut=lut).names.tolist() == ["a", "b"]
    with pytest.raises(ValueError, match="Background"):
        atlas_from_labels_img(labels_img(), names=["only one"])


def test_extraction_equals_nilearns_labels_masker_and_standardizes_with_ddof_1():
    atlas = atlas_from_labels_img(labels_img())
    run = noisy_run()
    ours = extract_region_signals(run, atlas, standardize=True)
    theirs = maskers.NiftiLabelsMasker(labels_img(), standardize="zscore_sample").fit_transform(
        run)
    np.testing.assert_allclose(ours.signals, theirs, atol=1e-6)
    np.testing.assert_allclose(ours.signals.std(axis=0, ddof=1), 1.0, atol=1e-6)
    assert nilearn_standardize(True) == "zscore_sample"


def test_a_fitted_masker_is_used_as_is_and_its_columns_get_region_ids():
    masker = maskers.NiftiLabelsMasker(labels_img(), detrend=True, standardize=None).fit()
    result = extract_region_signals(noisy_run(), masker)
    assert result.region_ids.tolist() == [2, 7]
    expected = masker.transform(noisy_run())
    np.testing.assert_allclose(result.signals, expected, atol=1e-6)


def test_per_run_confounds_are_regressed_out_run_by_run():
    atlas = atlas_from_labels_img(labels_img())
    runs, confounds = [], []
    for seed in range(2):
        rng = np.random.default_rng(seed)
        drift = rng.standard_normal(30)
        data = np.asarray(noisy_run(seed=seed).dataobj) * 0.01 + 5 * drift
        runs.append(nibabel.Nifti1Image(data.astype(np.float32), np.eye(4)))
        confounds.append(drift[:, None])
    X, _ = extract_subjects_region_signals(runs, atlas, confounds=confounds)
    raw, _ = extract_subjects_region_signals(runs, atlas)
    # each run's own drift is removed (what is left is the 0.01-scaled noise)
    assert X.std(axis=1).max() < 0.05 < raw.std(axis=1).min()
    with pytest.raises(ValueError, match="one per run"):
        extract_subjects_region_signals(runs, atlas, confounds=confounds[:1])


def test_fmriprep_confounds_are_loaded_next_to_the_bold_file(tmp_path):
    bold = tmp_path / "sub-01_task-rest_space-MNI_desc-preproc_bold.nii.gz"
    n_timesteps = 30
    rng = np.random.default_rng(0)
    motion = rng.standard_normal((n_timesteps, 6))
    data = np.asarray(noisy_run(n_timesteps).dataobj) * 0.01 + 3 * motion[:, 0]
    nibabel.save(nibabel.Nifti1Image(data.astype(np.float32), np.eye(4)), bold)
    columns = ["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z"]
    table = pd.DataFrame(motion, columns=columns)
    table.to_csv(tmp_path / "sub-01_task-rest_desc-confounds_timeseries.tsv", sep="\t",
                 index=False)
    (tmp_path / "sub-01_task-rest_desc-confounds_timeseries.json").write_text("{}")
    atlas = atlas_from_labels_img(labels_img())
    cleaned = extract_region_signals(bold, atlas, confounds="fmriprep",
                                     fmriprep_kwargs={"strategy": ("motion",),
                                                      "motion": "basic"})
    raw = extract_region_signals(bold, atlas)
    assert cleaned.signals.std(axis=0).max() < 0.05 < raw.signals.std(axis=0).min()


def test_probabilistic_4d_atlas_goes_through_the_maps_masker():
    maps = np.zeros((6, 6, 6, 2), dtype=np.float32)
    maps[:3, ..., 0] = 1.0
    maps[3:, ..., 1] = 0.5
    maps_img = nibabel.Nifti1Image(maps, np.eye(4))
    atlas = atlas_from_labels_img(maps_img, names=["front", "back"])  # 4D: passed on
    assert atlas.kind == "maps" and atlas.names.tolist() == ["front", "back"]
    run = noisy_run()
    ours = extract_region_signals(run, atlas).signals
    theirs = maskers.NiftiMapsMasker(maps_img, standardize=None).fit_transform(run)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    img = saliency_to_img([2.0, -1.0], atlas)  # inverse mapping: maps weighted by the values
    volume = img.get_fdata()
    assert volume[0, 0, 0] == pytest.approx(2.0) and volume[5, 5, 5] == pytest.approx(-0.5)
    assert atlas_from_maps_img(maps_img).voxel_counts().tolist() == [108, 108]


def test_spheres_are_redrawn_on_the_data_grid_and_match_nilearns_spheres_masker():
    atlas = load_coords_atlas("dosenbach")
    template_3mm = np.diag([3.0, 3.0, 3.0, 1.0])
    template_3mm[:3, 3] = [-90, -126, -72]
    run = noisy_run(12, shape=(61, 73, 61), affine=template_3mm)
    ours = extract_region_signals(run, atlas, missing="drop")
    seeds = atlas.coords[atlas.index_of(ours.region_ids)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = maskers.NiftiSpheresMasker(seeds, radius=5.0, allow_overlap=True).fit_transform(
            run)
    correlation = [np.corrcoef(a, b)[0, 1] for a, b in zip(ours.signals.T, theirs.T)]
    assert np.median(correlation) > 0.99 and np.min(correlation) > 0.9


def test_reference_img_puts_a_coordinate_atlas_on_that_grid():
    affine = np.diag([3.0, 3.0, 3.0, 1.0])
    affine[:3, 3] = [-90, -126, -72]
    reference = nibabel.Nifti1Image(np.zeros((61, 73, 61), np.int8), affine)
    atlas = load_coords_atlas("dosenbach", reference_img=reference)
    assert atlas.labels_img.shape == (61, 73, 61)
    np.testing.assert_allclose(atlas.labels_img.affine, affine)
    coarse = atlas_from_coords([[0, 0, 0]], radius=4.0, reference_img=reference)
    assert coarse.voxel_counts()[0] == 7  # the centre voxel and its 6 neighbours at 3 mm


def test_surface_atlas_extraction_and_inverse_mapping():
    n_vertices = 10242
    left = np.where(np.arange(n_vertices) < 5000, 1, 2)
    right = np.where(np.arange(n_vertices) < 100, 0, 3)
    atlas = atlas_from_surface_labels(left, right, names=["a", "b", "c"])
    assert atlas.kind == "surface" and atlas.region_ids.tolist() == [1, 2, 3]
    rng = np.random.default_rng(0)
    data = {"left": rng.standard_normal((n_vertices, 8)),
            "right": rng.standard_normal((n_vertices, 8))}
    data["left"][:5000] += 10.0
    result = extract_region_signals(data, atlas)
    np.testing.assert_allclose(result.signals[:, 0], data["left"][:5000].mean(axis=0),
                               rtol=1e-5)
    np.testing.assert_allclose(result.signals[:, 2], data["right"][100:].mean(axis=0),
                               rtol=1e-5)
    surface_img = saliency_to_img([1.0, 0.0, 3.0], atlas)
    assert set(np.unique(surface_img.data.parts["left"][:5000])) == {1.0}
    assert set(np.unique(surface_img.data.parts["right"][:100])) == {0.0}


def test_freesurfer_style_shared_ids_get_hemisphere_prefixes(tmp_path):
    path = tmp_path / "lh.label.gii"
    table = nibabel.gifti.GiftiLabelTable()
    for key, name in [(0, "unknown"), (1, "precentral")]:
        label = nibabel.gifti.GiftiLabel(key)
        label.label = name
        table.labels.append(label)
    values = (np.arange(10242) % 2).astype(np.int32)
    image = nibabel.gifti.GiftiImage(labeltable=table,
                                     darrays=[nibabel.gifti.GiftiDataArray(values)])
    nibabel.save(image, path)
    atlas = atlas_from_surface_labels(path, path)
    assert atlas.names.tolist() == ["L precentral", "R precentral"]
    assert atlas.region_ids.tolist() == [1, 1001]
