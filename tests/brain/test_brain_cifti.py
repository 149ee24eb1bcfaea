"""HCP CIFTI-2 files, written here with nibabel: region signals and maps back."""

import numpy as np
import pytest

nibabel = pytest.importorskip("nibabel")
pytest.importorskip("nilearn")
from nibabel.cifti2 import cifti2_axes as axes  # noqa: E402

from ica_sklearn.brain import (  # noqa: E402
    cifti_region_signals,
    cifti_region_values_to_img,
    cifti_to_surface_and_volume,
    cifti_to_surface_image,
    load_cifti_parcellation,
)

N_VERTICES = 12  # per hemisphere, of which 10 are in the file (2 "medial wall")


@pytest.fixture(scope="module")
def hcp_like_files(tmp_path_factory):
    """A 2 x 10-vertex cortex + 4 thalamus voxels dtseries and a 3-parcel dlabel, on disk."""
    folder = tmp_path_factory.mktemp("cifti")
    vertices = np.arange(10)
    mask = np.zeros((3, 3, 3), dtype=bool)
    mask[1, 1, :] = True
    mask[0, 0, 0] = True
    models = (axes.BrainModelAxis.from_surface(vertices, N_VERTICES, "CortexLeft")
              + axes.BrainModelAxis.from_surface(vertices, N_VERTICES, "CortexRight")
              + axes.BrainModelAxis.from_mask(mask, affine=np.eye(4), name="ThalamusLeft"))
    labels = np.concatenate([np.repeat([1, 2], 5), np.repeat([2, 0], 5), np.full(4, 3)])
    table = {0: ("???", (0, 0, 0, 0)), 1: ("L_V1_ROI", (1, 0, 0, 1)),
             2: ("M1", (0, 1, 0, 1)), 3: ("thalamus", (0, 0, 1, 1)), 4: ("empty", (1, 1, 1, 1))}
    dlabel = nibabel.Cifti2Image(labels[None].astype(np.float32),
                                 (axes.LabelAxis(["parcels"], [table]), models))
    n_timesteps = 20
    rng = np.random.default_rng(0)
    data = rng.standard_normal((n_timesteps, len(models))).astype(np.float32)
    data[:, labels == 3] += np.arange(n_timesteps)[:, None]
    dtseries = nibabel.Cifti2Image(data, (axes.SeriesAxis(0, 0.72, n_timesteps), models))
    paths = folder / "run.dtseries.nii", folder / "parcels.dlabel.nii"
    nibabel.save(dtseries, paths[0])
    nibabel.save(dlabel, paths[1])
    return paths, data, labels


def test_region_signals_are_grayordinate_means_with_label_names(hcp_like_files):
    (dtseries, dlabel), data, labels = hcp_like_files
    parcellation = load_cifti_parcellation(dlabel)
    assert parcellation.region_ids.tolist() == [1, 2, 3]
    assert parcellation.names.tolist() == ["L_V1_ROI", "M1", "thalamus"]
    result = cifti_region_signals(dtseries, parcellation)
    for column, region_id in enumerate([1, 2, 3]):
        np.testing.assert_allclose(result.signals[:, column],
                                   data[:, labels == region_id].mean(axis=1), rtol=1e-5)
    standardized = cifti_region_signals(dtseries, dlabel, standardize=True)
    np.testing.assert_allclose(standardized.signals.std(axis=0, ddof=1), 1.0, rtol=1e-5)


def test_values_go_back_to_surface_and_volume(hcp_like_files, tmp_path):
    (_, dlabel), _, _ = hcp_like_files
    parcellation = load_cifti_parcellation(dlabel)
    dscalar = cifti_region_values_to_img([[1.0, -2.0, 3.0], [0.0, 0.0, 5.0]], parcellation,
                                         map_names=["0-20 s", "20-40 s"])
    nibabel.save(dscalar, tmp_path / "saliency.dscalar.nii")  # a file Workbench opens
    maps = cifti_to_surface_and_volume(tmp_path / "saliency.dscalar.nii")
    assert maps.left.shape == (N_VERTICES, 2)
    assert maps.left[:5, 0].tolist() == [1.0] * 5 and maps.left[5:10, 0].tolist() == [-2.0] * 5
    assert maps.left[10:, 0].tolist() == [0.0, 0.0]  # vertices not in the file
    assert maps.right[:5, 0].tolist() == [-2.0] * 5
    volume = maps.volume.get_fdata()
    assert volume.shape == (3, 3, 3, 2) and volume[1, 1, 2, 1] == 5.0 and volume[2, 2, 2, 1] == 0


def test_surface_image_for_plotting_needs_the_files_mesh(hcp_like_files):
    from nilearn.surface import InMemoryMesh, PolyMesh

    (_, dlabel), _, _ = hcp_like_files
    parcellation = load_cifti_parcellation(dlabel)
    dscalar = cifti_region_values_to_img([1.0, -2.0, 3.0], parcellation)
    rng = np.random.default_rng(0)
    faces = np.array([[0, 1, 2], [2, 3, 4]])
    mesh = PolyMesh(left=InMemoryMesh(rng.random((N_VERTICES, 3)), faces),
                    right=InMemoryMesh(rng.random((N_VERTICES, 3)), faces))
    surface_img = cifti_to_surface_image(dscalar, mesh)
    assert surface_img.data.parts["right"][:5].tolist() == [-2.0] * 5
    small = PolyMesh(left=InMemoryMesh(rng.random((5, 3)), faces),
                     right=InMemoryMesh(rng.random((5, 3)), faces))
    with pytest.raises(ValueError, match="mesh of the file's space"):
        cifti_to_surface_image(dscalar, small)


def test_mismatched_grayordinates_are_refused(hcp_like_files):
    (dtseries, _), _, _ = hcp_like_files
    models = axes.BrainModelAxis.from_surface(np.arange(4), 4, "CortexLeft")
    other = nibabel.Cifti2Image(np.ones((1, 4)), (axes.LabelAxis(
        ["p"], [{0: ("???", (0, 0, 0, 0)), 1: ("a", (1, 0, 0, 1))}]), models))
    with pytest.raises(ValueError, match="different grayordinates"):
        cifti_region_signals(dtseries, load_cifti_parcellation(other))
