"""The simulated task fMRI data set."""


import numpy as np
import pytest

pytest.importorskip("nilearn")
nibabel = pytest.importorskip("nibabel")

from ica_sklearn.brain import (  # noqa: E402
    make_task_fmri_dataset,
)

@pytest.fixture(scope="module")
def simulation():
    return make_task_fmri_dataset(n_subjects=4, n_timesteps=80, random_state=0, return_info=True)


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
