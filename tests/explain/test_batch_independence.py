"""Every deterministic method gives a sample the map it gets alone, in any
batch and at any ``batch_size``; stochastic methods are reproducible under a
seed; feature permutation, which compares samples, does not depend on
``batch_size`` and refuses a single sample."""

import numpy as np
import pytest

from ica_sklearn import RNNClassifier, SaliencyExplainer
from ica_sklearn.explain import METHODS

FAST_PARAMS = {
    "integrated_gradients": {"n_steps": 4},
    "smoothgrad": {"nt_samples": 3},
    "gradient_shap": {"n_samples": 2},
    "shapley_sampling": {"n_samples": 1},
}
DETERMINISTIC = [name for name, method in METHODS.items() if not method.stochastic]
STOCHASTIC = [name for name, method in METHODS.items() if method.stochastic]


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(5)
    y = np.repeat([0, 1], 4)
    X = rng.normal(size=(8, 6, 3))
    X[:, :2] += np.where(y == 1, 1.0, -1.0)[:, None, None]
    X[2, 4:] = np.nan  # two shorter sequences
    X[5, 3:] = np.nan
    return X, y


@pytest.fixture(scope="module")
def clf(data):
    X, y = data
    return RNNClassifier(max_epochs=3, hidden_size=3, attention_hops=2, attention_dim=3, lr=0.05,
                         dtype="float64", random_state=0).fit(X, y)


def _explain(clf, X, y, method, **params):
    return SaliencyExplainer(clf, method, method_params=FAST_PARAMS.get(method), random_state=1,
                             **params).transform(X, y)


def _close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-12)


def test_every_method_is_classified():
    assert set(DETERMINISTIC) | set(STOCHASTIC) == set(METHODS)
    assert {"gradient", "deeplift", "deeplift_shap", "occlusion"} <= set(DETERMINISTIC)


@pytest.mark.parametrize("output", ["probability", "logit"])
@pytest.mark.parametrize("method", DETERMINISTIC)
def test_a_sample_gets_its_own_map_in_any_batch(method, output, clf, data):
    X, y = data
    reference = _explain(clf, X, y, method, output=output)
    for batch_size in (1, 3):
        _close(_explain(clf, X, y, method, output=output, batch_size=batch_size), reference)
    order = np.array([7, 2, 0, 5, 1, 6, 3, 4])
    _close(_explain(clf, X[order], y[order], method, output=output), reference[order])
    for i in (2, 4):  # alone (a shorter sequence, then a full one)
        alone = _explain(clf, X[i : i + 1], y[i : i + 1], method, output=output)
        length = alone.shape[1]
        _close(alone[0], reference[i, :length])
        assert np.isnan(reference[i, length:]).all()


@pytest.mark.parametrize("method", STOCHASTIC)
def test_stochastic_methods_are_reproducible_under_a_seed(method, clf, data):
    X, y = data
    first = _explain(clf, X, y, method, batch_size=4)
    np.testing.assert_array_equal(first, _explain(clf, X, y, method, batch_size=4))
    other = SaliencyExplainer(clf, method, method_params=FAST_PARAMS.get(method),
                              random_state=2, batch_size=4).transform(X, y)
    assert not np.array_equal(np.nan_to_num(first), np.nan_to_num(other))


def test_feature_permutation_does_not_depend_on_batch_size(clf, data):
    X, y = data
    maps = [_explain(clf, X, y, "feature_permutation", batch_size=size) for size in (1, 3, 64)]
    for other in maps[1:]:
        _close(other, maps[0])
    assert np.nanmax(maps[0]) > 0


def test_feature_permutation_refuses_a_single_sample_and_tsr(clf, data):
    X, y = data
    with pytest.raises(ValueError, match=r"needs at least 2 samples at once; got 1"):
        _explain(clf, X[:1], y[:1], "feature_permutation")
    with pytest.raises(ValueError, match=r"tsr=True does not work with method='feature_permutation'"):
        _explain(clf, X, y, "feature_permutation", tsr=True)
