"""RNNClassifier's probabilities: float64 like scikit-learn's classifiers,
and predict_log_proba from the logits."""

import copy

import numpy as np
import pytest
import torch

from ica_sklearn import RNNClassifier

FAST = dict(max_epochs=5, lr=0.02, attention_hops=3, attention_dim=4, random_state=0)


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.RandomState(0)
    y = np.repeat(["a", "b", "c"], 10)
    X = rng.normal(size=(30, 6, 2)).astype(np.float32)
    X[:, :2, 0] += np.repeat([-1.0, 0.0, 1.0], 10)[:, None]
    return RNNClassifier("ica_gru", **FAST).fit(X, y), X


def test_probabilities_are_float64_and_sum_to_one_in_float64(fitted):
    clf, X = fitted
    assert clf.dtype == "float32"
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float64 and proba.shape == (30, 3)
    # A softmax taken in float32 and cast would be off by ~1e-7.
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-14)


def test_log_proba_matches_proba_and_predict(fitted):
    clf, X = fitted
    log_proba = clf.predict_log_proba(X)
    assert log_proba.dtype == np.float64 and log_proba.shape == (30, 3)
    np.testing.assert_allclose(np.exp(log_proba), clf.predict_proba(X), rtol=1e-12)
    np.testing.assert_array_equal(clf.classes_[log_proba.argmax(axis=1)], clf.predict(X))


def test_log_proba_stays_finite_where_probabilities_underflow(fitted):
    clf, X = fitted
    clf = copy.deepcopy(clf)  # (the fixture's model stays as it is)
    with torch.no_grad():
        clf.module_.head.weight.mul_(1e5)
        clf.module_.head.bias.mul_(1e5)
    proba, log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
    assert (proba == 0).any()  # probabilities below float64's range
    assert np.isfinite(log_proba).all()
    assert log_proba.min() < -745  # below log of the smallest float64
