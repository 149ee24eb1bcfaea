"""Time and feature localisation, and the row-wise AUC behind them."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from ica_sklearn.datasets import make_box_dataset
from ica_sklearn.metrics import (
    feature_localization,
    saliency_auc,
    skill_over_random,
    time_localization,
)
from ica_sklearn.metrics._ranking import rowwise_auc


def test_rowwise_auc_equals_scikit_learn_row_by_row():
    rng = np.random.RandomState(0)
    scores = rng.randint(0, 5, size=(20, 30)).astype(float)  # many ties
    positive = rng.rand(20, 30) < 0.3
    valid = rng.rand(20, 30) < 0.8
    got = rowwise_auc(scores, positive, valid)
    for row in range(20):
        keep = valid[row]
        expected = roc_auc_score(positive[row, keep], scores[row, keep])
        assert got[row] == pytest.approx(expected)


def test_rowwise_auc_is_nan_without_both_classes():
    scores = np.ones((2, 3))
    got = rowwise_auc(scores, np.array([[True] * 3, [False] * 3]), np.ones((2, 3), bool))
    assert np.isnan(got).all()


@pytest.fixture(scope="module")
def mixed():
    return make_box_dataset("mixed_boxes", n_samples=30, n_timesteps=20, n_features=10,
                            random_state=0)


def test_per_sample_time_mass_is_scored_against_each_samples_own_box(mixed):
    X, _, mask = mixed
    rng = np.random.RandomState(1)
    saliency = rng.rand(*X.shape)
    expected = []
    for sample in range(len(X)):
        scaled = (saliency[sample] - saliency[sample].min()) / np.ptp(saliency[sample])
        expected.append(roc_auc_score(mask[sample].any(axis=1), scaled.sum(axis=1)))
    np.testing.assert_allclose(time_localization(mask, saliency), expected)


def test_the_box_itself_localises_perfectly_and_a_random_map_at_chance(mixed):
    X, _, mask = mixed
    exact = mask.astype(float)
    assert (time_localization(mask, exact) == 1).all()
    assert (feature_localization(mask, exact) == 1).all()
    random_map = np.random.RandomState(0).rand(300, 20, 10)
    shared = mask[0]
    assert abs(time_localization(shared, random_map).mean() - 0.5) < 0.05
    assert abs(feature_localization(shared, random_map).mean() - 0.5) < 0.05


def test_a_stripe_over_the_right_features_tells_where_but_not_when(mixed):
    X, _, mask = mixed
    stripe = np.broadcast_to(mask.any(axis=1, keepdims=True), mask.shape).astype(float)
    np.testing.assert_allclose(time_localization(mask, stripe), 0.5)
    np.testing.assert_allclose(feature_localization(mask, stripe), 1.0)
    assert (saliency_auc(mask, stripe) < 0.9).all()  # the cell AUC sees the stripe too


def test_padding_is_left_out_and_full_span_boxes_give_nan():
    mask = np.zeros((4, 2), bool)
    mask[:2, 0] = True
    saliency = np.array([[[1.0, 0.0], [1.0, 0.0], [0.0, 0.0], [np.nan, np.nan]]])
    assert time_localization(mask, saliency)[0] == 1.0
    full_span = np.zeros((4, 2), bool)
    full_span[:, 0] = True
    assert np.isnan(time_localization(full_span, saliency))[0]


def test_skill_over_random():
    assert skill_over_random(1.0, 0.5) == 1.0
    assert skill_over_random(0.5, 0.5) == 0.0
    np.testing.assert_allclose(skill_over_random([0.4, 0.7], 0.4), [0.0, 0.5])
