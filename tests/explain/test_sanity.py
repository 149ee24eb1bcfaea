"""Sanity checks: maps must change when the model's weights or labels are
randomised; model-free maps must not."""

import numpy as np
import pytest

from ica_sklearn import RNNClassifier
from ica_sklearn.datasets import make_box_dataset
from ica_sklearn.explain import (
    data_randomization_check,
    map_similarity,
    model_randomization_check,
)
from ica_sklearn.explain._sanity import _ssim


@pytest.fixture(scope="module")
def trained():
    X, y, _ = make_box_dataset([((0, 4), (0, 3))], n_samples=60, n_timesteps=12,
                               n_features=6, random_state=0)
    clf = RNNClassifier(max_epochs=20, lr=0.02, attention_hops=3, attention_dim=6,
                        random_state=0).fit(X, y)
    return clf, X, y


def test_ssim_of_constant_images_is_the_luminance_term():
    a, b = np.full((9, 9), 0.2), np.full((9, 9), 0.6)
    c1 = 0.01**2
    assert _ssim(a, b, 7) == pytest.approx((2 * 0.2 * 0.6 + c1) / (0.2**2 + 0.6**2 + c1))


def test_similarity_is_one_for_the_same_ranking_and_ignores_padding():
    rng = np.random.RandomState(0)
    maps = rng.rand(3, 10, 8)
    maps[0, 7:] = np.nan
    similarity = map_similarity(maps, maps**2)
    np.testing.assert_allclose(similarity["spearman"], 1.0)
    with pytest.raises(ValueError, match="same shape"):
        map_similarity(maps, maps[:, :5])


def test_gradient_maps_change_when_the_weights_are_randomised(trained):
    clf, X, y = trained
    result = model_randomization_check(clf, X, y, random_state=0)
    assert result["randomized"].tolist() == [
        "head", "head+recurrent", "head+recurrent+input_attention"
    ]
    assert result["spearman"].iloc[-1] < 0.5
    assert result["ssim"].iloc[-1] < 0.5


def test_a_model_free_map_fails_both_checks(trained):
    clf, X, y = trained
    weights = model_randomization_check(clf, X, y, method="input", random_state=0)
    np.testing.assert_allclose(weights[["spearman", "ssim"]].to_numpy(), 1.0)
    labels = data_randomization_check(clf, X, y, method="input", random_state=0)
    np.testing.assert_allclose(labels[["spearman", "ssim"]].to_numpy(), 1.0)


def test_refit_on_permuted_labels_changes_the_gradient_maps(trained):
    clf, X, y = trained
    result = data_randomization_check(clf, X, y, random_state=0)
    assert result["spearman"].iloc[0] < 0.5
    assert 0.0 <= result["permuted_train_accuracy"].iloc[0] <= 1.0
