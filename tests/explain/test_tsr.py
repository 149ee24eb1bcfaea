"""Temporal Saliency Rescaling: the batched version equals a plain loop."""

import numpy as np
import pytest
import torch
from sklearn.preprocessing import minmax_scale

from ica_sklearn import RNNClassifier
from ica_sklearn.explain._attribution import ScoreModule, make_attribution
from ica_sklearn.explain._tsr import temporal_saliency_rescaling
from ica_sklearn.explain import SaliencyExplainer

TINY = dict(max_epochs=3, hidden_size=4, attention_hops=3, attention_dim=4, random_state=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 5)
    X = rng.normal(size=(10, 8, 3))
    X[:, :3] += np.where(y == 1, 0.8, -0.8)[:, None, None]
    X[-2:, 6:] = np.nan  # two shorter sequences
    X[-1, 3:] = np.nan
    return X, y


@pytest.fixture(scope="module")
def clf(data):
    return RNNClassifier("ica_lstm", dtype="float64", **TINY).fit(*data)


def reference_tsr(attribute_one, x, threshold=0.55, mask_value=0.0, constant=0.1):
    """MISSION.md's steps, one sample and one masked copy at a time."""
    base = attribute_one(x)
    n_steps, n_features = x.shape
    tau = np.zeros(n_steps)
    for t in range(n_steps):
        masked = x.copy()
        masked[t, :] = mask_value
        tau[t] = np.abs(base - attribute_one(masked)).sum()
    tau = minmax_scale(tau)
    alpha = np.quantile(tau, threshold)
    relevance = np.zeros((n_steps, n_features))
    for t in range(n_steps):
        if tau[t] > alpha:
            phi = np.zeros(n_features)
            for i in range(n_features):
                masked = x.copy()
                masked[t, i] = mask_value
                phi[i] = np.abs(base - attribute_one(masked)).sum()
            phi = minmax_scale(phi)
        else:
            phi = np.full(n_features, constant)
        relevance[t] = tau[t] * phi
    return relevance


def _one_sample_attribution(clf, method, target, **params):
    attribute = make_attribution(method, ScoreModule(clf.net_.module_.eval()), method_params=params)

    def attribute_one(x):
        X = torch.tensor(x[None])
        maps = attribute(X, torch.tensor([len(x)]), torch.tensor([target]))
        return np.abs(maps[0].numpy())

    return attribute_one


def _reference_maps(clf, X, y, method, tsr_params=None, **params):
    maps = np.full(X.shape, np.nan)
    for i, (x, label) in enumerate(zip(X, y)):
        x = x[~np.isnan(x).all(axis=1)]  # the sequence alone, no padding
        attribute_one = _one_sample_attribution(clf, method, label, **params)
        maps[i, : len(x)] = reference_tsr(attribute_one, x, **(tsr_params or {}))
    return maps


@pytest.mark.parametrize("batch_size", [1, 7, 512])
def test_batched_tsr_equals_the_loop(clf, data, batch_size):
    X, y = data
    maps = SaliencyExplainer(clf, tsr=True, batch_size=batch_size).transform(X, y)
    np.testing.assert_allclose(np.nanmax(maps, axis=(1, 2)), 1.0)  # not a trivial map
    np.testing.assert_allclose(maps, _reference_maps(clf, X, y, "gradient"), atol=1e-10)


def test_tsr_params_and_a_captum_method(clf, data):
    X, y = data[0][-3:], data[1][-3:]
    params = {"threshold": 0.3, "mask_value": -1.0, "constant": 0.5}
    maps = SaliencyExplainer(
        clf, "integrated_gradients", tsr=True, tsr_params=params,
        method_params={"n_steps": 5}, batch_size=16,
    ).transform(X, y)
    expected = _reference_maps(clf, X, y, "integrated_gradients", params, n_steps=5)
    np.testing.assert_allclose(maps, expected, atol=1e-10)


class CountingAttribution:
    """A toy attribution that records the copies (and lengths) it is given."""

    def __init__(self, weights):
        self.weights = weights
        self.batches = []
        self.lengths = []

    def __call__(self, X, lengths, targets):
        self.batches.append(X.clone())
        self.lengths.append(lengths.clone())
        return (2 * self.weights * X).abs()


def test_padded_steps_are_never_masked_and_batches_are_bounded():
    torch.manual_seed(0)
    X = torch.randn(3, 6, 4, dtype=torch.float64)
    lengths = torch.tensor([6, 4, 2])
    X[1, 4:] = 0.0
    X[2, 2:] = 0.0
    attribute = CountingAttribution(torch.rand(6, 4, dtype=torch.float64))
    relevance = temporal_saliency_rescaling(
        attribute, X, lengths, torch.zeros(3, dtype=torch.long), mask_value=-7.0,
        batch_size=5,
    )
    assert max(len(batch) for batch in attribute.batches) <= 5
    copies, copy_lengths = torch.cat(attribute.batches), torch.cat(attribute.lengths)
    masked_steps = (copies == -7.0).any(dim=2)  # (copies, T)
    beyond = torch.arange(6)[None, :] >= copy_lengths[:, None]
    assert not (masked_steps & beyond).any()
    # 3 unmasked maps, one copy per valid step, then F copies per selected step.
    n_feature_copies = len(copies) - 3 - int(lengths.sum())
    assert n_feature_copies > 0 and n_feature_copies % 4 == 0
    assert (relevance[1, 4:] == 0).all() and (relevance[2, 2:] == 0).all()


def test_copies_mask_exactly_one_step_or_cell():
    X = torch.full((1, 4, 3), 2.0, dtype=torch.float64)
    weights = torch.arange(12, dtype=torch.float64).reshape(4, 3)
    attribute = CountingAttribution(weights)
    temporal_saliency_rescaling(
        attribute, X, torch.tensor([4]), torch.tensor([0]), mask_value=-7.0, batch_size=100
    )
    copies = torch.cat(attribute.batches)[1:]  # skip the unmasked call
    n_masked = (copies == -7.0).sum(dim=(1, 2))
    assert (n_masked[:4] == 3).all()  # time-level copies
    assert (n_masked[4:] == 1).all() and len(n_masked[4:]) % 3 == 0


def test_progress_bar_counts_all_copies(clf, data, capsys):
    X, y = data
    SaliencyExplainer(clf, tsr=True, verbose=1).transform(X[:2], y[:2])
    err = capsys.readouterr().err
    assert "saliency" in err


def test_tsr_is_non_negative_with_signed_methods(clf, data):
    X, y = data
    maps = SaliencyExplainer(clf, "input_x_gradient", absolute=False, tsr=True).transform(X, y)
    valid = ~np.isnan(X).all(axis=2)
    assert (maps[valid] >= 0).all() and np.isnan(maps[~valid]).all()
