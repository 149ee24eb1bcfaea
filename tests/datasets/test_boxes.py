"""Tests for the synthetic box datasets."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ica_sklearn.datasets import (
    BACKGROUND_PROCESSES,
    BOX_LAYOUTS,
    MIXED_BOX_CHOICES,
    box_mask,
    list_box_layouts,
    make_box_dataset,
    make_box_train_test,
)

# The table of MISSION.md, written out cell range by cell range (end exclusive).
PAPER_BOXES = {
    "earlier_box": [(slice(0, 30), slice(10, 90))],
    "latter_box": [(slice(70, 100), slice(10, 90))],
    "middle_box": [(slice(20, 80), slice(20, 80))],
    "three_earlier_boxes": [(slice(0, 40), f) for f in (slice(0, 30), slice(35, 65), slice(70, 100))],
    "three_middle_boxes": [(slice(25, 65), f) for f in (slice(0, 30), slice(35, 65), slice(70, 100))],
}
ALL_BACKGROUNDS = sorted(BACKGROUND_PROCESSES)


def paper_mask(name):
    mask = np.zeros((100, 100), dtype=bool)
    for time, feature in PAPER_BOXES[name]:
        mask[time, feature] = True
    return mask


def test_layout_names_are_the_papers_six():
    assert list_box_layouts() == [
        "earlier_box",
        "latter_box",
        "middle_box",
        "three_earlier_boxes",
        "three_middle_boxes",
        "mixed_boxes",
    ]
    assert set(MIXED_BOX_CHOICES) <= set(BOX_LAYOUTS)


@pytest.mark.parametrize("name", sorted(PAPER_BOXES))
def test_box_mask_matches_the_papers_table(name):
    np.testing.assert_array_equal(box_mask(name), paper_mask(name))


def test_box_mask_scales_ranges_proportionally():
    # 100 -> 50 steps halves every bound: earlier box t 0-30 -> 0-15, f 10-90 -> 5-45.
    mask = box_mask("earlier_box", n_timesteps=50, n_features=50)
    expected = np.zeros((50, 50), dtype=bool)
    expected[0:15, 5:45] = True
    np.testing.assert_array_equal(mask, expected)
    # 100 -> 200 doubles them.
    np.testing.assert_array_equal(
        box_mask("middle_box", 200, 200).nonzero()[0][[0, -1]], [40, 159]
    )


def test_box_mask_keeps_at_least_one_cell_on_tiny_grids():
    mask = box_mask("three_earlier_boxes", n_timesteps=1, n_features=3)
    assert mask.shape == (1, 3)
    assert mask.any()


def test_custom_boxes_are_used_as_given():
    mask = box_mask([((1, 3), (0, 2)), ((4, 5), (3, 4))], n_timesteps=6, n_features=4)
    assert mask.sum() == 2 * 2 + 1
    assert mask[1:3, 0:2].all() and mask[4, 3]


@pytest.mark.parametrize(
    "layout, match",
    [
        ("no_such_box", "Unknown box layout"),
        ("mixed_boxes", "per sample"),
        ([], "non-empty list of boxes"),
        ([((0, 101), (0, 10))], "timestep range"),
        ([((5, 5), (0, 10))], "timestep range"),
        ([((0, 10), (-1, 10))], "feature range"),
        ([((0, 10), (0.5, 10))], "feature range"),
        ([(0, 10)], "Box 0"),
    ],
)
def test_box_mask_errors(layout, match):
    with pytest.raises(ValueError, match=match):
        box_mask(layout)


@pytest.mark.parametrize("name", sorted(PAPER_BOXES))
def test_signal_is_exactly_where_the_mask_says(name):
    X, y, mask = make_box_dataset(name, n_samples=200, random_state=0)
    assert X.dtype == np.float32 and y.dtype == np.int64 and mask.dtype == bool
    assert X.shape == mask.shape == (200, 100, 100)
    np.testing.assert_array_equal(mask, np.broadcast_to(paper_mask(name), mask.shape))
    class_of_cell = np.broadcast_to(y[:, None, None], X.shape)
    # Inside the box: N(-1, 1) for class 0, N(+1, 1) for class 1.
    for label, mean in [(0, -1.0), (1, 1.0)]:
        inside = X[mask & (class_of_cell == label)]
        assert abs(inside.mean() - mean) < 0.02
        assert abs(inside.std() - 1.0) < 0.02
    # Outside: N(0, 1) whatever the class.
    for label in (0, 1):
        outside = X[~mask & (class_of_cell == label)]
        assert abs(outside.mean()) < 0.02
        assert abs(outside.std() - 1.0) < 0.02


def test_labels_are_balanced_and_shuffled():
    _, y, _ = make_box_dataset(n_samples=101, n_timesteps=4, n_features=4, random_state=1)
    assert set(np.unique(y)) == {0, 1}
    assert abs((y == 0).sum() - (y == 1).sum()) == 1
    assert not np.all(y[:-1] <= y[1:])  # not sorted
    _, y3, _ = make_box_dataset(
        n_samples=30, n_timesteps=4, n_features=4, class_means=(-1, 0, 1), random_state=1
    )
    np.testing.assert_array_equal(np.bincount(y3), [10, 10, 10])


def test_mixed_boxes_draws_one_papers_box_per_sample():
    X, y, mask = make_box_dataset("mixed_boxes", n_samples=300, random_state=0)
    candidates = np.stack([paper_mask(name) for name in MIXED_BOX_CHOICES])
    matches = (mask[:, None] == candidates[None]).all(axis=(2, 3))
    assert (matches.sum(axis=1) == 1).all()  # every sample has exactly one of the boxes
    counts = matches.sum(axis=0)
    assert (counts > 60).all()  # all three are drawn, roughly uniformly
    # The signal follows each sample's own mask.
    signed = np.where(y == 1, 1.0, -1.0)[:, None]
    inside_means = (X * mask).sum(axis=(1, 2)) / mask.sum(axis=(1, 2))
    assert ((inside_means * signed[:, 0]) > 0.5).all()


def test_custom_layout_class_means_and_noise():
    boxes = [((2, 4), (1, 3))]
    X, y, mask = make_box_dataset(
        boxes, n_samples=50, n_timesteps=6, n_features=5, class_means=(3.0, 7.0),
        noise=0.0, random_state=0,
    )
    expected = np.zeros((6, 5), dtype=bool)
    expected[2:4, 1:3] = True
    np.testing.assert_array_equal(mask, np.broadcast_to(expected, mask.shape))
    # noise=0: background exactly 0, box exactly the class mean.
    np.testing.assert_array_equal(X[~mask], 0.0)
    np.testing.assert_array_equal(X[mask].reshape(50, -1), np.where(y == 0, 3.0, 7.0)[:, None].repeat(4, 1))


@pytest.mark.parametrize("background", ALL_BACKGROUNDS)
def test_backgrounds_are_deterministic_and_unit_variance(background):
    kwargs = dict(n_samples=200, n_timesteps=50, n_features=20, background=background)
    X, y, mask = make_box_dataset("middle_box", random_state=3, **kwargs)
    X_again, y_again, mask_again = make_box_dataset("middle_box", random_state=3, **kwargs)
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(y, y_again)
    np.testing.assert_array_equal(mask, mask_again)
    X_other, _, _ = make_box_dataset("middle_box", random_state=4, **kwargs)
    assert not np.array_equal(X, X_other)
    assert np.isfinite(X).all()
    outside = X[~mask]
    assert abs(outside.mean()) < 0.05
    assert abs(outside.std() - 1.0) < 0.05
    difference = X[mask & (y == 1)[:, None, None]].mean() - X[mask & (y == 0)[:, None, None]].mean()
    assert abs(difference - 2.0) < 0.1


def lag_one_correlation(X):
    centred = X - X.mean()
    return float((centred[:, 1:] * centred[:, :-1]).mean() / centred.var())


def test_autoregressive_background_has_the_requested_correlation():
    X, _, _ = make_box_dataset(
        [((0, 1), (0, 1))], n_samples=300, n_timesteps=60, n_features=10,
        background="autoregressive", ar_coefficient=0.7, class_means=(0.0, 0.0),
        random_state=0,
    )
    assert abs(lag_one_correlation(X) - 0.7) < 0.03


@pytest.mark.parametrize("background", ["harmonic", "gaussian_process", "narma"])
def test_structured_backgrounds_are_correlated_in_time(background):
    X, _, _ = make_box_dataset(
        [((0, 1), (0, 1))], n_samples=100, n_timesteps=60, n_features=10,
        background=background, class_means=(0.0, 0.0), random_state=0,
    )
    white, _, _ = make_box_dataset(
        [((0, 1), (0, 1))], n_samples=100, n_timesteps=60, n_features=10,
        class_means=(0.0, 0.0), random_state=0,
    )
    assert abs(lag_one_correlation(white)) < 0.05
    assert abs(lag_one_correlation(X)) > 0.2


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_samples=0), "n_samples"),
        (dict(n_timesteps=2.5), "n_timesteps"),
        (dict(class_means=(1.0,)), "class_means"),
        (dict(noise=-1.0), "noise"),
        (dict(background="brownian"), "background.*must be a str among"),
        (dict(background="gaussian", ar_coefficient=0.5), "does not take"),
        (dict(background="autoregressive", ar_coefficient=1.0), "ar_coefficient"),
        (dict(background="harmonic", frequency_range=(3, 1)), "frequency_range"),
        (dict(background="harmonic", noise_fraction=2), "noise_fraction"),
        (dict(background="gaussian_process", length_scale=0), "length_scale"),
        (dict(background="narma", narma_order=0), "narma_order"),
        (dict(layout="earliest_box"), "Unknown box layout"),
    ],
)
def test_make_box_dataset_errors(kwargs, match):
    kwargs = {"n_samples": 4, "n_timesteps": 10, "n_features": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        make_box_dataset(**kwargs)


def test_train_test_is_standardised_on_train_only():
    X_train, X_test, y_train, y_test, mask_train, mask_test = make_box_train_test(
        "earlier_box", n_train=200, n_test=60, n_timesteps=20, n_features=10,
        random_state=0,
    )
    assert X_train.shape == (200, 20, 10) and X_test.shape == (60, 20, 10)
    assert X_train.dtype == X_test.dtype == np.float32
    np.testing.assert_allclose(X_train.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(X_train.std(axis=0), 1.0, atol=1e-4)
    # The test split is transformed with the train statistics, so it is not exactly standard.
    assert np.abs(X_test.mean(axis=0)).max() > 1e-3
    assert abs((y_train == 1).sum() - 100) <= 1 and abs((y_test == 1).sum() - 30) <= 1
    np.testing.assert_array_equal(mask_train[0], box_mask("earlier_box", 20, 10))
    np.testing.assert_array_equal(mask_test[0], box_mask("earlier_box", 20, 10))


def test_train_test_is_deterministic_and_splits_differ():
    first = make_box_train_test(n_train=20, n_test=10, n_timesteps=5, n_features=5, random_state=7)
    second = make_box_train_test(n_train=20, n_test=10, n_timesteps=5, n_features=5, random_state=7)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    raw = make_box_train_test(
        n_train=20, n_test=20, n_timesteps=5, n_features=5, standardize=False, random_state=7
    )
    assert not np.array_equal(raw[0], raw[1])


@settings(max_examples=30, deadline=None)
@given(
    layout=st.sampled_from(list_box_layouts()),
    n_samples=st.integers(1, 6),
    n_timesteps=st.integers(1, 30),
    n_features=st.integers(1, 30),
    seed=st.integers(0, 1000),
)
def test_any_grid_size_gives_consistent_shapes_property(layout, n_samples, n_timesteps, n_features, seed):
    X, y, mask = make_box_dataset(
        layout, n_samples, n_timesteps=n_timesteps, n_features=n_features, random_state=seed
    )
    assert X.shape == mask.shape == (n_samples, n_timesteps, n_features)
    assert y.shape == (n_samples,)
    assert mask.any(axis=(1, 2)).all()  # every sample has a box, however small the grid
    assert np.isfinite(X).all()
