"""Shared fixtures of the brain tests (helpers to look at figures: brain_figure_pixels)."""

import pytest

pytest.importorskip("nilearn")
pytest.importorskip("nibabel")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(scope="session")
def three_spheres():
    """Three 8 mm spheres on the 2 mm MNI grid: two motor regions and V1."""
    from ica_sklearn.brain import atlas_from_coords

    return atlas_from_coords(
        [[-40, -20, 50], [40, -20, 50], [0, -80, 10]],
        radius=8,
        region_ids=[5, 9, 12],
        names=["left M1", "right M1", "V1"],
        networks=["motor", "motor", "visual"],
    )
