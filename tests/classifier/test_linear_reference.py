"""The transparent reference: logistic regression on the flattened sequence."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from ica_sklearn import SaliencyExplainer
from ica_sklearn.classifier import LinearReferenceClassifier
from ica_sklearn.datasets import make_box_dataset
from ica_sklearn.metrics import saliency_auc


@parametrize_with_checks([LinearReferenceClassifier(max_iter=200)])
def test_scikit_learn_contract(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def box():
    return make_box_dataset("earlier_box", 200, n_timesteps=10, n_features=8, random_state=0)


def test_it_is_logistic_regression_on_the_flattened_input(box):
    X, y, _ = box
    ref = LinearReferenceClassifier(C=0.5).fit(X, y)
    flat = X.reshape(len(X), -1).astype(np.float64)
    plain = LogisticRegression(C=0.5, max_iter=1000).fit(flat, y)
    np.testing.assert_allclose(ref.predict_proba(X), plain.predict_proba(flat))


@pytest.mark.parametrize("n_classes", [2, 3])
def test_the_torch_module_gives_the_same_probabilities(n_classes):
    X, y, _ = make_box_dataset("earlier_box", 90, n_timesteps=6, n_features=4,
                               class_means=np.linspace(-1, 1, n_classes), random_state=0)
    ref = LinearReferenceClassifier().fit(X, y)
    with torch.no_grad():
        logits = ref.module_(torch.as_tensor(X, dtype=torch.float64))
    np.testing.assert_allclose(torch.softmax(logits, 1).numpy(), ref.predict_proba(X), atol=1e-12)


def test_its_input_x_gradient_map_is_each_cells_contribution(box):
    X, y, mask = box
    ref = LinearReferenceClassifier().fit(X, y)
    maps = SaliencyExplainer(ref, "input_x_gradient", output="logit", absolute=False).transform(X, y)
    w = ref.logistic_.coef_.reshape(X.shape[1:])
    sign = np.where(y == 1, 1.0, -1.0)[:, None, None]
    np.testing.assert_allclose(maps, sign * w * X / 2.0, rtol=1e-6, atol=1e-12)
    assert saliency_auc(mask, maps).mean() > 0.9


def test_shorter_sequences_are_zero_padded_and_longer_ones_refused(box):
    X, y, _ = box
    ref = LinearReferenceClassifier().fit(X, y)
    padded = np.concatenate([X[:5, :6], np.zeros((5, 4, X.shape[2]))], axis=1)
    np.testing.assert_allclose(ref.predict_proba(X[:5, :6]), ref.predict_proba(padded))
    with pytest.raises(ValueError, match="fitted on 10"):
        ref.predict(np.zeros((2, 12, X.shape[2])))
